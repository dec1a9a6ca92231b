import type { Collection } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { formatNumber } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { useAction } from '../software-updates/use-action.ts';
import { CollectionFields, draftOfCollection } from './CollectionFields.tsx';
import './collections.css';

/** Every collection (§1) with its members, rules and settings at a glance; a new one for those who may. */
export default function CollectionsPage() {
  const list = useResource<{ collections: Collection[] }>('/collections', { refreshOn: ['clients', 'changes'] });
  const collections = list.data?.collections ?? [];
  const nameOf = new Map(collections.map((c) => [c.collectionId, c.name]));
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Collections"
        description="Sets of clients: deployments, maintenance windows and client settings are assigned to them."
        actions={
          <Can permission="manage">
            <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
              New collection
            </button>
          </Can>
        }
      />
      {creating && <NewCollection collections={collections} onCancel={() => setCreating(false)} />}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && <Loading what="Loading collections" />}
      {collections.length > 0 && (
        <div className="table-scroll">
          <table className="compact">
            <caption className="visually-hidden">Collections</caption>
            <thead>
              <tr>
                <th scope="col">Collection</th>
                <th scope="col" className="num">
                  Members
                </th>
                <th scope="col" className="num">
                  Direct
                </th>
                <th scope="col" className="num">
                  Query rules
                </th>
                <th scope="col">Limited to</th>
                <th scope="col">Includes / excludes</th>
                <th scope="col">Client settings</th>
              </tr>
            </thead>
            <tbody>
              {collections.map((c) => (
                <tr key={c.collectionId}>
                  <td>
                    <Link to={paths.collection(c.collectionId)}>{c.name}</Link>
                    {c.builtIn && <span className="tag">built in</span>}
                    {c.description && <div className="muted small">{c.description}</div>}
                  </td>
                  <td className="num">{formatNumber(c.memberCount)}</td>
                  <td className="num">{formatNumber(c.directMemberCount)}</td>
                  <td className="num">{c.queryRules.length}</td>
                  <td>{c.limitingCollectionId ? (nameOf.get(c.limitingCollectionId) ?? c.limitingCollectionId) : '—'}</td>
                  <td>
                    {c.includeCollectionIds.length} / {c.excludeCollectionIds.length}
                  </td>
                  <td>{Object.keys(c.clientSettings).length ? `${Object.keys(c.clientSettings).length} (priority ${c.settingsPriority})` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** What makes the collection; rules, windows, members and client settings come on its own page. */
function NewCollection({ collections, onCancel }: { collections: Collection[]; onCancel(): void }) {
  const api = useApi();
  const navigate = useNavigate();
  const action = useAction();
  const [draft, setDraft] = useState(() => draftOfCollection(null));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api.post<Collection>('/collections', { ...draft, name: draft.name.trim() }));
    if (created) navigate(paths.collection(created.collectionId));
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="New collection">
      <CollectionFields value={draft} onChange={setDraft} others={collections} />
      <FormButtons submit="Create collection" busy={action.busy} onCancel={onCancel} />
      <ErrorNotice error={action.error} />
    </form>
  );
}
