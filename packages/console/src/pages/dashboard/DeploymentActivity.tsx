import type { Deployment, DeploymentStatus } from '@patchday/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';

/** Enabled deployments that are not yet compliant everywhere: those with errors first. */
export function DeploymentActivity() {
  const api = useApi();
  const list = useResource<{ deployments: Deployment[] }>('/deployments', { pollMs: 15_000, refreshOn: ['clients', 'changes'] });
  const [statuses, setStatuses] = useState<DeploymentStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const enabled = (list.data?.deployments ?? []).filter((d) => d.enabled);
    let cancelled = false;
    Promise.all(enabled.map((d) => api.get<DeploymentStatus>(`/deployments/${d.deploymentId}/status?limit=1`)))
      .then((all) => {
        if (cancelled) return;
        setStatuses(all);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [api, list.data]);

  const active = (statuses ?? [])
    .filter((s) => s.counts.compliant < s.counts.members)
    .sort((a, b) => b.counts.error - a.counts.error || b.counts.inProgress - a.counts.inProgress || a.name.localeCompare(b.name));

  return (
    <section className="card" aria-labelledby="deployment-activity">
      <h2 id="deployment-activity">Deployments in progress and failing</h2>
      <ErrorNotice error={list.error ?? error} onRetry={list.reload} />
      {statuses === null && !list.error && !error ? (
        <p className="muted">…</p>
      ) : active.length === 0 ? (
        <p className="muted">{(list.data?.deployments.length ?? 0) === 0 ? 'No deployments yet.' : 'Every enabled deployment is compliant.'}</p>
      ) : (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col" className="num">
                Compliant
              </th>
              <th scope="col" className="num">
                In progress
              </th>
              <th scope="col" className="num">
                Waiting
              </th>
              <th scope="col" className="num">
                Error
              </th>
              <th scope="col" className="num">
                Unknown
              </th>
            </tr>
          </thead>
          <tbody>
            {active.map((s) => (
              <tr key={s.deploymentId} className={s.counts.error > 0 ? 'row-error' : undefined}>
                <td>
                  <Link to={paths.deployment(s.deploymentId)}>{s.name}</Link>
                </td>
                <td className="num">
                  {formatNumber(s.counts.compliant)} of {formatNumber(s.counts.members)}
                </td>
                <td className="num">{formatNumber(s.counts.inProgress)}</td>
                <td className="num">{formatNumber(s.counts.waiting)}</td>
                <td className="num">{formatNumber(s.counts.error)}</td>
                <td className="num">{formatNumber(s.counts.unknown)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
