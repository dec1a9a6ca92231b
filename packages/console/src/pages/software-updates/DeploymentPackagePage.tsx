import type { ContentRemoval, DeploymentPackageDetail } from '@patchday/core';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { queryString } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { useApi, useSession } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes, formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Pagination } from '../../components/Pagination.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { ContentJobProgress } from './ContentJobProgress.tsx';
import { DownloadContentForm, downloadNotice } from './DownloadContentForm.tsx';
import { EditNameForm } from './EditNameForm.tsx';
import { PackageDistribution } from './PackageDistribution.tsx';
import './software-library.css';
import { useAction } from './use-action.ts';

/**
 * One deployment package (§6.1): its content and content version, downloads into it with live
 * progress, removing content, and its distribution to distribution points.
 */
export default function DeploymentPackagePage() {
  const { packageId = '' } = useParams();
  const api = useApi();
  const { can } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = Math.max(1, Number(params.get('pageSize')) || 50);
  const detail = useResource<DeploymentPackageDetail>(`/packages/${encodeURIComponent(packageId)}${queryString({ page, pageSize })}`, {
    keepPrevious: true,
    pollMs: 1000,
    liveWhile: (p) => p?.job?.state === 'running',
    refreshOn: ['content', 'changes'],
  });
  const action = useAction();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const [downloading, setDownloading] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const manage = can('manage');

  const p = detail.data;
  if (!p) {
    return (
      <>
        <PageHeader title="Deployment package" />
        <ErrorNotice error={detail.error} onRetry={detail.reload} />
        {detail.error ? <Link to={paths.deploymentPackages}>Back to deployment packages</Link> : <Loading what="Loading the deployment package" />}
      </>
    );
  }
  const running = p.job?.state === 'running';

  const removeTicked = async () => {
    const removal = await action.run(() => api.delete<ContentRemoval>(`/packages/${p.packageId}/content`, { updateIds: [...ticked] }));
    if (!removal) return;
    setTicked(new Set());
    setNotice(`Removed ${formatNumber(removal.removedFiles)} file${removal.removedFiles === 1 ? '' : 's'}; content version ${removal.package.contentVersion}.`);
    detail.reload();
  };
  const remove = async () => {
    if (await action.run(() => api.delete(`/packages/${p.packageId}`))) navigate(paths.deploymentPackages);
  };
  const tick = (updateId: string, on: boolean) =>
    setTicked((current) => {
      const next = new Set(current);
      if (on) next.add(updateId);
      else next.delete(updateId);
      return next;
    });
  const go = (next: { page?: number; pageSize?: number }) => {
    const merged = { page, pageSize, ...next };
    setParams(new URLSearchParams(queryString({ page: merged.page === 1 ? undefined : merged.page, pageSize: merged.pageSize === 50 ? undefined : merged.pageSize })));
  };

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.deploymentPackages}>Deployment packages</Link> › <span>{p.name}</span>
      </nav>
      <PageHeader
        title={p.name}
        description={
          <>
            <span className="tag" data-testid="content-version">
              content version {p.contentVersion}
            </span>
            {p.description}
          </>
        }
        actions={
          manage && (
            <>
              <button type="button" className="primary" onClick={() => setDownloading(true)} disabled={downloading || running}>
                Download content
              </button>
              <button type="button" onClick={() => setRenaming(true)} disabled={renaming}>
                Rename
              </button>
              <ConfirmButton label="Delete package" question={`Delete ${p.name} and its files?`} confirmLabel="Yes, delete" onConfirm={() => void remove()} disabled={running} />
            </>
          )
        }
      />
      {notice && (
        <p className="success-notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNotice error={action.error ?? detail.error} />
      {renaming && (
        <EditNameForm
          what="deployment package"
          path={`/packages/${p.packageId}`}
          current={p}
          onClose={(saved) => {
            setRenaming(false);
            if (saved) detail.reload();
          }}
        />
      )}
      {downloading && (
        <DownloadContentForm
          packageId={p.packageId}
          onCancel={() => setDownloading(false)}
          onStarted={(started) => {
            setDownloading(false);
            setNotice(downloadNotice(started));
            detail.reload();
          }}
        />
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="package-properties">
          <h2 id="package-properties">Package</h2>
          <dl className="properties">
            <dt>Package id</dt>
            <dd className="mono">{p.packageId}</dd>
            <dt>Source folder</dt>
            <dd className="mono">{p.sourceFolder}</dd>
            <dt>Content version</dt>
            <dd>{p.contentVersion}</dd>
            <dt>Updates</dt>
            <dd>
              {formatNumber(p.updates.complete)} of {formatNumber(p.updates.total)} complete
            </dd>
            <dt>Files</dt>
            <dd>
              {formatNumber(p.files.stored)} of {formatNumber(p.files.total)} stored
              {p.files.pending > 0 && `, ${formatNumber(p.files.pending)} pending`}
              {p.files.failed > 0 && <span className="count-red">, {formatNumber(p.files.failed)} failed</span>}
            </dd>
            <dt>Size</dt>
            <dd>
              {formatBytes(p.bytes.stored)} of {formatBytes(p.bytes.total)}
            </dd>
            <dt>Created</dt>
            <dd>
              {formatTime(p.createdAt)} by {p.createdBy}
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="download">
          <h2 id="download">Download</h2>
          {p.job ? <ContentJobProgress job={p.job} /> : <p className="muted">Nothing downloaded into this package yet.</p>}
        </section>
      </div>
      <PackageDistribution packageId={p.packageId} manage={manage} downloading={running} />
      <section aria-labelledby="content">
        <div className="form-row">
          <h2 id="content">Content</h2>
          {manage && ticked.size > 0 && (
            <ConfirmButton
              label={`Remove the content of ${formatNumber(ticked.size)} ticked update${ticked.size === 1 ? '' : 's'}`}
              question="Remove their files from the package?"
              confirmLabel="Yes, remove"
              onConfirm={() => void removeTicked()}
              disabled={running || action.busy}
            />
          )}
        </div>
        <Pagination label="updates" page={p.content.page} pageSize={p.content.pageSize} total={p.content.total} onPage={(n) => go({ page: n })} onPageSize={(size) => go({ pageSize: size, page: 1 })} />
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Updates in {p.name}</caption>
            <thead>
              <tr>
                {manage && (
                  <th scope="col">
                    <span className="visually-hidden">Tick</span>
                  </th>
                )}
                <th scope="col">Update</th>
                <th scope="col" className="num">Files stored</th>
                <th scope="col" className="num">Pending</th>
                <th scope="col" className="num">Failed</th>
                <th scope="col" className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {p.content.updates.map((u) => (
                <tr key={u.updateId} className={u.files.failed ? 'row-error' : ticked.has(u.updateId) ? 'selected' : undefined}>
                  {manage && (
                    <td>
                      <input type="checkbox" aria-label={`Tick ${u.title}`} checked={ticked.has(u.updateId)} onChange={(e) => tick(u.updateId, e.target.checked)} />
                    </td>
                  )}
                  <td>
                    <Link to={paths.update(u.updateId)}>{u.title}</Link>
                    {u.expired && <span className="tag tag-warn">expired</span>}
                    {u.failures.map((f) => (
                      <div key={f.sha256} className="error-text small">
                        {f.fileName}: {f.error}
                      </div>
                    ))}
                  </td>
                  <td className="num">
                    {formatNumber(u.files.stored)} of {formatNumber(u.files.total)}
                  </td>
                  <td className="num">{formatNumber(u.files.pending)}</td>
                  <td className="num">{formatNumber(u.files.failed)}</td>
                  <td className="num">{formatBytes(u.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {p.content.total === 0 && <p className="muted">No content yet: download the files of an update group into it.</p>}
      </section>
    </>
  );
}
