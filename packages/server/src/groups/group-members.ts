import type { UpdateFilter } from '@patchday/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { applyUpdateFilter } from '../catalogue/catalogue-queries.ts';
import { HttpError, notFound } from '../http/http-error.ts';
import type { Database } from '../store/schema.ts';
import { storeKindOf } from '../store/store.ts';

/**
 * Who is in an update group, changed set-based (insert … select, delete … where in), so a group of
 * 10,000 updates costs a few statements, never one per update. Expired updates never enter a group.
 */

type Db = Kysely<Database> | Transaction<Database>;

/** Ids per statement for lists given by id: far below both engines' parameter limits. */
const CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const count = (v: unknown) => Number(v ?? 0);

/** The deployable updates (not expired) that match `filter` now, by id. */
export async function findUpdateIdsMatching(db: Db, filter: UpdateFilter, now: Date): Promise<string[]> {
  if (filter.expired === true) return [];
  const rows = await applyUpdateFilter(db.selectFrom('updates'), { ...filter, expired: false }, now, storeKindOf(db)).select('updates.update_id').orderBy('updates.update_id').execute();
  return rows.map((r) => r.update_id);
}

/**
 * Checks that every id names an update and none has expired; otherwise refuses (404 naming the
 * unknown ones, 409 naming the expired ones) before anything is written.
 */
export async function checkDeployable(db: Db, updateIds: readonly string[]): Promise<void> {
  const found = new Map<string, { title: string; expired: number }>();
  for (const chunk of chunks(updateIds)) {
    for (const r of await db.selectFrom('updates').select(['update_id', 'title', 'expired']).where('update_id', 'in', chunk).execute()) found.set(r.update_id, r);
  }
  const unknown = updateIds.filter((id) => !found.has(id));
  if (unknown.length) throw notFound(`update${unknown.length > 1 ? 's' : ''} ${listed(unknown)}`);
  const expired = updateIds.filter((id) => found.get(id)!.expired === 1);
  if (expired.length) {
    const named = expired.map((id) => `${found.get(id)!.title} (${id})`);
    throw new HttpError(409, `expired updates cannot be deployed, so they cannot be added: ${listed(named)}`, { expired });
  }
}

/** At most 20 names, then how many more: messages stay readable for 10,000 ids. */
function listed(items: readonly string[]): string {
  return items.length <= 20 ? items.join(', ') : `${items.slice(0, 20).join(', ')} and ${items.length - 20} more`;
}

export interface MembershipChange {
  added: number;
  alreadyMembers: number;
  skippedExpired: number;
  removed: number;
  notMembers: number;
}

export const noChange = (): MembershipChange => ({ added: 0, alreadyMembers: 0, skippedExpired: 0, removed: 0, notMembers: 0 });

/** Adds updates by id; call `checkDeployable` first. */
export async function addUpdateIds(trx: Transaction<Database>, groupId: string, updateIds: readonly string[], now: Date): Promise<MembershipChange> {
  const change = noChange();
  for (const chunk of chunks(updateIds)) {
    const present = new Set((await trx.selectFrom('update_group_members').select('update_id').where('group_id', '=', groupId).where('update_id', 'in', chunk).execute()).map((r) => r.update_id));
    const fresh = chunk.filter((id) => !present.has(id));
    if (fresh.length) await trx.insertInto('update_group_members').values(fresh.map((updateId) => ({ group_id: groupId, update_id: updateId, added_at: now.toISOString() }))).execute();
    change.added += fresh.length;
    change.alreadyMembers += present.size;
  }
  return change;
}

/** Adds every non-expired update matching `filter` in one insert … select; expired matches are counted, not added. */
export async function addUpdatesMatching(trx: Transaction<Database>, groupId: string, filter: UpdateFilter, now: Date): Promise<MembershipChange> {
  const matching = (expired: boolean) => applyUpdateFilter(trx.selectFrom('updates'), { ...filter, expired }, now, storeKindOf(trx));
  const { n: expired } = filter.expired === false ? { n: 0 } : await matching(true).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  if (filter.expired === true) return { ...noChange(), skippedExpired: count(expired) };
  const { n: deployable } = await matching(false).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const inserted = await trx
    .insertInto('update_group_members')
    .columns(['group_id', 'update_id', 'added_at'])
    .expression(
      matching(false)
        .select([sql<string>`cast(${groupId} as text)`.as('group_id'), 'updates.update_id', sql<string>`cast(${now.toISOString()} as text)`.as('added_at')])
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('update_group_members as m').select('m.update_id').where('m.group_id', '=', groupId).whereRef('m.update_id', '=', 'updates.update_id'))),
        ),
    )
    .executeTakeFirst();
  const added = count(inserted.numInsertedOrUpdatedRows);
  return { ...noChange(), added, alreadyMembers: count(deployable) - added, skippedExpired: count(expired) };
}

/** Removes updates by id; ids that are not members are counted. Unknown updates: call `checkKnown` first. */
export async function removeUpdateIds(trx: Transaction<Database>, groupId: string, updateIds: readonly string[]): Promise<MembershipChange> {
  const change = noChange();
  for (const chunk of chunks(updateIds)) {
    const deleted = await trx.deleteFrom('update_group_members').where('group_id', '=', groupId).where('update_id', 'in', chunk).executeTakeFirst();
    change.removed += count(deleted.numDeletedRows);
    change.notMembers += chunk.length - count(deleted.numDeletedRows);
  }
  return change;
}

/** Removes every member matching `filter` (expired ones included: `{expired: true}` clears them out). */
export async function removeUpdatesMatching(trx: Transaction<Database>, groupId: string, filter: UpdateFilter, now: Date): Promise<MembershipChange> {
  const deleted = await trx
    .deleteFrom('update_group_members')
    .where('group_id', '=', groupId)
    .where('update_id', 'in', applyUpdateFilter(trx.selectFrom('updates'), filter, now, storeKindOf(trx)).select('updates.update_id'))
    .executeTakeFirst();
  return { ...noChange(), removed: count(deleted.numDeletedRows) };
}

/** 404 naming the ids that are no update at all. */
export async function checkKnown(db: Db, updateIds: readonly string[]): Promise<void> {
  const found = new Set<string>();
  for (const chunk of chunks(updateIds)) for (const r of await db.selectFrom('updates').select('update_id').where('update_id', 'in', chunk).execute()) found.add(r.update_id);
  const unknown = updateIds.filter((id) => !found.has(id));
  if (unknown.length) throw notFound(`update${unknown.length > 1 ? 's' : ''} ${listed(unknown)}`);
}

/**
 * Empties the group and fills it with exactly these updates (an automatic deployment rule's run).
 * Refuses unknown and expired ids before changing anything.
 */
export async function replaceGroupUpdates(trx: Transaction<Database>, groupId: string, updateIds: readonly string[], now: Date): Promise<MembershipChange> {
  const unique = [...new Set(updateIds)];
  await checkDeployable(trx, unique);
  const deleted = await trx.deleteFrom('update_group_members').where('group_id', '=', groupId).executeTakeFirst();
  for (const chunk of chunks(unique)) {
    await trx.insertInto('update_group_members').values(chunk.map((updateId) => ({ group_id: groupId, update_id: updateId, added_at: now.toISOString() }))).execute();
  }
  return { ...noChange(), added: unique.length, removed: count(deleted.numDeletedRows) };
}
