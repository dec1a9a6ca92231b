import type { AuditEntry } from '@patchday/core';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { queryString } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { Details } from './Details.tsx';
import { logLimits, useLogFilter } from './log-filters.ts';
import './monitoring.css';

const keys = ['actor', 'action', 'limit'] as const;

/** §11 the audit log: every change made through the API, the CLI or the console, who made it and when. */
export default function AuditLogPage() {
  const { filter, setFilter } = useLogFilter(keys);
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const entries = useResource<{ entries: AuditEntry[] }>(`/audit${queryString({ ...filter, limit: filter.limit || 200 })}`, { keepPrevious: true });
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
        <label>
          Show
          <select value={draft.limit || '200'} onChange={(e) => setFilter({ ...draft, limit: e.target.value === '200' ? '' : e.target.value })}>
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
            <button type="button" onClick={() => setFilter({ actor: '', action: '' })}>
              Clear
            </button>
          )}
        </span>
      </form>
      <ErrorNotice error={entries.error} onRetry={entries.reload} />
      {entries.loading && <Loading what="Loading the audit log" />}
      {entries.data && list.length === 0 && <p className="muted">{filtered ? 'No entry matches.' : 'The audit log is empty.'}</p>}
      {list.length > 0 && (
        <>
          <p className="muted small">{formatNumber(list.length)} entries, newest first.</p>
          <div className="table-scroll">
            <table className="compact log-table">
              <caption className="visually-hidden">Audit log</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id}>
                    <td className="time">{formatTime(e.at)}</td>
                    <td>{e.actor}</td>
                    <td className="mono action">{e.action}</td>
                    <td className="mono small">{e.target}</td>
                    <td>
                      <Details details={e.details} />
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
