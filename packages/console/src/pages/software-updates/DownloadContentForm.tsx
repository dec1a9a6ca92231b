import type { ContentDownloadStarted, DeploymentPackage, UpdateGroup } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';
import { useAction } from './use-action.ts';

const NEW_PACKAGE = 'new';

/** What a started download says, for the package's page. */
export function downloadNotice(started: ContentDownloadStarted): string {
  const extra = [
    started.alreadyStored ? `${formatNumber(started.alreadyStored)} already stored` : '',
    started.skippedExpired ? `${formatNumber(started.skippedExpired)} expired update${started.skippedExpired === 1 ? '' : 's'} left out` : '',
  ].filter(Boolean);
  return `Downloading ${formatNumber(started.queued)} file${started.queued === 1 ? '' : 's'} into ${started.package.name}${extra.length ? ` (${extra.join(', ')})` : ''}.`;
}

/**
 * §6.1 "Download content": the files of an update group's updates into a deployment package, from
 * each update's upstream or from a folder on the site's machine. On the group's page the package is
 * chosen (or a new one named); on the package's page the group is.
 */
export function DownloadContentForm({ groupId, packageId, onStarted, onCancel }: { groupId?: string; packageId?: string; onStarted(started: ContentDownloadStarted): void; onCancel?(): void }) {
  const api = useApi();
  const action = useAction();
  const packages = useResource<{ packages: DeploymentPackage[] }>(packageId ? null : '/packages');
  const groups = useResource<{ groups: UpdateGroup[] }>(groupId ? null : '/update-groups');
  const [chosenPackage, setChosenPackage] = useState(packageId ?? '');
  const [newPackageName, setNewPackageName] = useState('');
  const [chosenGroup, setChosenGroup] = useState(groupId ?? '');
  const [origin, setOrigin] = useState<'upstream' | 'folder'>('upstream');
  const [folder, setFolder] = useState('');

  const packageChoice = packageId ?? (chosenPackage || (packages.data && packages.data.packages.length === 0 ? NEW_PACKAGE : ''));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const started = await action.run(async () => {
      const target = packageChoice === NEW_PACKAGE ? (await api.post<DeploymentPackage>('/packages', { name: newPackageName })).packageId : packageChoice;
      return api.post<ContentDownloadStarted>(`/packages/${target}/content`, { groupId: chosenGroup, from: origin === 'upstream' ? 'upstream' : { folder } });
    });
    if (started) onStarted(started);
  };

  return (
    <form className="form-panel" aria-label="Download content" onSubmit={(e) => void submit(e)}>
      <h2>Download content</h2>
      <p className="hint">Every file is checked against the size and sha256 of the signed metadata before it enters the site's content library.</p>
      <div className="form-row">
        {!groupId && (
          <label>
            Update group
            <select value={chosenGroup} onChange={(e) => setChosenGroup(e.target.value)} required>
              <option value="">Choose a group…</option>
              {groups.data?.groups.map((g) => (
                <option key={g.groupId} value={g.groupId}>
                  {g.name} ({formatNumber(g.counts.updates)} updates)
                </option>
              ))}
            </select>
          </label>
        )}
        {!packageId && (
          <label>
            Deployment package
            <select value={packageChoice} onChange={(e) => setChosenPackage(e.target.value)} required>
              <option value="">Choose a package…</option>
              {packages.data?.packages.map((p) => (
                <option key={p.packageId} value={p.packageId}>
                  {p.name}
                </option>
              ))}
              <option value={NEW_PACKAGE}>A new package…</option>
            </select>
          </label>
        )}
        {packageChoice === NEW_PACKAGE && (
          <label>
            New package name
            <input value={newPackageName} onChange={(e) => setNewPackageName(e.target.value)} required maxLength={100} />
          </label>
        )}
      </div>
      <fieldset>
        <legend>Download from</legend>
        <div className="form-row">
          <label className="check">
            <input type="radio" name="origin" checked={origin === 'upstream'} onChange={() => setOrigin('upstream')} />
            Each update's upstream
          </label>
          <label className="check">
            <input type="radio" name="origin" checked={origin === 'folder'} onChange={() => setOrigin('folder')} />
            A folder on the site's machine
          </label>
          {origin === 'folder' && (
            <label>
              Folder
              <input value={folder} onChange={(e) => setFolder(e.target.value)} required placeholder="/srv/patchday/incoming" className="wide" />
            </label>
          )}
        </div>
      </fieldset>
      <ErrorNotice error={action.error ?? packages.error ?? groups.error} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          Start download
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
