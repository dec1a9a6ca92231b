import { useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { useAction } from './use-action.ts';

/**
 * Renames an update group or a deployment package and changes its description (`PATCH path`
 * `{name, description}`, which both take). A name another one has is refused by the site, in words.
 */
export function EditNameForm({ what, path, current, onClose }: { what: string; path: string; current: { name: string; description: string }; onClose(saved: boolean): void }) {
  const api = useApi();
  const action = useAction();
  const [draft, setDraft] = useState({ name: current.name, description: current.description });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(() => api.patch(path, { name: draft.name.trim(), description: draft.description }))) onClose(true);
  };
  return (
    <form className="form-panel" aria-label={`Edit ${what}`} onSubmit={(e) => void save(e)}>
      <div className="form-row">
        <label>
          Name
          <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required maxLength={100} autoFocus />
        </label>
        <label>
          Description
          <input value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} maxLength={1000} className="wide" />
        </label>
        <FormButtons submit="Save" busy={action.busy} onCancel={() => onClose(false)} />
      </div>
      <ErrorNotice error={action.error} />
    </form>
  );
}
