import type { z } from 'zod';
import { SupersedenceRules, SyncCriteria, SyncSchedule } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** Site-wide settings kept as JSON under a key, each validated by its wire schema on the way in and out. */
const settings = {
  'sync.criteria': SyncCriteria,
  'sync.schedule': SyncSchedule,
  'sync.supersedence': SupersedenceRules,
} as const;
type SettingKey = keyof typeof settings;
type SettingValue<K extends SettingKey> = z.output<(typeof settings)[K]>;

export async function readSetting<K extends SettingKey>(db: Kysely<Database>, key: K): Promise<SettingValue<K>> {
  const row = await db.selectFrom('site_settings').select('value').where('key', '=', key).executeTakeFirst();
  return settings[key].parse(row ? JSON.parse(row.value) : {}) as SettingValue<K>;
}

/** Call inside the transaction that also writes the audit entry. */
export async function writeSetting<K extends SettingKey>(trx: Kysely<Database>, key: K, value: SettingValue<K>): Promise<void> {
  const json = JSON.stringify(settings[key].parse(value));
  await trx.deleteFrom('site_settings').where('key', '=', key).execute();
  await trx.insertInto('site_settings').values({ key, value: json }).execute();
}
