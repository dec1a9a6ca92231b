import { mergeClientSettings, type ClientSettings, type CollectionClientSettings, type SettingOrigin } from '@patchday/core';
import type { Kysely } from 'kysely';
import { defaultClientSettings } from '../clients/client-policy.ts';
import type { Database } from '../store/schema.ts';

/**
 * A client's settings and where each comes from: the §12 defaults, overridden setting by setting by
 * the client's collection with the LOWEST settingsPriority number that sets that setting.
 */
export async function explainClientSettings(db: Kysely<Database>, clientId: string): Promise<{ settings: ClientSettings; origins: Record<keyof ClientSettings, SettingOrigin> }> {
  const rows = await db
    .selectFrom('collection_members as m')
    .innerJoin('collections as c', 'c.collection_id', 'm.collection_id')
    .select(['c.collection_id', 'c.name', 'c.settings_priority', 'c.client_settings'])
    .where('m.client_id', '=', clientId)
    .where('c.settings_priority', 'is not', null)
    .execute();
  return mergeClientSettings(
    defaultClientSettings,
    rows.map((r) => ({ collectionId: r.collection_id, name: r.name, settingsPriority: r.settings_priority!, clientSettings: JSON.parse(r.client_settings) as CollectionClientSettings })),
  );
}

/** The settings in `clientId`'s policy (the defaults for a client in no collection with settings). */
export async function effectiveClientSettings(db: Kysely<Database>, clientId: string): Promise<ClientSettings> {
  return (await explainClientSettings(db, clientId)).settings;
}
