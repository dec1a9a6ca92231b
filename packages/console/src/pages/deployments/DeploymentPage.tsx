import type { Deployment, UpdateGroupDetail } from '@patchday/core';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { ConfirmButton } from '../software-updates/ConfirmButton.tsx';
import { useAction } from '../software-updates/use-action.ts';
import { DeploymentFlags } from './DeploymentFlags.tsx';
import { DeploymentMonitoring } from './DeploymentMonitoring.tsx';
import { DeploymentSettings } from './DeploymentSettings.tsx';
import { DeploymentUpdates } from './DeploymentUpdates.tsx';
import { EditDeployment } from './EditDeployment.tsx';
import './deployments.css';

/** One deployment: its settings (edited in place), enable/disable, delete, and its monitoring (§9), live while clients report. */
export default function DeploymentPage() {
  const { deploymentId = '' } = useParams();
  const api = useApi();
  const deployment = useResource<Deployment>(`/deployments/${encodeURIComponent(deploymentId)}`);
  const d = deployment.data;
  const group = useResource<UpdateGroupDetail>(d ? `/update-groups/${d.groupId}?pageSize=1000` : null);
  const updateTitles = useMemo(() => new Map(group.data?.members.updates.map((u) => [u.updateId, u.title])), [group.data]);
  const action = useAction();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);

  if (deployment.error && !d) {
    return (
      <>
        <PageHeader title="Deployment" />
        <ErrorNotice error={deployment.error} onRetry={deployment.reload} />
        <Link to={paths.deployments}>Back to deployments</Link>
      </>
    );
  }
  if (!d) return <Loading what="Loading the deployment" />;

  const setEnabled = async (enabled: boolean) => {
    if (await action.run(() => api.patch(`/deployments/${d.deploymentId}`, { enabled }))) deployment.reload();
  };
  const remove = async () => {
    if (await action.run(() => api.delete(`/deployments/${d.deploymentId}`))) navigate(paths.deployments);
  };

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.deployments}>Deployments</Link> › <span>{d.name}</span>
      </nav>
      <PageHeader
        title={d.name}
        description={
          <>
            <span className="tag">{d.purpose === 'required' ? 'Required' : 'Available'}</span>
            {d.enabled ? <span className="tag">enabled</span> : <span className="tag tag-warn">disabled</span>}
            <DeploymentFlags flags={d.flags} />
          </>
        }
        actions={
          <Can permission="manage">
            <button type="button" onClick={() => void setEnabled(!d.enabled)} disabled={action.busy}>
              {d.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" onClick={() => (action.clear(), setEditing(true))} disabled={editing}>
              Edit settings
            </button>
            <ConfirmButton
              label="Delete deployment"
              question={`Delete ${d.name}? Its members stop getting it and the states they reported are removed.`}
              confirmLabel="Yes, delete"
              onConfirm={() => void remove()}
              disabled={action.busy}
            />
          </Can>
        }
      />
      <ErrorNotice error={action.error} />
      {editing && (
        <EditDeployment
          d={d}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            deployment.reload();
          }}
        />
      )}
      <DeploymentMonitoring deploymentId={d.deploymentId} enabled={d.enabled} updateTitles={updateTitles} aside={<DeploymentSettings d={d} />} />
      <DeploymentUpdates group={group.data} error={group.error} />
    </>
  );
}
