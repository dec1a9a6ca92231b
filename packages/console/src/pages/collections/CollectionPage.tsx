import type { Collection, Deployment } from '@patchday/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { CollectionDefinition } from './CollectionDefinition.tsx';
import { CollectionMembers } from './CollectionMembers.tsx';
import { MaintenanceWindows } from './MaintenanceWindows.tsx';
import './collections.css';

/** One collection: how it is made, its maintenance windows on a calendar strip, its members, the deployments to it. */
export default function CollectionPage() {
  const { collectionId = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const collection = useResource<Collection>(`/collections/${encodeURIComponent(collectionId)}`);
  const all = useResource<{ collections: Collection[] }>('/collections');
  const deployments = useResource<{ deployments: Deployment[] }>('/deployments');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
    setError(null);
    try {
      await api.delete(`/collections/${c.collectionId}`);
      navigate(paths.collections);
    } catch (e) {
      setError(errorMessage(e));
      setConfirming(false);
    }
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
          !c.builtIn && (
            <Can permission="manage">
              {confirming ? (
                <span className="confirm">
                  Delete {c.name} and its maintenance windows?
                  <button type="button" onClick={() => void remove()}>
                    Delete
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    Keep
                  </button>
                </span>
              ) : (
                <button type="button" onClick={() => setConfirming(true)}>
                  Delete collection
                </button>
              )}
            </Can>
          )
        }
      />
      <ErrorNotice error={error} />
      <MaintenanceWindows collectionId={c.collectionId} />
      <div className="grid-2">
        <CollectionMembers key={c.updatedAt} collection={c} onChanged={collection.reload} />
        <div className="stack">
          <CollectionDefinition collection={c} all={all.data?.collections ?? []} onChanged={collection.reload} />
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
