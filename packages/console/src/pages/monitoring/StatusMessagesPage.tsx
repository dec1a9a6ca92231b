import type { StatusMessage } from '@patchday/core';
import { useEffect, useState, type FormEvent } from 'react';
import { queryString } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { Details } from './Details.tsx';
import { useLogFilter } from './log-filters.ts';
import { LogFilterEnd, LogTable } from './LogView.tsx';
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
        <LogFilterEnd limit={draft.limit} onLimit={(limit) => setFilter({ limit })} filtered={filtered} onClear={() => setFilter({ messageId: '', severity: '', component: '' })} />
      </form>
      <ErrorNotice error={messages.error} onRetry={messages.reload} />
      {messages.loading && <Loading what="Loading status messages" />}
      {messages.data && list.length === 0 && <p className="muted">{filtered ? 'No status message matches.' : 'No status messages yet.'}</p>}
      <LogTable
        caption="Status messages"
        noun="messages"
        rows={list}
        columns={[
          { header: 'Time', className: 'time', cell: (m) => formatTime(m.at) },
          { header: 'Id', className: 'mono', cell: (m) => m.messageId },
          { header: 'Severity', cell: (m) => <span className={`severity severity-${m.severity}`}>{m.severity}</span> },
          { header: 'Component', cell: (m) => m.component },
          {
            header: 'Text',
            cell: (m) => (
              <>
                {m.text}
                <Details details={m.details} />
              </>
            ),
          },
        ]}
      />
    </>
  );
}
