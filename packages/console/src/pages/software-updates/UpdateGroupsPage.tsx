import type { UpdateGroup, UpdateGroupChange } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';
import { useAction } from './use-action.ts';

/** §6.2 update groups: the named sets of updates that are downloaded and deployed together. */
export default function UpdateGroupsPage() {
  const groups = useResource<{ groups: UpdateGroup[] }>('/update-groups', { refreshOn: ['sync', 'content', 'changes'] });
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Update groups"
        description={
          <>
            Named sets of updates, the unit of download and deployment. Make one from a selection or a filter on <Link to={paths.allUpdates}>All updates</Link>, or empty here.
          </>
        }
        actions={
          <Can permission="manage">
            <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
              New update group
            </button>
          </Can>
        }
      />
      {creating && <NewGroupForm onClose={() => setCreating(false)} />}
      <ErrorNotice error={groups.error} onRetry={groups.reload} />
      {groups.loading && <Loading what="Loading update groups" />}
      {groups.data && (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Update groups</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">Updates</th>
                <th scope="col" className="num">Expired</th>
                <th scope="col" className="num">Superseded</th>
                <th scope="col" className="num">Without content</th>
                <th scope="col" className="num">Deployments</th>
                <th scope="col">Created by</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <tr key={g.groupId}>
                  <td>
                    <Link to={libraryPaths.updateGroup(g.groupId)}>{g.name}</Link>
                  </td>
                  <td className="num">{formatNumber(g.counts.updates)}</td>
                  <td className={`num${g.counts.expired ? ' count-red' : ''}`}>{formatNumber(g.counts.expired)}</td>
                  <td className="num">{formatNumber(g.counts.superseded)}</td>
                  <td className={`num${g.counts.withoutContent ? ' count-red' : ''}`} title={g.counts.withoutContent ? 'Updates whose files are in no deployment package: clients have nowhere to get them' : undefined}>
                    {formatNumber(g.counts.withoutContent)}
                  </td>
                  <td className="num">{formatNumber(g.deployments)}</td>
                  <td>{g.createdBy}</td>
                  <td>{formatTime(g.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {groups.data && groups.data.groups.length === 0 && <p className="muted">No update groups yet.</p>}
    </>
  );
}

function NewGroupForm({ onClose }: { onClose(): void }) {
  const api = useApi();
  const navigate = useNavigate();
  const action = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api.post<UpdateGroupChange>('/update-groups', { name, description }));
    if (created) navigate(libraryPaths.updateGroup(created.group.groupId), { state: { notice: `Created update group ${created.group.name}: add updates to it from All updates.` } });
  };
  return (
    <form className="form-panel" aria-label="New update group" onSubmit={(e) => void submit(e)}>
      <div className="form-row">
        <label>
          Group name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} className="wide" />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Create group
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={action.error} />
    </form>
  );
}
