import type { ClientCompliance, ClientUpdateCompliance, DetectionState } from '@patchday/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../components/format.ts';
import { Pagination } from '../../components/Pagination.tsx';
import { detectionStates, StateCountsBar, stateClass } from '../../components/StateCountsBar.tsx';
import { useResource } from '../../hooks/useResource.ts';

const PAGE = 50;

const sourceText = (u: ClientUpdateCompliance) =>
  u.source === 'reported' ? `reported by its scan${u.reportedAt ? ` (${formatTime(u.reportedAt)})` : ''}` : u.source === 'estimated' ? 'estimated from its inventory' : 'nothing known yet';

/**
 * §9 per client: every update of its product and its state (Required / Installed / Not Required /
 * Unknown), reported by its last scan or estimated by the site from its inventory. Only the Required
 * ones travel unless another state is asked for: a product has tens of thousands of updates.
 */
export function ClientUpdates({ clientId }: { clientId: string }) {
  const [state, setState] = useState<DetectionState | ''>('Required');
  const [page, setPage] = useState(1);
  const report = useResource<ClientCompliance>(`/clients/${clientId}/compliance?include=${state === 'Required' ? 'required' : 'all'}`, { keepPrevious: true });
  const r = report.data;
  const rows = (r?.updates ?? []).filter((u) => state === '' || u.state === state);
  return (
    <section className="card" aria-labelledby="client-updates">
      <h2 id="client-updates">Updates</h2>
      <ErrorNotice error={report.error} onRetry={report.reload} />
      {r && r.product === null && <p className="muted">Nothing is known about this client's software yet: it has sent no inventory and no scan.</p>}
      {r && r.product !== null && (
        <>
          <p className="counts-line" data-testid="client-counts">
            <StateCountsBar counts={r.counts} />
            {detectionStates.map((s) => (
              <span key={s} className={`${stateClass(s)}-text`}>
                {s}: <strong>{formatNumber(r.counts[s])}</strong>
              </span>
            ))}
            <span className="muted small">
              of {formatNumber(r.counts.Required + r.counts.Installed + r.counts['Not Required'] + r.counts.Unknown)} updates of {r.product}: {formatNumber(r.sources.reported)} reported,{' '}
              {formatNumber(r.sources.estimated)} estimated, {formatNumber(r.sources.none)} unknown
            </span>
          </p>
          <label className="inline">
            Show updates
            <select
              value={state}
              onChange={(e) => {
                setState(e.target.value as DetectionState | '');
                setPage(1);
              }}
            >
              {detectionStates.map((s) => (
                <option key={s} value={s}>
                  {s === 'Required' ? 'it needs (Required)' : s}
                </option>
              ))}
              <option value="">in every state</option>
            </select>
          </label>
          {report.loading ? null : rows.length === 0 ? (
            <p className="muted">No update in this state.</p>
          ) : (
            <>
              <div className="table-scroll">
                <table className="compact">
                  <caption className="visually-hidden">Updates of the client</caption>
                  <thead>
                    <tr>
                      <th scope="col">Update</th>
                      <th scope="col">Classification</th>
                      <th scope="col">Severity</th>
                      <th scope="col">State</th>
                      <th scope="col">Known from</th>
                      <th scope="col">Would upgrade</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.slice((page - 1) * PAGE, page * PAGE).map((u) => (
                      <tr key={u.updateId}>
                        <td>
                          <Link to={paths.update(u.updateId)}>{u.title}</Link>
                          {u.superseded && <span className="tag">superseded</span>}
                        </td>
                        <td>{u.classification}</td>
                        <td>{u.severity}</td>
                        <td className={`${stateClass(u.state)}-text`}>{u.state}</td>
                        <td>{sourceText(u)}</td>
                        <td className="mono small">{u.upgrades.map((p) => `${p.package} ${p.installed} → ${p.target}`).join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {rows.length > PAGE && <Pagination label="updates" page={page} pageSize={PAGE} total={rows.length} onPage={setPage} />}
            </>
          )}
        </>
      )}
    </section>
  );
}
