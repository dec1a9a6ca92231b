import type { Collection, CollectionClientSettings, CollectionDefinition, CollectionQueryRule } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { CollectionsTable, Database } from '../store/schema.ts';

/** A collection row with its JSON columns read. */
export interface CollectionRecord extends CollectionDefinition {
  description: string;
  builtIn: boolean;
  clientSettings: CollectionClientSettings;
  settingsPriority: number | null;
  createdAt: string;
  updatedAt: string;
}

export function recordOf(row: CollectionsTable): CollectionRecord {
  return {
    collectionId: row.collection_id,
    name: row.name,
    description: row.description,
    builtIn: row.built_in === 1,
    limitingCollectionId: row.limiting_collection_id,
    queryRules: JSON.parse(row.query_rules) as CollectionQueryRule[],
    includeCollectionIds: JSON.parse(row.include_ids) as string[],
    excludeCollectionIds: JSON.parse(row.exclude_ids) as string[],
    clientSettings: JSON.parse(row.client_settings) as CollectionClientSettings,
    settingsPriority: row.settings_priority,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowOf(record: CollectionRecord): CollectionsTable {
  return {
    collection_id: record.collectionId,
    name: record.name,
    name_key: record.name.toLowerCase(),
    description: record.description,
    built_in: record.builtIn ? 1 : 0,
    limiting_collection_id: record.limitingCollectionId,
    query_rules: JSON.stringify(record.queryRules),
    include_ids: JSON.stringify(record.includeCollectionIds),
    exclude_ids: JSON.stringify(record.excludeCollectionIds),
    client_settings: JSON.stringify(record.clientSettings),
    settings_priority: record.settingsPriority,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** Every collection, by name (there are few: hundreds, not the clients' hundreds of thousands). */
export async function loadCollections(db: Kysely<Database>): Promise<CollectionRecord[]> {
  const rows = await db.selectFrom('collections').selectAll().orderBy('name_key').execute();
  return rows.map(recordOf);
}

export function toCollection(record: CollectionRecord, counts: { members: number; direct: number }): Collection {
  return {
    collectionId: record.collectionId,
    name: record.name,
    description: record.description,
    builtIn: record.builtIn,
    limitingCollectionId: record.limitingCollectionId,
    queryRules: [...record.queryRules],
    includeCollectionIds: [...record.includeCollectionIds],
    excludeCollectionIds: [...record.excludeCollectionIds],
    clientSettings: record.clientSettings,
    settingsPriority: record.settingsPriority,
    memberCount: counts.members,
    directMemberCount: counts.direct,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Members and direct-membership rules per collection (one grouped index scan each). */
export async function memberCounts(db: Kysely<Database>, collectionId?: string): Promise<Map<string, { members: number; direct: number }>> {
  let members = db.selectFrom('collection_members').select((eb) => ['collection_id', eb.fn.countAll<number>().as('n')]).groupBy('collection_id');
  let direct = db.selectFrom('collection_direct_members').select((eb) => ['collection_id', eb.fn.countAll<number>().as('n')]).groupBy('collection_id');
  if (collectionId !== undefined) {
    members = members.where('collection_id', '=', collectionId);
    direct = direct.where('collection_id', '=', collectionId);
  }
  const out = new Map<string, { members: number; direct: number }>();
  const entry = (id: string) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { members: 0, direct: 0 }));
    return e;
  };
  for (const r of await members.execute()) entry(r.collection_id).members = Number(r.n);
  for (const r of await direct.execute()) entry(r.collection_id).direct = Number(r.n);
  return out;
}
