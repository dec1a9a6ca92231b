import type { UpdateGroupChange, UpdateGroupDetail } from '@patchday/core';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { useApi, useSession } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatDate, formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Pagination } from '../../components/Pagination.tsx';
import { queryString } from '../../api/client.ts';
import { useResource } from '../../hooks/useResource.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { changeNotice } from './CreateGroupFromUpdates.tsx';
import { DownloadContentForm, downloadNotice } from './DownloadContentForm.tsx';
import { EditNameForm } from './EditNameForm.tsx';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';
import { useAction } from './use-action.ts';
import { clearUpdateSelection, selectedUpdateIds, useUpdateSelection } from './update-selection.ts';

const flags = { '': 'All members', expired: 'Expired', superseded: 'Superseded', withoutContent: 'Without content' } as const;
type Flag = keyof typeof flags;

/**
 * One update group (§6.2): its members, paged, with their flags; add the updates ticked on All
 * updates, remove ticked members; download its content into a package; deploy it.
 */
export default function UpdateGroupPage() {
  const { groupId = '' } = useParams();
  const api = useApi();
  const { can } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = Math.max(1, Number(params.get('pageSize')) || 50);
  const flag = (params.get('flag') ?? '') as Flag;
  const detail = useResource<UpdateGroupDetail>(`/update-groups/${encodeURIComponent(groupId)}${queryString({ page, pageSize, flag: flag || undefined })}`, { keepPrevious: true });
  const action = useAction();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const [downloading, setDownloading] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const selection = useUpdateSelection();
  const manage = can('manage');

  const go = (next: { page?: number; pageSize?: number; flag?: Flag }) => {
    const merged = { page, pageSize, flag, ...next };
    setParams(new URLSearchParams(queryString({ page: merged.page === 1 ? undefined : merged.page, pageSize: merged.pageSize === 50 ? undefined : merged.pageSize, flag: merged.flag || undefined })));
  };

  const g = detail.data;
  if (!g) {
    return (
      <>
        <PageHeader title="Update group" />
        <ErrorNotice error={detail.error} onRetry={detail.reload} />
        {detail.error ? <Link to={paths.updateGroups}>Back to update groups</Link> : <Loading what="Loading the update group" />}
      </>
    );
  }

  const addSelected = async () => {
    const change = await action.run(() => api.post<UpdateGroupChange>(`/update-groups/${g.groupId}/updates`, { updateIds: selectedUpdateIds() }));
    if (!change) return;
    clearUpdateSelection();
    setNotice(changeNotice('Added', change));
    detail.reload();
  };
  const removeTicked = async () => {
    const change = await action.run(() => api.delete<UpdateGroupChange>(`/update-groups/${g.groupId}/updates`, { updateIds: [...ticked] }));
    if (!change) return;
    setTicked(new Set());
    setNotice(`Removed ${formatNumber(change.removed)} update${change.removed === 1 ? '' : 's'}.`);
    detail.reload();
  };
  const remove = async () => {
    if (await action.run(() => api.delete(`/update-groups/${g.groupId}`))) navigate(paths.updateGroups);
  };
  const tick = (updateId: string, on: boolean) =>
    setTicked((current) => {
      const next = new Set(current);
      if (on) next.add(updateId);
      else next.delete(updateId);
      return next;
    });
  const members = g.members.updates;
  const allTicked = members.length > 0 && members.every((m) => ticked.has(m.updateId));

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.updateGroups}>Update groups</Link> › <span>{g.name}</span>
      </nav>
      <PageHeader
        title={g.name}
        description={g.description || `Created by ${g.createdBy} ${formatTime(g.createdAt)}`}
        actions={
          manage && (
            <>
              <Link className="button primary" to={libraryPaths.deployWizard(g.groupId)}>
                Deploy
              </Link>
              <button type="button" onClick={() => setDownloading(true)} disabled={downloading}>
                Download content
              </button>
              <button type="button" onClick={() => setRenaming(true)} disabled={renaming}>
                Rename
              </button>
              <ConfirmButton label="Delete group" question={`Delete ${g.name}?`} confirmLabel="Yes, delete" onConfirm={() => void remove()} />
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
      <div className="cards cards-5">
        <Stat label="Updates" value={g.counts.updates} />
        <Stat label="Expired" value={g.counts.expired} red={g.counts.expired > 0} hint="never deployed" />
        <Stat label="Superseded" value={g.counts.superseded} />
        <Stat label="Without content" value={g.counts.withoutContent} red={g.counts.withoutContent > 0} hint="files in no deployment package" />
        <Stat label="Deployments" value={g.deployments} />
      </div>
      {renaming && (
        <EditNameForm
          what="update group"
          path={`/update-groups/${g.groupId}`}
          current={g}
          onClose={(saved) => {
            setRenaming(false);
            if (saved) detail.reload();
          }}
        />
      )}
      {downloading && (
        <DownloadContentForm
          groupId={g.groupId}
          onCancel={() => setDownloading(false)}
          onStarted={(started) => navigate(libraryPaths.deploymentPackage(started.package.packageId), { state: { notice: downloadNotice(started) } })}
        />
      )}
      {manage && (
        <div className="selection-bar">
          {selection.size > 0 ? (
            <button type="button" onClick={() => void addSelected()} disabled={action.busy}>
              Add the {formatNumber(selection.size)} update{selection.size === 1 ? '' : 's'} selected on All updates
            </button>
          ) : (
            <span>
              To add updates, tick them on <Link to={paths.allUpdates}>All updates</Link> and come back.
            </span>
          )}
          {ticked.size > 0 && (
            <button type="button" onClick={() => void removeTicked()} disabled={action.busy}>
              Remove {formatNumber(ticked.size)} ticked update{ticked.size === 1 ? '' : 's'} from the group
            </button>
          )}
        </div>
      )}
      <section aria-labelledby="members">
        <div className="form-row">
          <h2 id="members">Members</h2>
          <label className="inline">
            Show
            <select value={flag} onChange={(e) => go({ flag: e.target.value as Flag, page: 1 })}>
              {Object.entries(flags).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <Pagination label="members" page={g.members.page} pageSize={g.members.pageSize} total={g.members.total} onPage={(p) => go({ page: p })} onPageSize={(size) => go({ pageSize: size, page: 1 })} />
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Members of {g.name}</caption>
            <thead>
              <tr>
                {manage && (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Tick every member on this page"
                      checked={allTicked}
                      onChange={(e) => setTicked(e.target.checked ? new Set(members.map((m) => m.updateId)) : new Set())}
                    />
                  </th>
                )}
                <th scope="col">Title</th>
                <th scope="col">Product</th>
                <th scope="col">Classification</th>
                <th scope="col">Severity</th>
                <th scope="col">Released</th>
                <th scope="col" className="num">Packages</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.updateId} className={ticked.has(m.updateId) ? 'selected' : undefined}>
                  {manage && (
                    <td>
                      <input type="checkbox" aria-label={`Tick ${m.title}`} checked={ticked.has(m.updateId)} onChange={(e) => tick(m.updateId, e.target.checked)} />
                    </td>
                  )}
                  <td>
                    <Link to={paths.update(m.updateId)}>{m.title}</Link>
                    {m.superseded && <span className="tag">superseded</span>}
                    {m.expired && <span className="tag tag-warn">expired</span>}
                    {m.withoutContent && (
                      <span className="tag tag-red" title="No deployment package holds this update's files">
                        no content
                      </span>
                    )}
                  </td>
                  <td>{m.product}</td>
                  <td>{m.classification}</td>
                  <td>{m.severity}</td>
                  <td>{formatDate(m.releaseDate)}</td>
                  <td className="num">{formatNumber(m.packages)}</td>
                  <td>{formatTime(m.addedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {g.members.total === 0 && <p className="muted">{flag ? 'No member has this flag.' : 'The group has no updates yet.'}</p>}
      </section>
    </>
  );
}

function Stat({ label, value, red, hint }: { label: string; value: number; red?: boolean; hint?: string }) {
  return (
    <section className={`card stat${red ? ' card-red' : ''}`} aria-label={label}>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={`count-${label.toLowerCase().replace(/ /g, '-')}`}>
        {formatNumber(value)}
      </span>
      {hint && <span className="stat-label">{hint}</span>}
    </section>
  );
}
