import type { UpdateContentStatus, UpdateDetail } from '@patchday/core';
import { Link, useParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { UpdateClients } from './UpdateClients.tsx';

/** One update: all its metadata (§2), supersedence, revisions, where its files are (§6.1), who needs it (§9). */
export default function UpdatePage() {
  const { updateId = '' } = useParams();
  const detail = useResource<UpdateDetail>(`/updates/${encodeURIComponent(updateId)}`, { refreshOn: ['sync'] });
  const content = useResource<UpdateContentStatus>(`/updates/${encodeURIComponent(updateId)}/content`, { refreshOn: ['content', 'changes'] });
  const u = detail.data;

  if (detail.error && !u) {
    return (
      <>
        <PageHeader title="Update" />
        <ErrorNotice error={detail.error} onRetry={detail.reload} />
        <Link to={paths.allUpdates}>Back to all updates</Link>
      </>
    );
  }
  if (!u) return <Loading what="Loading the update" />;

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.allUpdates}>All updates</Link> › <span>{u.title}</span>
      </nav>
      <PageHeader
        title={u.title}
        description={
          <>
            <span className="tag">{u.classification}</span>
            <span className="tag">{u.severity}</span>
            {u.superseded && <span className="tag">superseded</span>}
            {u.expired && <span className="tag tag-warn">expired: cannot be deployed</span>}
            {!u.present && <span className="tag">no longer published upstream</span>}
          </>
        }
      />
      <div className="grid-2">
        <section className="card" aria-labelledby="metadata">
          <h2 id="metadata">Metadata</h2>
          <dl className="properties">
            <dt>Update id</dt>
            <dd className="mono">{u.updateId}</dd>
            <dt>Revision</dt>
            <dd>{u.revision}</dd>
            <dt>Product</dt>
            <dd>{u.product}</dd>
            <dt>Suite</dt>
            <dd>{u.suite}</dd>
            <dt>Source package</dt>
            <dd className="mono">
              {u.source} {u.version}
            </dd>
            <dt>Vendor</dt>
            <dd>{u.vendor}</dd>
            <dt>Released</dt>
            <dd>{formatTime(u.releaseDate)}</dd>
            <dt>Advisory</dt>
            <dd>{u.advisoryId ?? '—'}</dd>
            <dt>CVEs</dt>
            <dd>{u.cveIds.length ? u.cveIds.join(', ') : '—'}</dd>
            <dt>References</dt>
            <dd>
              {u.referenceUrls.length
                ? u.referenceUrls.map((url) => (
                    <div key={url}>
                      <a href={url} rel="noreferrer noopener" target="_blank">
                        {url}
                      </a>
                    </div>
                  ))
                : '—'}
            </dd>
            <dt>Restart</dt>
            <dd>{u.rebootBehaviour}</dd>
            <dt>Licence terms to accept</dt>
            <dd>{u.eula ? 'yes' : 'no'}</dd>
            <dt>Language</dt>
            <dd>{u.language}</dd>
            <dt>Upstream</dt>
            <dd>{u.upstream}</dd>
            <dt>First seen</dt>
            <dd>{formatTime(u.firstSeenAt)}</dd>
            <dt>Last changed</dt>
            <dd>
              {formatTime(u.lastChangedAt)} (catalogue sequence {u.changeSeq})
            </dd>
          </dl>
          {u.description && <p className="description">{u.description}</p>}
        </section>
        <div className="stack">
          <ContentStatus content={content.data} error={content.error} />
          <section className="card" aria-labelledby="supersedence">
            <h2 id="supersedence">Supersedence</h2>
            <p>
              {u.supersededByUpdate ? (
                <>
                  Superseded by <Link to={paths.update(u.supersededByUpdate.updateId)}>{u.supersededByUpdate.title}</Link>
                  {u.supersededAt && ` since ${formatTime(u.supersededAt)}`}.
                </>
              ) : u.superseded ? (
                'Superseded.'
              ) : (
                'Not superseded: this is the newest update of its source package in its product.'
              )}
            </p>
            {u.supersedes.length > 0 && (
              <>
                <h3>Supersedes</h3>
                <ul>
                  {u.supersedes.map((s) => (
                    <li key={s.updateId}>
                      <Link to={paths.update(s.updateId)}>{s.title}</Link>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section className="card" aria-labelledby="revisions">
            <h2 id="revisions">Revisions</h2>
            <table className="compact">
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">When</th>
                  <th scope="col">What changed</th>
                </tr>
              </thead>
              <tbody>
                {u.revisions.map((r) => (
                  <tr key={r.revision}>
                    <td>{r.revision}</td>
                    <td>{formatTime(r.at)}</td>
                    <td>{r.changes.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      </div>
      <UpdateClients updateId={u.updateId} />
      <section className="card" aria-labelledby="files">
        <h2 id="files">Files ({u.binaries.length})</h2>
        <div className="table-scroll">
          <table className="compact">
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">Architecture</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">File</th>
              </tr>
            </thead>
            <tbody>
              {u.binaries.map((b) => (
                <tr key={`${b.package}:${b.architecture}`}>
                  <td className="mono">{b.package}</td>
                  <td className="mono">{b.version}</td>
                  <td>{b.architecture}</td>
                  <td className="num">{formatBytes(b.size)}</td>
                  <td className="mono small" title={`sha256 ${b.sha256}`}>
                    {b.filename.split('/').pop()}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** §6.1 in red when no deployment package holds every file: clients could not install it. */
function ContentStatus({ content, error }: { content: UpdateContentStatus | undefined; error: string | null }) {
  return (
    <section className={`card ${content && !content.hasContent ? 'card-red' : ''}`} aria-labelledby="content-status" data-testid="content-status">
      <h2 id="content-status">Content</h2>
      <ErrorNotice error={error} />
      {content &&
        (content.hasContent ? (
          <p>Its files are in a deployment package: clients can install it from a distribution point that holds the package.</p>
        ) : (
          <p className="error-text">Its files are in no deployment package: clients cannot install it until they are downloaded into one.</p>
        ))}
      {content && content.packages.length > 0 && (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Deployment package</th>
              <th scope="col" className="num">
                Content version
              </th>
              <th scope="col" className="num">
                Files stored
              </th>
            </tr>
          </thead>
          <tbody>
            {content.packages.map((p) => (
              <tr key={p.packageId} className={p.complete ? undefined : 'row-error'}>
                <td>{p.name}</td>
                <td className="num">{p.contentVersion}</td>
                <td className="num">
                  {p.stored} of {p.files}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
