import type { UpdateGroupChange, UpdatePage } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useApi, useSession } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';
import { useAction } from './use-action.ts';
import { describeFilter, filterOfDraft } from './update-filter-draft.ts';
import { apiPathOf, type UpdateListQuery } from './update-list-query.ts';
import { clearUpdateSelection, selectedUpdateIds, useUpdateSelection } from './update-selection.ts';

/** A line to show on the group's page after it was made. */
export function changeNotice(verb: string, change: Pick<UpdateGroupChange, 'added' | 'alreadyMembers' | 'skippedExpired'>): string {
  const extra = [
    change.alreadyMembers ? `${formatNumber(change.alreadyMembers)} already in it` : '',
    change.skippedExpired ? `${formatNumber(change.skippedExpired)} expired left out` : '',
  ].filter(Boolean);
  return `${verb} ${formatNumber(change.added)} update${change.added === 1 ? '' : 's'}${extra.length ? ` (${extra.join(', ')})` : ''}.`;
}

/**
 * §6.2 step 2 on the All updates page: an update group from the ticked updates, or from the
 * current filter (every non-expired update that matches it now).
 */
export function CreateGroupFromUpdates({ query }: { query: UpdateListQuery }) {
  const { can } = useSession();
  const selection = useUpdateSelection();
  const [source, setSource] = useState<'selection' | 'filter' | null>(null);
  if (!can('manage')) return null;
  return (
    <div className="create-group">
      <button type="button" onClick={() => setSource('selection')} disabled={selection.size === 0}>
        Create group from selection{selection.size ? ` (${formatNumber(selection.size)})` : ''}
      </button>
      <button type="button" onClick={() => setSource('filter')}>
        Create group from filter
      </button>
      {source && <CreateGroupForm source={source} query={query} onClose={() => setSource(null)} />}
    </div>
  );
}

function CreateGroupForm({ source, query, onClose }: { source: 'selection' | 'filter'; query: UpdateListQuery; onClose(): void }) {
  const api = useApi();
  const navigate = useNavigate();
  const action = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const filter = filterOfDraft(query);
  const matching = useResource<UpdatePage>(source === 'filter' ? apiPathOf({ ...query, page: 1, pageSize: 1 }) : null);
  const count = source === 'selection' ? selectedUpdateIds().length : matching.data?.total;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = source === 'selection' ? { name, description, updateIds: selectedUpdateIds() } : { name, description, filter };
    const created = await action.run(() => api.post<UpdateGroupChange>('/update-groups', body));
    if (!created) return;
    if (source === 'selection') clearUpdateSelection();
    navigate(libraryPaths.updateGroup(created.group.groupId), { state: { notice: changeNotice(`Created update group ${created.group.name} with`, created) } });
  };

  return (
    <form className="form-panel create-group-form" aria-label="Create update group" onSubmit={(e) => void submit(e)}>
      <h2>{source === 'selection' ? 'Update group from the selection' : 'Update group from the filter'}</h2>
      <p className="hint">
        {source === 'selection'
          ? `The ${formatNumber(count ?? 0)} selected update${count === 1 ? '' : 's'}.`
          : `Every update that matches now, expired ones left out: ${describeFilter(filter)}${count === undefined ? '' : ` (${formatNumber(count)} match)`}.`}
      </p>
      <label>
        Group name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
      </label>
      <label>
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
      </label>
      <ErrorNotice error={action.error ?? matching.error} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          Create group
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
