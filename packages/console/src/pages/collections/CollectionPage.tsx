import type { Collection, Deployment } from '@patchday/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { ConfirmButton } from '../software-updates/ConfirmButton.tsx';
import { useAction } from '../software-updates/use-action.ts';
import { CollectionDefinition } from './CollectionDefinition.tsx';
import { CollectionMembers } from './CollectionMembers.tsx';
import { CollectionSettings } from './CollectionSettings.tsx';
import { EditCollection } from './EditCollection.tsx';
import { MaintenanceWindows } from './MaintenanceWindows.tsx';
import './collections.css';

/** One collection: how it is made (edited in place), its client settings, its maintenance windows on a calendar strip, its members, the deployments to it. */
export default function CollectionPage() {
  const { collectionId = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const collection = useResource<Collection>(`/collections/${encodeURIComponent(collectionId)}`);
  const all = useResource<{ collections: Collection[] }>('/collections');
  const deployments = useResource<{ deployments: Deployment[] }>('/deployments');
  const action = useAction();
  const [editing, setEditing] = useState(false);
  // A new definition may change the members: the list loads afresh (adding or removing members reloads it itself).
  const [definitionVersion, setDefinitionVersion] = useState(0);
  const c = collection.data;

  if (collection.error && !c) {
    return (
      <>
        <PageHeader title="Collection" />
        <ErrorNotice error={collection.error} onRetry={collection.reload} />
        <Link to={paths.collections}>Back to collections</Link>
      </>
    );
  }
  if (!c) return <Loading what="Loading the collection" />;

  const remove = async () => {
    if (await action.run(() => api.delete(`/collections/${c.collectionId}`))) navigate(paths.collections);
  };
  const definitionChanged = () => {
    setDefinitionVersion((v) => v + 1);
    collection.reload();
    all.reload();
  };
  const closeEdit = (saved: boolean) => {
    setEditing(false);
    if (saved) definitionChanged();
  };
  const targeting = (deployments.data?.deployments ?? []).filter((d) => d.collectionId === c.collectionId);

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.collections}>Collections</Link> › <span>{c.name}</span>
      </nav>
      <PageHeader
        title={c.name}
        description={
          <>
            {c.builtIn && <span className="tag">built in</span>}
            {c.description || <span className="muted">No description.</span>} <span className="muted small">Last changed {formatTime(c.updatedAt)}.</span>
          </>
        }
        actions={
          <Can permission="manage">
            <button type="button" onClick={() => (action.clear(), setEditing(true))} disabled={editing}>
              Edit collection
            </button>
            {!c.builtIn && (
              <ConfirmButton label="Delete collection" question={`Delete ${c.name} and its maintenance windows?`} confirmLabel="Yes, delete" onConfirm={() => void remove()} disabled={action.busy} />
            )}
          </Can>
        }
      />
      <ErrorNotice error={action.error} />
      {editing && <EditCollection collection={c} all={all.data?.collections ?? []} onClose={closeEdit} />}
      <MaintenanceWindows collectionId={c.collectionId} />
      <div className="grid-2">
        <CollectionMembers key={definitionVersion} collection={c} onChanged={collection.reload} />
        <div className="stack">
          <CollectionDefinition collection={c} all={all.data?.collections ?? []} onChanged={definitionChanged} />
          <CollectionSettings collection={c} onChanged={collection.reload} />
          <section className="card" aria-labelledby="collection-deployments">
            <h2 id="collection-deployments">Deployments to it</h2>
            <ErrorNotice error={deployments.error} onRetry={deployments.reload} />
            {deployments.data && targeting.length === 0 && <p className="muted">None.</p>}
            {targeting.length > 0 && (
              <ul className="plain-list">
                {targeting.map((d) => (
                  <li key={d.deploymentId}>
                    <Link to={paths.deployment(d.deploymentId)}>{d.name}</Link> <span className="muted small">({d.groupName})</span>
                    {!d.enabled && <span className="tag tag-warn">disabled</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </>
  );
}
