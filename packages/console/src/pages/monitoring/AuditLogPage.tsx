import type { AuditEntry } from '@patchday/core';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
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

const keys = ['actor', 'action', 'limit'] as const;

/** §11 the audit log: every change made through the API, the CLI or the console, who made it and when. */
export default function AuditLogPage() {
  const { filter, setFilter } = useLogFilter(keys);
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const entries = useResource<{ entries: AuditEntry[] }>(`/audit${queryString({ ...filter, limit: filter.limit || 200 })}`, { keepPrevious: true, refreshOn: ['changes'] });
  // What to offer in the fields: the actors and actions of an unfiltered look at the log.
  const recent = useResource<{ entries: AuditEntry[] }>('/audit?limit=1000');
  const actors = useMemo(() => [...new Set(recent.data?.entries.map((e) => e.actor))].sort(), [recent.data]);
  const actions = useMemo(() => [...new Set(recent.data?.entries.map((e) => e.action))].sort(), [recent.data]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
  };
  const list = entries.data?.entries ?? [];
  const filtered = filter.actor !== '' || filter.action !== '';

  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, and when: every change to the site, whichever way it was made." />
      <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
        <label>
          Actor
          <input className="medium" list="audit-actors" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
          <datalist id="audit-actors">
            {actors.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Action
          <input className="medium" list="audit-actions" value={draft.action} placeholder="deployment.create" onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <LogFilterEnd limit={draft.limit} onLimit={(limit) => setFilter({ ...draft, limit })} filtered={filtered} onClear={() => setFilter({ actor: '', action: '' })} />
      </form>
      <ErrorNotice error={entries.error} onRetry={entries.reload} />
      {entries.loading && <Loading what="Loading the audit log" />}
      {entries.data && list.length === 0 && <p className="muted">{filtered ? 'No entry matches.' : 'The audit log is empty.'}</p>}
      <LogTable
        caption="Audit log"
        noun="entries"
        rows={list}
        columns={[
          { header: 'Time', className: 'time', cell: (e) => formatTime(e.at) },
          { header: 'Actor', cell: (e) => e.actor },
          { header: 'Action', className: 'mono action', cell: (e) => e.action },
          { header: 'Target', className: 'mono small', cell: (e) => e.target },
          { header: 'Details', cell: (e) => <Details details={e.details} /> },
        ]}
      />
    </>
  );
}
