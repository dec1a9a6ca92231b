import type { Deployment, DeploymentStatus } from '@patchday/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatPercent } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { libraryPaths } from '../software-updates/library-paths.ts';
import { DeploymentFlags } from './DeploymentFlags.tsx';
import { formatDeploymentTime } from './deployment-categories.ts';
import './deployments.css';

const LIVE_MS = 15_000;

/** Every deployment (§6.4) with its settings at a glance, how compliant its collection is (§9), and its flags in red. */
export default function DeploymentsPage() {
  const api = useApi();
  const list = useResource<{ deployments: Deployment[] }>('/deployments', { pollMs: LIVE_MS, refreshOn: ['clients', 'changes'] });
  const [statuses, setStatuses] = useState<Map<string, DeploymentStatus>>(new Map());
  const [statusError, setStatusError] = useState<string | null>(null);

  useEffect(() => {
    const deployments = list.data?.deployments ?? [];
    let cancelled = false;
    // Only the counts: one member row is the least a status answer carries.
    Promise.all(deployments.map((d) => api.get<DeploymentStatus>(`/deployments/${d.deploymentId}/status?limit=1`)))
      .then((all) => {
        if (cancelled) return;
        setStatuses(new Map(all.map((s) => [s.deploymentId, s])));
        setStatusError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) setStatusError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [api, list.data]);

  const deployments = list.data?.deployments ?? [];
  return (
    <>
      <PageHeader
        title="Deployments"
        description="Each deployment assigns an update group to a collection, with its times and behaviour."
        actions={
          <Can permission="manage">
            <Link className="button primary" to={libraryPaths.deployWizard()}>
              New deployment
            </Link>
          </Can>
        }
      />
      <ErrorNotice error={list.error} onRetry={list.reload} />
      <ErrorNotice error={statusError} />
      {list.loading && <Loading what="Loading deployments" />}
      {list.data && deployments.length === 0 && <p className="muted">No deployments yet. A deployment sends an update group to a collection's clients.</p>}
      {deployments.length > 0 && (
        <div className="table-scroll">
          <table className="compact deployment-table">
            <caption className="visually-hidden">Deployments</caption>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Update group</th>
                <th scope="col">Collection</th>
                <th scope="col">Purpose</th>
                <th scope="col">Available</th>
                <th scope="col">Deadline</th>
                <th scope="col">Enabled</th>
                <th scope="col" className="num">
                  Compliant
                </th>
              </tr>
            </thead>
            <tbody>
              {deployments.map((d) => {
                const s = statuses.get(d.deploymentId);
                return (
                  <tr key={d.deploymentId} className={s && s.counts.error > 0 ? 'row-error' : undefined}>
                    <td>
                      <Link to={paths.deployment(d.deploymentId)}>{d.name}</Link> <DeploymentFlags flags={d.flags} />
                      {d.adrId && (
                        <Link className="tag" to={libraryPaths.rule(d.adrId)}>
                          automatic
                        </Link>
                      )}
                      {d.reportOnly && <span className="tag">report only</span>}
                    </td>
                    <td>
                      <Link to={libraryPaths.updateGroup(d.groupId)}>{d.groupName}</Link> <span className="muted small">({formatNumber(d.updateCount)} updates)</span>
                    </td>
                    <td>
                      <Link to={paths.collection(d.collectionId)}>{d.collectionName}</Link>
                    </td>
                    <td>{d.purpose === 'required' ? 'Required' : 'Available'}</td>
                    <td>{formatDeploymentTime(d.availableAt, d.timeBasis)}</td>
                    <td>{formatDeploymentTime(d.deadlineAt, d.timeBasis)}</td>
                    <td>{d.enabled ? 'Yes' : <span className="tag tag-warn">disabled</span>}</td>
                    <td className="num">
                      {s ? (
                        <>
                          {formatPercent(s.percentCompliant)}{' '}
                          <span className="muted small">
                            ({formatNumber(s.counts.compliant)} of {formatNumber(s.counts.members)}
                            {s.counts.error > 0 ? `, ${formatNumber(s.counts.error)} in error` : ''})
                          </span>
                        </>
                      ) : (
                        '…'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
