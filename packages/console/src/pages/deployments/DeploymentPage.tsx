import type { Deployment, UpdateGroupDetail } from '@patchday/core';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { DeploymentFlags } from './DeploymentFlags.tsx';
import { DeploymentMonitoring } from './DeploymentMonitoring.tsx';
import { DeploymentSettings } from './DeploymentSettings.tsx';
import { DeploymentUpdates } from './DeploymentUpdates.tsx';
import './deployments.css';

/** One deployment: its settings, enable/disable, and its monitoring (§9), live while clients report. */
export default function DeploymentPage() {
  const { deploymentId = '' } = useParams();
  const api = useApi();
  const deployment = useResource<Deployment>(`/deployments/${encodeURIComponent(deploymentId)}`);
  const d = deployment.data;
  const group = useResource<UpdateGroupDetail>(d ? `/update-groups/${d.groupId}?pageSize=1000` : null);
  const updateTitles = useMemo(() => new Map(group.data?.members.updates.map((u) => [u.updateId, u.title])), [group.data]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

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
    setBusy(true);
    setActionError(null);
    try {
      await api.patch(`/deployments/${d.deploymentId}`, { enabled });
      deployment.reload();
    } catch (error) {
      setActionError(errorMessage(error));
    } finally {
      setBusy(false);
    }
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
            <button type="button" onClick={() => void setEnabled(!d.enabled)} disabled={busy}>
              {d.enabled ? 'Disable' : 'Enable'}
            </button>
          </Can>
        }
      />
      <ErrorNotice error={actionError} />
      <DeploymentMonitoring deploymentId={d.deploymentId} enabled={d.enabled} updateTitles={updateTitles} aside={<DeploymentSettings d={d} />} />
      <DeploymentUpdates group={group.data} error={group.error} />
    </>
  );
}
