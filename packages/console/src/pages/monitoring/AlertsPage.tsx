import type { AlertEvaluation, AlertList } from '@patchday/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import './monitoring.css';

const kindText = { 'deployment-compliance': 'Deployment compliance', 'sync-failure': 'Sync failure' } as const;

/**
 * §9 alerts: a deployment under its compliance target some days after its available time, a failed
 * sync. Open ones until their condition no longer holds; cleared ones on request. The site
 * evaluates them on its schedule; those who may evaluate them now.
 */
export default function AlertsPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const state = params.get('state') === 'all' ? 'all' : 'open';
  const alerts = useResource<AlertList>(`/alerts?state=${state}&limit=1000`, { pollMs: 60_000, refreshOn: ['alerts'] });
  const [evaluation, setEvaluation] = useState<AlertEvaluation | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const evaluate = async () => {
    setBusy(true);
    setError(null);
    try {
      setEvaluation(await api.post<AlertEvaluation>('/alerts/evaluate'));
      alerts.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const list = alerts.data?.alerts ?? [];

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Deployments under their compliance target, and failed syncs."
        actions={
          <Can permission="manage">
            <button type="button" onClick={() => void evaluate()} disabled={busy}>
              {busy ? 'Evaluating…' : 'Evaluate now'}
            </button>
          </Can>
        }
      />
      {evaluation && (
        <p className="notice" role="status">
          Evaluated at {formatTime(evaluation.at)}: {evaluation.raised} raised, {evaluation.cleared} cleared, {evaluation.open} open.
        </p>
      )}
      <ErrorNotice error={error} />
      <form className="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <label>
          Show
          <select value={state} onChange={(e) => setParams(e.target.value === 'all' ? { state: 'all' } : {}, { replace: true })}>
            <option value="open">Open alerts</option>
            <option value="all">Open and cleared alerts</option>
          </select>
        </label>
      </form>
      <ErrorNotice error={alerts.error} onRetry={alerts.reload} />
      {alerts.loading && <Loading what="Loading alerts" />}
      {alerts.data && list.length === 0 && <p className="muted">{state === 'open' ? 'No open alerts.' : 'No alerts.'}</p>}
      {list.length > 0 && (
        <div className="table-scroll">
          <table className="compact log-table">
            <caption className="visually-hidden">Alerts</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Alert</th>
                <th scope="col">About</th>
                <th scope="col">Text</th>
                <th scope="col">Raised</th>
                <th scope="col">Cleared</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.alertId} className={a.clearedAt ? 'cleared' : undefined}>
                  <td>
                    <span className={`severity severity-${a.severity}`}>{a.severity}</span>
                  </td>
                  <td>{kindText[a.kind]}</td>
                  <td>{a.kind === 'deployment-compliance' ? <Link to={paths.deployment(a.targetId)}>{a.targetName}</Link> : a.targetName}</td>
                  <td>{a.text}</td>
                  <td>{formatTime(a.raisedAt)}</td>
                  <td>{a.clearedAt ? formatTime(a.clearedAt) : <strong>open</strong>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
