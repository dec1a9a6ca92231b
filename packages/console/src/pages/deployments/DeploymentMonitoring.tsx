import type { DeploymentClientStatus, DeploymentStatus } from '@patchday/core';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Cell, Pie, PieChart, ResponsiveContainer, Tooltip } from 'recharts';
import { queryString } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatPercent, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { Pagination } from '../../components/Pagination.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { categories, categoryLabel, isCategory } from './deployment-categories.ts';

const PAGE = 50;
/** Clients report while a deployment runs: the counts follow without a reload. */
const LIVE_MS = 5_000;

/**
 * §9 a deployment's members: counts per category with a chart, and the clients of one category
 * (the drill-down, kept in the address) with their error text and state messages.
 */
export function DeploymentMonitoring({ deploymentId, enabled, updateTitles, aside }: { deploymentId: string; enabled: boolean; updateTitles: Map<string, string>; aside: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const raw = params.get('category');
  const category = isCategory(raw) ? raw : null;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const status = useResource<DeploymentStatus>(`/deployments/${deploymentId}/status${queryString({ category, limit: PAGE, offset: (page - 1) * PAGE })}`, { pollMs: LIVE_MS, keepPrevious: true, refreshOn: ['clients', 'changes'] });
  const s = status.data;

  const show = (next: string | null, nextPage = 1) => {
    const search = new URLSearchParams();
    if (next) search.set('category', next);
    if (nextPage > 1) search.set('page', String(nextPage));
    setParams(search, { replace: true });
  };

  if (!s) {
    return (
      <div className="grid-2">
        {status.error ? <ErrorNotice error={status.error} onRetry={status.reload} /> : <Loading what="Loading the deployment's status" />}
        {aside}
      </div>
    );
  }
  const chart = categories.map((c) => ({ name: c.label, value: s.counts[c.count], colour: c.colour })).filter((c) => c.value > 0);

  return (
    <>
      <div className="grid-2">
      <section className="card" aria-labelledby="deployment-status">
        <h2 id="deployment-status">Status</h2>
        <ErrorNotice error={status.error} onRetry={status.reload} />
        <div className="monitoring">
          <div className="chart" role="img" aria-label={categories.map((c) => `${c.label} ${s.counts[c.count]}`).join(', ')}>
            {s.counts.members > 0 && (
              <ResponsiveContainer width="100%" height="100%">
                <PieChart>
                  <Pie data={chart} dataKey="value" nameKey="name" innerRadius="55%" outerRadius="90%" isAnimationActive={false}>
                    {chart.map((c) => (
                      <Cell key={c.name} fill={c.colour} />
                    ))}
                  </Pie>
                  <Tooltip formatter={(value) => formatNumber(Number(value))} />
                </PieChart>
              </ResponsiveContainer>
            )}
          </div>
          <div>
            <p>
              <span className="big-percent" data-testid="percent-compliant">
                {formatPercent(s.percentCompliant)}
              </span>{' '}
              compliant: {formatNumber(s.counts.compliant)} of {formatNumber(s.counts.members)} members of the collection
            </p>
            <div className="category-buttons" role="group" aria-label="Show the clients">
              <button type="button" aria-pressed={category === null} onClick={() => show(null)}>
                All members <strong>{formatNumber(s.counts.members)}</strong>
              </button>
              {categories.map((c) => (
                <button key={c.category} type="button" aria-pressed={category === c.category} onClick={() => show(c.category)} data-testid={`count-${c.category}`}>
                  <span className="category-swatch" style={{ background: c.colour }} aria-hidden="true" />
                  {c.label} <strong>{formatNumber(s.counts[c.count])}</strong>
                </button>
              ))}
            </div>
            {!enabled && <p className="notice">This deployment is disabled: it is in no client's policy until it is enabled again.</p>}
          </div>
        </div>
      </section>
      {aside}
      </div>
      <section className="card" aria-labelledby="deployment-clients">
        <h2 id="deployment-clients">
          Clients{category ? `: ${categoryLabel(category)}` : ''} ({formatNumber(s.total)})
        </h2>
        {s.total === 0 ? (
          <p className="muted">{category ? `No client is ${categoryLabel(category).toLowerCase()}.` : 'The collection has no members.'}</p>
        ) : (
          <>
            <div className="table-scroll">
              <table className="compact deployment-table deployment-clients">
                <caption className="visually-hidden">Clients of the deployment</caption>
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Category</th>
                    <th scope="col">Detail</th>
                    <th scope="col">Error</th>
                    <th scope="col">Last state messages</th>
                  </tr>
                </thead>
                <tbody>
                  {s.clients.map((c) => (
                    <ClientRow key={c.clientId} c={c} updateTitles={updateTitles} />
                  ))}
                </tbody>
              </table>
            </div>
            {s.total > PAGE && <Pagination label="clients" page={page} pageSize={PAGE} total={s.total} onPage={(p) => show(category, p)} />}
          </>
        )}
      </section>
    </>
  );
}

function ClientRow({ c, updateTitles }: { c: DeploymentClientStatus; updateTitles: Map<string, string> }) {
  return (
    <tr className={c.category === 'error' ? 'row-error' : undefined}>
      <td>
        <Link to={paths.client(c.clientId)}>{c.name}</Link>
      </td>
      <td className={`category category-${c.category}`}>{categoryLabel(c.category)}</td>
      <td>{c.detail}</td>
      <td className="error-text">{c.error ?? ''}</td>
      <td>
        <StateMessages states={c.states} updateTitles={updateTitles} />
      </td>
    </tr>
  );
}

/** A client's last message of each topic (300 compliance, 301 enforcement, 302 evaluation). */
export function StateMessages({ states, updateTitles }: { states: DeploymentClientStatus['states']; updateTitles: Map<string, string> }) {
  if (states.length === 0) return <span className="muted">none yet</span>;
  return (
    <ul className="state-list">
      {states.map((m) => (
        <li key={m.topic}>
          <span className="mono">{m.topic}</span> {m.state}
          {m.updateId && (
            <>
              {' · '}
              <Link to={paths.update(m.updateId)}>{updateTitles.get(m.updateId) ?? `update ${m.updateId.slice(0, 8)}`}</Link>
            </>
          )}
          <span className="muted"> · {formatTime(m.at)}</span>
        </li>
      ))}
    </ul>
  );
}
