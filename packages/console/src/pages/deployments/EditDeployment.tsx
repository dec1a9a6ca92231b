import type { Deployment } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import '../software-updates/software-library.css';
import { useAction } from '../software-updates/use-action.ts';
import { AlertFields, behaviourOf, draftOfBehaviour, RestartAndWindowFields, type BehaviourDraft } from './DeploymentBehaviourFields.tsx';
import { draftOfSchedule, ScheduleFields, scheduleOf, type ScheduleDraft } from './DeploymentScheduleFields.tsx';

interface Draft extends BehaviourDraft, ScheduleDraft {
  name: string;
}

/**
 * A deployment's settings changed in place (`PATCH /api/v1/deployments/:id`) with the deploy
 * wizard's fields; its group and collection are fixed (another deployment for another target).
 * What the site refuses is shown in its words and nothing changes.
 */
export function EditDeployment({ d, onSaved, onCancel }: { d: Deployment; onSaved(): void; onCancel(): void }) {
  const api = useApi();
  const action = useAction();
  const [draft, setDraft] = useState<Draft>(() => ({ name: d.name, ...draftOfSchedule(d), ...draftOfBehaviour(d) }));
  const set = (next: Partial<Draft>) => setDraft((x) => ({ ...x, ...next }));
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await action.run(() => api.patch<Deployment>(`/deployments/${d.deploymentId}`, { name: draft.name.trim(), ...scheduleOf(draft), ...behaviourOf(draft) }));
    if (saved) onSaved();
  };
  return (
    <form className="form-panel" aria-label="Edit deployment" onSubmit={(e) => void save(e)}>
      <h2>Edit settings</h2>
      <p className="hint">
        The update group and the collection stay: to send another group or reach another collection, create another deployment. Members get the change at their next policy
        poll.
      </p>
      <div className="form-row">
        <label>
          Deployment name
          <input value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={200} className="wide" />
        </label>
      </div>
      <ScheduleFields value={draft} onChange={set} editing />
      <RestartAndWindowFields value={draft} onChange={set} />
      <AlertFields value={draft} onChange={set} />
      <ErrorNotice error={action.error} />
      <div className="button-row">
        <FormButtons submit="Save settings" busy={action.busy} onCancel={onCancel} />
      </div>
    </form>
  );
}
