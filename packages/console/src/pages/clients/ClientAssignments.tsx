import type { ClientDeployments, UpdateDetail } from '@patchday/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { StateMessages } from '../deployments/DeploymentMonitoring.tsx';
import { categoryLabel, formatDeploymentTime } from '../deployments/deployment-categories.ts';
import '../deployments/deployments.css';

/** The titles of the updates the client's state messages name (one per deployment at most: its last enforcement message). */
function useUpdateTitles(assignments: ClientDeployments | undefined): Map<string, string> {
  const api = useApi();
  const [titles, setTitles] = useState(new Map<string, string>());
  const ids = [...new Set(assignments?.deployments.flatMap((d) => d.states.map((s) => s.updateId).filter((id): id is string => id !== null)))].sort().join(',');
  useEffect(() => {
    if (!ids) return;
    let cancelled = false;
    // A title that cannot be had leaves the update named by its id: the rest of the page stands.
    Promise.all(ids.split(',').map((id) => api.get<UpdateDetail>(`/updates/${id}`).then((u) => [id, u.title] as const, () => null))).then((found) => {
      if (!cancelled) setTitles(new Map(found.filter((f) => f !== null)));
    });
    return () => {
      cancelled = true;
    };
  }, [api, ids]);
  return titles;
}

/** §9 per client: every assignment its policy carries and its state of each, from its state messages. */
export function ClientAssignments({ assignments, error, onRetry }: { assignments: ClientDeployments | undefined; error: string | null; onRetry(): void }) {
  const titles = useUpdateTitles(assignments);
  return (
    <section className="card" aria-labelledby="client-deployments">
      <h2 id="client-deployments">Deployments</h2>
      <ErrorNotice error={error} onRetry={onRetry} />
      {assignments && assignments.deployments.length === 0 && <p className="muted">No enabled deployment targets a collection this client is in.</p>}
      {assignments && assignments.deployments.length > 0 && (
        <div className="table-scroll">
          <table className="compact deployment-table">
            <caption className="visually-hidden">Deployments assigned to the client</caption>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Collection</th>
                <th scope="col">Purpose</th>
                <th scope="col">Available</th>
                <th scope="col">Deadline</th>
                <th scope="col">State</th>
                <th scope="col">Last state messages</th>
              </tr>
            </thead>
            <tbody>
              {assignments.deployments.map((d) => (
                <tr key={d.deploymentId} className={d.category === 'error' ? 'row-error' : undefined}>
                  <td>
                    <Link to={paths.deployment(d.deploymentId)}>{d.name}</Link>
                  </td>
                  <td>
                    <Link to={paths.collection(d.collectionId)}>{d.collectionName}</Link>
                  </td>
                  <td>{d.purpose === 'required' ? 'Required' : 'Available'}</td>
                  <td>{formatDeploymentTime(d.availableAt, d.timeBasis)}</td>
                  <td>{formatDeploymentTime(d.deadlineAt, d.timeBasis)}</td>
                  <td>
                    <span className={`category category-${d.category}`}>{categoryLabel(d.category)}</span>: {d.detail}
                    {d.error && <div className="error-text">{d.error}</div>}
                  </td>
                  <td>
                    <StateMessages states={d.states} updateTitles={titles} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
