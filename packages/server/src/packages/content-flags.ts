import type { UpdateGroupCounts } from '@patchday/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * §6.1 which updates clients can get files for. An update has content when at least one deployment
 * package carries it completely: the package lists files for it and every one of them is stored in
 * the content library. An update without content is flagged (red), and so is every group and
 * deployment holding it; so is an expired update, which is never deployed.
 */

/** SQL: the update whose id is in column `updateIdColumn` is carried completely by some package. */
export function hasContent(updateIdColumn: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from package_files f where f.update_id = ${sql.ref(updateIdColumn)} and not exists (select 1 from package_files g where g.package_id = f.package_id and g.update_id = f.update_id and g.state <> 'stored'))`;
}

/** SQL: how many packages carry the update in column `updateIdColumn` completely. */
export function packagesCarrying(updateIdColumn: string): RawBuilder<number> {
  return sql<number>`(select count(distinct f.package_id) from package_files f where f.update_id = ${sql.ref(updateIdColumn)} and not exists (select 1 from package_files g where g.package_id = f.package_id and g.update_id = f.update_id and g.state <> 'stored'))`;
}

const count = (v: unknown) => Number(v ?? 0);

/** Counts of every group (or of the groups named): updates, expired, superseded, without content. One query. */
export async function groupFlagCounts(db: Kysely<Database>, groupIds?: readonly string[]): Promise<Map<string, UpdateGroupCounts>> {
  if (groupIds !== undefined && groupIds.length === 0) return new Map();
  let query = db
    .selectFrom('update_group_members')
    .innerJoin('updates', 'updates.update_id', 'update_group_members.update_id')
    .select((eb) => [
      'update_group_members.group_id',
      eb.fn.countAll().as('updates'),
      sql<number>`sum(case when updates.expired = 1 then 1 else 0 end)`.as('expired'),
      sql<number>`sum(case when updates.superseded = 1 then 1 else 0 end)`.as('superseded'),
      sql<number>`sum(case when ${hasContent('update_group_members.update_id')} then 0 else 1 end)`.as('without_content'),
    ])
    .groupBy('update_group_members.group_id');
  if (groupIds !== undefined) query = query.where('update_group_members.group_id', 'in', groupIds);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.group_id, { updates: count(r.updates), expired: count(r.expired), superseded: count(r.superseded), withoutContent: count(r.without_content) }]));
}

/** The group's updates whose files are in no package, by id. */
export async function updatesWithoutContent(db: Kysely<Database>, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('update_group_members')
    .select('update_id')
    .where('group_id', '=', groupId)
    .where(sql<boolean>`not ${hasContent('update_group_members.update_id')}`)
    .orderBy('update_id')
    .execute();
  return rows.map((r) => r.update_id);
}

export interface ContentFlags {
  expired: boolean;
  withoutContent: boolean;
}

const CHUNK = 1000;

/** The flags of each named update that exists (a deployment's updates, say). */
export async function contentFlagsOf(db: Kysely<Database>, updateIds: readonly string[]): Promise<Map<string, ContentFlags>> {
  const flags = new Map<string, ContentFlags>();
  for (let i = 0; i < updateIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('updates')
      .select(['update_id', 'expired', sql<number>`case when ${hasContent('updates.update_id')} then 1 else 0 end`.as('has_content')])
      .where('update_id', 'in', updateIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) flags.set(r.update_id, { expired: r.expired === 1, withoutContent: Number(r.has_content) !== 1 });
  }
  return flags;
}
