import type { StatusMessage } from '@patchday/core';
import { useEffect, useState, type FormEvent } from 'react';
import { queryString } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { Details } from './Details.tsx';
import { logLimits, useLogFilter } from './log-filters.ts';
import './monitoring.css';

/** The ids administrators know from Configuration Manager, and what the site's components report under them. */
const knownIds: Array<[number, string]> = [
  [6701, 'sync started'],
  [6702, 'sync completed'],
  [6703, 'sync failed'],
  [5800, 'automatic deployment rule failed'],
  [2330, 'distribution point holds a package'],
  [2302, 'distribution point failed to take a package'],
];
const components = ['update-point', 'distribution point', 'automatic deployment rules'];
const keys = ['messageId', 'severity', 'component', 'limit'] as const;

/** §9 status messages: what the site's components did, with their ids, severity and text, newest first. */
export default function StatusMessagesPage() {
  const { filter, setFilter } = useLogFilter(keys);
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const messages = useResource<{ messages: StatusMessage[] }>(`/status-messages${queryString({ ...filter, limit: filter.limit || 200 })}`, { pollMs: 15_000, keepPrevious: true, refreshOn: ['sync', 'changes'] });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
  };
  const list = messages.data?.messages ?? [];
  const filtered = keys.some((k) => k !== 'limit' && filter[k] !== '');

  return (
    <>
      <PageHeader title="Status messages" description="What the site's components did: synchronisations, distribution, automatic deployment rules." />
      <form className="filters" onSubmit={submit} aria-label="Filter status messages">
        <label>
          Message id
          <input type="number" className="narrow" list="status-message-ids" value={draft.messageId} onChange={(e) => setDraft({ ...draft, messageId: e.target.value })} />
          <datalist id="status-message-ids">
            {knownIds.map(([id, text]) => (
              <option key={id} value={id}>
                {text}
              </option>
            ))}
          </datalist>
        </label>
        <label>
          Severity
          <select value={draft.severity} onChange={(e) => setFilter({ severity: e.target.value })}>
            <option value="">Any</option>
            <option value="info">Info</option>
            <option value="warning">Warning</option>
            <option value="error">Error</option>
          </select>
        </label>
        <label>
          Component
          <select value={draft.component} onChange={(e) => setFilter({ component: e.target.value })}>
            <option value="">Any</option>
            {components.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Show
          <select value={draft.limit || '200'} onChange={(e) => setFilter({ limit: e.target.value === '200' ? '' : e.target.value })}>
            {logLimits.map((n) => (
              <option key={n} value={n}>
                the newest {n}
              </option>
            ))}
          </select>
        </label>
        <span className="filter-buttons">
          <button type="submit">Apply</button>
          {filtered && (
            <button type="button" onClick={() => setFilter({ messageId: '', severity: '', component: '' })}>
              Clear
            </button>
          )}
        </span>
      </form>
      <ErrorNotice error={messages.error} onRetry={messages.reload} />
      {messages.loading && <Loading what="Loading status messages" />}
      {messages.data && list.length === 0 && <p className="muted">{filtered ? 'No status message matches.' : 'No status messages yet.'}</p>}
      {list.length > 0 && (
        <>
          <p className="muted small">{formatNumber(list.length)} messages, newest first.</p>
          <div className="table-scroll">
            <table className="compact log-table">
              <caption className="visually-hidden">Status messages</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Id</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Component</th>
                  <th scope="col">Text</th>
                </tr>
              </thead>
              <tbody>
                {list.map((m) => (
                  <tr key={m.id}>
                    <td className="time">{formatTime(m.at)}</td>
                    <td className="mono">{m.messageId}</td>
                    <td>
                      <span className={`severity severity-${m.severity}`}>{m.severity}</span>
                    </td>
                    <td>{m.component}</td>
                    <td>
                      {m.text}
                      <Details details={m.details} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
