import type { ClientCollections as Memberships, Collection, UpcomingWindows } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';
import { collectionOptions } from '../collections/CollectionFields.tsx';
import { useAction } from '../software-updates/use-action.ts';

/** The collections a client is in (direct or not, settings priority), its next service windows, and adding it to a collection. */
export function ClientCollections({ clientId, name }: { clientId: string; name: string }) {
  const collections = useResource<Memberships>(`/clients/${clientId}/collections`);
  const windows = useResource<UpcomingWindows>(`/clients/${clientId}/maintenance-windows/next?count=5`);
  return (
    <section className="card" aria-labelledby="client-collections">
      <h2 id="client-collections">Collections and maintenance windows</h2>
      <ErrorNotice error={collections.error ?? windows.error} />
      {collections.data && (
        <ul className="plain-list">
          {collections.data.collections.map((m) => (
            <li key={m.collectionId}>
              <Link to={paths.collection(m.collectionId)}>{m.name}</Link>
              {m.direct && <span className="tag">direct</span>}
              {m.settingsPriority !== null && <span className="tag">settings priority {m.settingsPriority}</span>}
            </li>
          ))}
          {collections.data.collections.length === 0 && <li className="muted">In no collection.</li>}
        </ul>
      )}
      {collections.data && (
        <Can permission="manage">
          <AddToCollection
            clientId={clientId}
            name={name}
            direct={collections.data.collections.filter((m) => m.direct).map((m) => m.collectionId)}
            onAdded={() => {
              collections.reload();
              windows.reload();
            }}
          />
        </Can>
      )}
      {windows.data && (
        <>
          <h3>Next service windows</h3>
          {windows.data.sources.length === 0 ? (
            <p className="muted">None of its collections has a maintenance window: installs may happen at any time.</p>
          ) : windows.data.windows.length === 0 ? (
            <p className="muted">Its windows are all disabled.</p>
          ) : (
            <ul className="plain-list">
              {windows.data.windows.map((w) => (
                <li key={w.start}>
                  {formatTime(w.start)} to {formatTime(w.end)} <span className="muted small">({w.durationMinutes} min)</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** The client as a direct member of a collection it is not directly in (All Systems has no direct members). */
function AddToCollection({ clientId, name, direct, onAdded }: { clientId: string; name: string; direct: string[]; onAdded(): void }) {
  const api = useApi();
  const action = useAction();
  const all = useResource<{ collections: Collection[] }>('/collections');
  const [chosen, setChosen] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const choices = (all.data?.collections ?? []).filter((c) => !c.builtIn && !direct.includes(c.collectionId));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const target = choices.find((c) => c.collectionId === chosen);
    if (!target) return;
    setNotice(null);
    if (await action.run(() => api.post(`/collections/${target.collectionId}/members`, { clientIds: [clientId] }))) {
      setNotice(`${name} is now a direct member of ${target.name}.`);
      setChosen('');
      onAdded();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add to a collection">
      <label>
        Add to collection
        <select value={chosen} onChange={(e) => setChosen(e.target.value)} required>
          <option value="">{choices.length ? 'Choose a collection…' : 'No other collection'}</option>
          {collectionOptions(choices)}
        </select>
      </label>
      <button type="submit" disabled={action.busy || choices.length === 0}>
        Add as direct member
      </button>
      <ErrorNotice error={action.error ?? all.error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
    </form>
  );
}
