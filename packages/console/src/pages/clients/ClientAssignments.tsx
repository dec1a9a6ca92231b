import type { ClientDeployments } from '@patchday/core';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { StateMessages } from '../deployments/DeploymentMonitoring.tsx';
import { categoryLabel, formatDeploymentTime } from '../deployments/deployment-categories.ts';
import '../deployments/deployments.css';

const noTitles = new Map<string, string>();

/** §9 per client: every assignment its policy carries and its state of each, from its state messages. */
export function ClientAssignments({ assignments, error, onRetry }: { assignments: ClientDeployments | undefined; error: string | null; onRetry(): void }) {
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
                    <StateMessages states={d.states} updateTitles={noTitles} />
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
