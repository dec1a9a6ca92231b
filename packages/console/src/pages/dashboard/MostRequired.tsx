import type { ComplianceSummary } from '@patchday/core';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { formatNumber, formatPercent } from '../../components/format.ts';

/** The updates the most clients require: where patching helps most. */
export function MostRequired({ updates, clients }: { updates: ComplianceSummary['mostRequired']; clients: number }) {
  return (
    <section className="card" aria-labelledby="most-required">
      <h2 id="most-required">Most required updates</h2>
      {updates.length === 0 ? (
        <p className="muted">No client requires any update in force.</p>
      ) : (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Update</th>
              <th scope="col">Severity</th>
              <th scope="col" className="num">
                Required by
              </th>
              <th scope="col" className="num">
                Compliant
              </th>
            </tr>
          </thead>
          <tbody>
            {updates.map((u) => (
              <tr key={u.updateId}>
                <td>
                  <Link to={paths.update(u.updateId)}>{u.title}</Link>
                  <div className="muted small">
                    {u.product} · {u.classification}
                  </div>
                </td>
                <td>{u.severity}</td>
                <td className="num">
                  {formatNumber(u.required)} of {formatNumber(clients)}
                </td>
                <td className="num">{formatPercent(u.percentCompliant)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
