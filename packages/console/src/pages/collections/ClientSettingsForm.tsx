import { clientSettingNames, type Collection, type CollectionClientSettings } from '@patchday/core';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { formatNumber } from '../../components/format.ts';
import { useAction } from '../software-updates/use-action.ts';
import { settingBounds, settingLabel, type SettingName } from './client-settings-text.ts';

/** Every setting as its field holds it: '' = not assigned by this collection. */
type Draft = Record<SettingName, string>;

const draftOf = (settings: CollectionClientSettings): Draft =>
  Object.fromEntries(clientSettingNames.map((s) => [s, settings[s] === undefined ? '' : String(settings[s])])) as Draft;

function settingsOf(d: Draft): CollectionClientSettings {
  const assigned = clientSettingNames.filter((s) => d[s] !== '');
  return Object.fromEntries(assigned.map((s) => [s, settingBounds(s) ? Number(d[s]) : d[s] === 'true'])) as CollectionClientSettings;
}

/**
 * §12 the client settings a collection assigns (`PATCH /api/v1/collections/:id {clientSettings,
 * settingsPriority}`): each setting left empty is not assigned (its members take it from another
 * collection or the default); the fields carry the bounds the site checks, and a collection that
 * assigns any needs a priority no other collection holds.
 */
export function ClientSettingsForm({ collection: c, onSaved, onCancel }: { collection: Collection; onSaved(next: Collection): void; onCancel(): void }) {
  const api = useApi();
  const action = useAction();
  const id = useId();
  const [draft, setDraft] = useState(() => draftOf(c.clientSettings));
  const [priority, setPriority] = useState(c.settingsPriority === null ? '' : String(c.settingsPriority));
  const settings = settingsOf(draft);
  const assigning = Object.keys(settings).length > 0;
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await action.run(() => api.patch<Collection>(`/collections/${c.collectionId}`, { clientSettings: settings, settingsPriority: assigning ? Number(priority) : null }));
    if (saved) onSaved(saved);
  };
  return (
    <form className="settings-form" aria-label="Client settings" onSubmit={(e) => void save(e)}>
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Assigned value</th>
            <th scope="col">Allowed</th>
          </tr>
        </thead>
        <tbody>
          {clientSettingNames.map((s) => {
            const bounds = settingBounds(s);
            const set = (value: string) => setDraft((d) => ({ ...d, [s]: value }));
            return (
              <tr key={s}>
                <td>
                  <label htmlFor={`${id}-${s}`}>{settingLabel(s)}</label>
                </td>
                <td>
                  {bounds ? (
                    <input id={`${id}-${s}`} type="number" className="narrow" min={bounds.min} max={bounds.max} step={1} value={draft[s]} placeholder="not set" onChange={(e) => set(e.target.value)} />
                  ) : (
                    <select id={`${id}-${s}`} value={draft[s]} onChange={(e) => set(e.target.value)}>
                      <option value="">not set</option>
                      <option value="true">Yes</option>
                      <option value="false">No</option>
                    </select>
                  )}
                </td>
                <td className="muted small">{bounds ? `${formatNumber(bounds.min)} to ${formatNumber(bounds.max)}` : 'yes or no'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <label>
        Settings priority
        <input type="number" className="narrow" min={1} max={1_000_000} step={1} value={priority} onChange={(e) => setPriority(e.target.value)} required={assigning} disabled={!assigning} />
      </label>
      <p className="hint">
        1 is the highest: where a client is in several collections that assign a setting, the one with the highest priority wins it. Each priority belongs to one collection.
        A setting no collection assigns keeps its default.
      </p>
      <ErrorNotice error={action.error} />
      <FormButtons submit="Save client settings" busy={action.busy} onCancel={onCancel} />
    </form>
  );
}
