import type { Client } from '@patchday/core';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Pagination } from '../../components/Pagination.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { scanText } from './client-text.ts';

const PAGE = 50;

/** Every client the site knows: pending ones first (to approve), then by name, with when each last reported. */
export default function ClientsPage() {
  const api = useApi();
  const list = useResource<{ clients: Client[] }>('/clients', { pollMs: 60_000, refreshOn: ['clients', 'changes'] });
  const [params, setParams] = useSearchParams();
  const text = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const set = (next: Record<string, string>) => {
    const search = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) if (v) search.set(k, v);
    else search.delete(k);
    setParams(search, { replace: true });
  };
  const clients = useMemo(() => {
    const all = list.data?.clients ?? [];
    const needle = text.toLowerCase();
    return all
      .filter((c) => (!status || c.status === status) && (!needle || c.name.toLowerCase().includes(needle)))
      .sort((a, b) => (a.status === b.status ? 0 : a.status === 'pending' ? -1 : 1));
  }, [list.data, text, status]);
  const pending = (list.data?.clients ?? []).filter((c) => c.status === 'pending').length;

  const approve = async (c: Client) => {
    setBusy(c.clientId);
    setError(null);
    try {
      await api.post(`/clients/${c.clientId}/approve`);
      list.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageHeader
        title="Clients"
        description={
          <>
            The machines the site manages.{' '}
            {pending > 0 && <span className="tag tag-warn">{formatNumber(pending)} waiting for approval</span>}
          </>
        }
      />
      <form className="filters" aria-label="Filter clients" onSubmit={(e) => e.preventDefault()}>
        <label>
          Name contains
          <input type="search" value={text} onChange={(e) => set({ q: e.target.value, page: '' })} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => set({ status: e.target.value, page: '' })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="pending">Waiting for approval</option>
          </select>
        </label>
      </form>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      <ErrorNotice error={error} />
      {list.loading && <Loading what="Loading clients" />}
      {list.data && <Pagination label="clients" page={page} pageSize={PAGE} total={clients.length} onPage={(p) => set({ page: String(p) })} />}
      {clients.length > 0 && (
        <div className="table-scroll">
          <table className="compact">
            <caption className="visually-hidden">Clients</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Status</th>
                <th scope="col">Enrolled</th>
                <th scope="col">Last policy</th>
                <th scope="col">Last scan</th>
                <th scope="col">Last state message</th>
              </tr>
            </thead>
            <tbody>
              {clients.slice((page - 1) * PAGE, page * PAGE).map((c) => (
                <tr key={c.clientId}>
                  <td>
                    <Link to={paths.client(c.clientId)}>{c.name}</Link>
                  </td>
                  <td>
                    {c.status === 'active' ? (
                      'active'
                    ) : (
                      <>
                        <span className="tag tag-warn">waiting for approval</span>
                        <Can permission="administer">
                          <button type="button" className="link-button" disabled={busy === c.clientId} aria-label={`Approve ${c.name}`} onClick={() => void approve(c)}>
                            Approve
                          </button>
                        </Can>
                      </>
                    )}
                  </td>
                  <td>{formatTime(c.enrolledAt)}</td>
                  <td>{formatTime(c.lastPolicyAt)}</td>
                  <td className={c.lastScan?.error ? 'error-text' : undefined}>{scanText(c.lastScan)}</td>
                  <td>{formatTime(c.lastStateMessageAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
