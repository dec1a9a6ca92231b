import type { UpdateGroupDetail } from '@patchday/core';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../components/format.ts';

/** The updates the deployment sends: its group's members, flagged like the deployment. */
export function DeploymentUpdates({ group, error }: { group: UpdateGroupDetail | undefined; error: string | null }) {
  return (
    <section className="card" aria-labelledby="deployment-updates">
      <h2 id="deployment-updates">Updates{group ? ` (${formatNumber(group.members.total)})` : ''}</h2>
      <ErrorNotice error={error} />
      {group && group.members.total === 0 && <p className="muted">The update group is empty.</p>}
      {group && group.members.total > 0 && (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Update</th>
              <th scope="col">Classification</th>
              <th scope="col">Severity</th>
            </tr>
          </thead>
          <tbody>
            {group.members.updates.map((u) => (
              <tr key={u.updateId}>
                <td>
                  <Link to={paths.update(u.updateId)}>{u.title}</Link>
                  {u.expired && <span className="tag tag-red">expired</span>}
                  {u.withoutContent && <span className="tag tag-red">no content</span>}
                </td>
                <td>{u.classification}</td>
                <td>{u.severity}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {group && group.members.total > group.members.updates.length && <p className="muted small">The first {formatNumber(group.members.updates.length)} by title.</p>}
    </section>
  );
}
