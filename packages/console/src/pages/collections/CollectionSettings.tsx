import { clientSettingNames, type Collection } from '@patchday/core';
import { useState } from 'react';
import { Can } from '../../auth/SessionProvider.tsx';
import { ClientSettingsForm } from './ClientSettingsForm.tsx';
import { settingLabel, settingValueText } from './client-settings-text.ts';

/** §12 the client settings the collection assigns to its members, with its priority; changed by those who may. */
export function CollectionSettings({ collection: c, onChanged }: { collection: Collection; onChanged(): void }) {
  const [editing, setEditing] = useState(false);
  const assigned = clientSettingNames.filter((s) => c.clientSettings[s] !== undefined);
  return (
    <section className="card" aria-labelledby="collection-settings">
      <h2 id="collection-settings">Client settings</h2>
      {editing ? (
        <ClientSettingsForm
          collection={c}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
        />
      ) : (
        <>
          {assigned.length === 0 ? (
            <p className="muted">None: the members get their settings from other collections or the defaults.</p>
          ) : (
            <>
              <p>
                Priority <strong data-testid="settings-priority">{c.settingsPriority}</strong>{' '}
                <span className="muted small">(1 is the highest: where a client is in several collections, the highest priority wins each setting)</span>
              </p>
              <table className="compact">
                <caption className="visually-hidden">Client settings of {c.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Setting</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {assigned.map((s) => (
                    <tr key={s}>
                      <td>{settingLabel(s)}</td>
                      <td>{settingValueText(s, c.clientSettings[s]!)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <Can permission="manage">
            <button type="button" onClick={() => setEditing(true)}>
              Edit client settings
            </button>
          </Can>
        </>
      )}
    </section>
  );
}
