import type { DetectionState, UpdateCompliance } from '@patchday/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { queryString } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatPercent } from '../../components/format.ts';
import { Pagination } from '../../components/Pagination.tsx';
import { detectionStates, StateCountsBar, stateClass } from '../../components/StateCountsBar.tsx';
import { useResource } from '../../hooks/useResource.ts';

const PAGE = 50;

/** §9 per update: the counts over the active clients, and the clients in one state (Required first). */
export function UpdateClients({ updateId }: { updateId: string }) {
  const [state, setState] = useState<DetectionState | ''>('Required');
  const [page, setPage] = useState(1);
  const report = useResource<UpdateCompliance>(`/updates/${updateId}/compliance${queryString({ state, limit: PAGE, offset: (page - 1) * PAGE })}`, { refreshOn: ['sync', 'clients'], refreshAtMostEveryMs: 5000 });
  const r = report.data;
  return (
    <section className="card" aria-labelledby="update-clients">
      <h2 id="update-clients">Clients</h2>
      <ErrorNotice error={report.error} onRetry={report.reload} />
      {r && (
        <>
          <p className="counts-line" data-testid="update-counts">
            <StateCountsBar counts={r.counts} />
            {detectionStates.map((s) => (
              <span key={s} className={`count ${stateClass(s)}-text`}>
                {s}: <strong>{formatNumber(r.counts[s])}</strong>
              </span>
            ))}
            <span className="count">
              Compliant: <strong>{formatPercent(r.percentCompliant)}</strong> of {formatNumber(r.clientsCounted)} active clients
            </span>
          </p>
          <label className="inline">
            Show clients
            <select
              value={state}
              onChange={(e) => {
                setState(e.target.value as DetectionState | '');
                setPage(1);
              }}
            >
              {detectionStates.map((s) => (
                <option key={s} value={s}>
                  {s === 'Required' ? 'that need it (Required)' : s}
                </option>
              ))}
              <option value="">in every state</option>
            </select>
          </label>
          {r.page.total === 0 ? (
            <p className="muted">No client in this state.</p>
          ) : (
            <>
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">State</th>
                    <th scope="col">Known from</th>
                  </tr>
                </thead>
                <tbody>
                  {r.clients.map((c) => (
                    <tr key={c.clientId}>
                      <td>
                        <Link to={paths.client(c.clientId)}>{c.name}</Link>
                      </td>
                      <td className={`${stateClass(c.state)}-text`}>{c.state}</td>
                      <td>{c.source === 'reported' ? "the client's scan" : c.source === 'estimated' ? 'estimated from its inventory' : 'nothing yet'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {r.page.total > PAGE && <Pagination label="clients" page={page} pageSize={PAGE} total={r.page.total} onPage={setPage} />}
            </>
          )}
        </>
      )}
    </section>
  );
}
