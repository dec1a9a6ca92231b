import type { DistributionPointWithCredential } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useAction } from '../software-updates/use-action.ts';
import '../software-updates/software-library.css';

/** Where `patchday dp` listens unless told otherwise. */
const DEFAULT_DP_PORT = 8540;

/** The command that starts the distribution point on its machine, with the credential shown once. */
export function dpCommand(dp: DistributionPointWithCredential, siteUrl: string): string {
  const port = (dp.url && new URL(dp.url).port) || String(DEFAULT_DP_PORT);
  return `patchday dp --site ${siteUrl} --credential ${dp.credential} --data /var/lib/patchday-dp --host 0.0.0.0 --port ${port}`;
}

export function AddDistributionPoint({ onAdded, onClose }: { onAdded(dp: DistributionPointWithCredential): void; onClose(): void }) {
  const api = useApi();
  const action = useAction();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const added = await action.run(() => api.post<DistributionPointWithCredential>('/distribution-points', { name, url }));
    if (added) onAdded(added);
  };
  return (
    <form className="form-panel" aria-label="Add distribution point" onSubmit={(e) => void submit(e)}>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
        </label>
        <label>
          URL agents reach it at
          <input value={url} onChange={(e) => setUrl(e.target.value)} required placeholder="http://dp1.branch.example:8540" className="wide" />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Add
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={action.error} />
    </form>
  );
}

/** The one time a credential is shown: the site keeps only its hash. */
export function CredentialNotice({ dp, onDismiss }: { dp: DistributionPointWithCredential; onDismiss(): void }) {
  return (
    <section className="credential" aria-label={`Credential of ${dp.name}`}>
      <h2>Start {dp.name} on its machine</h2>
      <p>
        Its credential, shown only now (the site keeps only a hash): <code className="mono" data-testid="dp-credential">{dp.credential}</code>
      </p>
      <code className="command" data-testid="dp-command">
        {dpCommand(dp, window.location.origin)}
      </code>
      <button type="button" onClick={onDismiss}>
        Done
      </button>
    </section>
  );
}
