import type { Client, Collection, CollectionMembers as Members } from '@patchday/core';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { errorMessage, queryString } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../components/format.ts';
import { Pagination } from '../../components/Pagination.tsx';
import { useResource } from '../../hooks/useResource.ts';

const PAGE = 50;

/**
 * A collection's members, each direct (named by a direct-membership rule) or there by a query rule
 * or an included collection; and the direct-membership rules, which may name clients that are not
 * members (pending, excluded, outside the limiting collection). Direct members are added by name.
 */
export function CollectionMembers({ collection, onChanged }: { collection: Collection; onChanged(): void }) {
  const api = useApi();
  const [listing, setListing] = useState<'members' | 'direct'>('members');
  const [page, setPage] = useState(1);
  const members = useResource<Members>(`/collections/${collection.collectionId}/members${queryString({ direct: listing === 'direct' ? 'true' : undefined, limit: PAGE, offset: (page - 1) * PAGE })}`, { keepPrevious: true });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await work());
      members.reload();
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = (clientId: string, name: string) =>
    act(async () => {
      const r = await api.delete<{ stillMember: boolean }>(`/collections/${collection.collectionId}/members/${clientId}`);
      return r.stillMember ? `${name} is no longer a direct member, but a query rule or an included collection still holds it.` : `${name} is no longer a member.`;
    });

  const m = members.data;
  return (
    <section className="card" aria-labelledby="collection-members">
      <h2 id="collection-members">
        Members ({formatNumber(collection.memberCount)}, {formatNumber(collection.directMemberCount)} direct)
      </h2>
      {!collection.builtIn && (
        <label className="inline">
          Show
          <select
            value={listing}
            onChange={(e) => {
              setListing(e.target.value as 'members' | 'direct');
              setPage(1);
            }}
          >
            <option value="members">the members</option>
            <option value="direct">the direct-membership rules</option>
          </select>
        </label>
      )}
      <ErrorNotice error={members.error} onRetry={members.reload} />
      {m && m.total === 0 && <p className="muted">{listing === 'direct' ? 'No direct members.' : 'No members.'}</p>}
      {m && m.total > 0 && (
        <table className="compact">
          <caption className="visually-hidden">{listing === 'direct' ? 'Direct-membership rules' : 'Members'}</caption>
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Status</th>
              <th scope="col">Membership</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {m.members.map((c) => (
              <tr key={c.clientId}>
                <td>
                  <Link to={paths.client(c.clientId)}>{c.name}</Link>
                </td>
                <td>{c.status === 'pending' ? <span className="tag tag-warn">pending approval</span> : 'active'}</td>
                <td>
                  {collection.builtIn ? 'every active client' : c.direct ? 'direct' : 'by a query rule or an included collection'}
                  {!c.member && <span className="tag tag-warn">not a member now</span>}
                </td>
                <td>
                  {c.direct && (
                    <Can permission="manage">
                      <button type="button" className="link-button" disabled={busy} aria-label={`Remove ${c.name}`} onClick={() => void remove(c.clientId, c.name)}>
                        Remove
                      </button>
                    </Can>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {m && m.total > PAGE && <Pagination label={listing === 'direct' ? 'direct members' : 'members'} page={page} pageSize={PAGE} total={m.total} onPage={setPage} />}
      <ErrorNotice error={error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {!collection.builtIn && (
        <Can permission="manage">
          <AddMembers busy={busy} onAdd={(clientIds, names) => void act(async () => {
            const r = await api.post<{ added: string[]; alreadyDirect: string[] }>(`/collections/${collection.collectionId}/members`, { clientIds });
            return r.added.length ? `Added ${names.join(', ')} as direct member${names.length === 1 ? '' : 's'}.` : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} a direct member already.`;
          })} />
        </Can>
      )}
    </section>
  );
}

/** Direct members by name (comma-separated), resolved against the site's clients. */
function AddMembers({ busy, onAdd }: { busy: boolean; onAdd(clientIds: string[], names: string[]): void }) {
  const clients = useResource<{ clients: Client[] }>('/clients');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const byName = useMemo(() => new Map(clients.data?.clients.map((c) => [c.name.toLowerCase(), c])), [clients.data]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const names = text.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !byName.has(n.toLowerCase()));
    if (names.length === 0) return setProblem('Name a client to add.');
    if (unknown.length) return setProblem(`No client is named ${unknown.join(', ')}.`);
    setProblem(null);
    const found = names.map((n) => byName.get(n.toLowerCase())!);
    onAdd(found.map((c) => c.clientId), found.map((c) => c.name));
    setText('');
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add direct members">
      <label>
        Add clients by name
        <input className="medium" list={`${id}-clients`} value={text} placeholder="web-3, web-4" onChange={(e) => setText(e.target.value)} />
        <datalist id={`${id}-clients`}>
          {clients.data?.clients.map((c) => <option key={c.clientId} value={c.name} />)}
        </datalist>
      </label>
      <button type="submit" disabled={busy || !clients.data}>
        Add
      </button>
      <ErrorNotice error={problem ?? clients.error} />
    </form>
  );
}
