import type { Client, ClientDeployments, DeploymentStateRecord } from '@patchday/core';
import { Link, useNavigate, useParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { ConfirmButton } from '../software-updates/ConfirmButton.tsx';
import { useAction } from '../software-updates/use-action.ts';
import { ClientAssignments } from './ClientAssignments.tsx';
import { ClientCollections } from './ClientCollections.tsx';
import { ClientUpdates } from './ClientUpdates.tsx';
import { scanText } from './client-text.ts';
import '../collections/collections.css';

/** Live while the client reports: its deployments' states change as it installs. */
const LIVE_MS = 15_000;

/** The newest deployment state message the client sent, with the deployment it is about. */
function lastDeploymentMessage(assignments: ClientDeployments | undefined): { name: string; state: DeploymentStateRecord } | null {
  let last: { name: string; state: DeploymentStateRecord } | null = null;
  for (const d of assignments?.deployments ?? []) for (const s of d.states) if (!last || s.receivedAt > last.state.receivedAt || (s.receivedAt === last.state.receivedAt && s.at > last.state.at)) last = { name: d.name, state: s };
  return last;
}

/** One client (§9), deleted by a Full Administrator: when it last scanned, took its policy and reported; every update and assignment and their states. */
export default function ClientPage() {
  const { clientId = '' } = useParams();
  const id = encodeURIComponent(clientId);
  const api = useApi();
  const client = useResource<Client>(`/clients/${id}`, { pollMs: LIVE_MS, refreshOn: ['clients', 'changes'] });
  const assignments = useResource<ClientDeployments>(`/clients/${id}/deployments`, { pollMs: LIVE_MS, refreshOn: ['clients', 'changes'] });
  const action = useAction();
  const navigate = useNavigate();
  const c = client.data;

  if (client.error && !c) {
    return (
      <>
        <PageHeader title="Client" />
        <ErrorNotice error={client.error} onRetry={client.reload} />
        <Link to={paths.clients}>Back to clients</Link>
      </>
    );
  }
  if (!c) return <Loading what="Loading the client" />;

  const approve = async () => {
    if (await action.run(() => api.post(`/clients/${c.clientId}/approve`))) client.reload();
  };
  const remove = async () => {
    if (await action.run(() => api.delete(`/clients/${c.clientId}`))) navigate(paths.clients);
  };
  const last = lastDeploymentMessage(assignments.data);

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.clients}>Clients</Link> › <span>{c.name}</span>
      </nav>
      <PageHeader
        title={c.name}
        description={c.status === 'active' ? <span className="tag">active</span> : <span className="tag tag-warn">waiting for approval: it gets no policy until approved</span>}
        actions={
          <Can permission="administer">
            {c.status === 'pending' && (
              <button type="button" className="primary" onClick={() => void approve()} disabled={action.busy}>
                Approve
              </button>
            )}
            <ConfirmButton
              label="Delete client"
              question={`Delete ${c.name}? It leaves its collections and its reported states are removed; to come back it enrols again.`}
              confirmLabel="Yes, delete"
              onConfirm={() => void remove()}
              disabled={action.busy}
            />
          </Can>
        }
      />
      <ErrorNotice error={action.error} />
      <div className="grid-2">
        <section className="card" aria-labelledby="client-properties">
          <h2 id="client-properties">Client</h2>
          <dl className="properties">
            <dt>Client id</dt>
            <dd className="mono">{c.clientId}</dd>
            <dt>Enrolled</dt>
            <dd>{formatTime(c.enrolledAt)}</dd>
            <dt>Last policy</dt>
            <dd>{c.lastPolicyAt ? formatTime(c.lastPolicyAt) : 'never asked for its policy'}</dd>
            <dt>Last inventory</dt>
            <dd>{formatTime(c.lastInventoryAt)}</dd>
            <dt>Last scan</dt>
            <dd className={c.lastScan?.error ? 'error-text' : undefined} data-testid="last-scan">
              {scanText(c.lastScan)}
            </dd>
            <dt>Last completed scan</dt>
            <dd>{c.lastScan?.completedAt ? `${formatTime(c.lastScan.completedAt)}, ${c.lastScan.product ?? 'no product'} up to catalogue sequence ${c.lastScan.anchor ?? '—'}` : '—'}</dd>
            <dt>Last state message</dt>
            <dd data-testid="last-state-message">
              {c.lastStateMessageAt ? formatTime(c.lastStateMessageAt) : 'none yet'}
              {last && (
                <div className="small">
                  {last.name}: {last.state.topic} {last.state.state}
                  {last.state.error && <span className="error-text"> — {last.state.error}</span>}
                </div>
              )}
            </dd>
          </dl>
        </section>
        {/* Approval puts the client in All Systems: its collections load again. */}
        <ClientCollections key={c.status} clientId={c.clientId} name={c.name} />
      </div>
      <ClientAssignments assignments={assignments.data} error={assignments.error} onRetry={assignments.reload} />
      <ClientUpdates clientId={c.clientId} />
    </>
  );
}
