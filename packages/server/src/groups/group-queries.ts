import type { Classification, Severity, UpdateGroup, UpdateGroupDetail, UpdateGroupMember } from '@patchday/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { groupFlagCounts, hasContent, packagesCarrying } from '../packages/content-flags.ts';
import type { Database, UpdateGroupsTable } from '../store/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

const emptyCounts = { updates: 0, expired: 0, superseded: 0, withoutContent: 0 };

async function deploymentCounts(db: Db, groupIds?: readonly string[]): Promise<Map<string, number>> {
  if (groupIds !== undefined && groupIds.length === 0) return new Map();
  let query = db.selectFrom('deployments').select((eb) => ['group_id', eb.fn.countAll().as('n')]).groupBy('group_id');
  if (groupIds !== undefined) query = query.where('group_id', 'in', groupIds);
  return new Map((await query.execute()).map((r) => [r.group_id, Number(r.n)]));
}

/** Groups as the API shows them, with their counts (three queries whatever the number of groups). */
export async function toUpdateGroups(db: Db, rows: readonly UpdateGroupsTable[]): Promise<UpdateGroup[]> {
  const ids = rows.map((r) => r.group_id);
  const [counts, deployments] = await Promise.all([groupFlagCounts(db, ids), deploymentCounts(db, ids)]);
  return rows.map((r) => ({
    groupId: r.group_id,
    name: r.name,
    description: r.description,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    counts: counts.get(r.group_id) ?? { ...emptyCounts },
    deployments: deployments.get(r.group_id) ?? 0,
  }));
}

export async function listUpdateGroups(db: Db): Promise<UpdateGroup[]> {
  return toUpdateGroups(db, await db.selectFrom('update_groups').selectAll().orderBy('name_key').execute());
}

export async function groupRow(db: Db, groupId: string): Promise<UpdateGroupsTable | undefined> {
  return db.selectFrom('update_groups').selectAll().where('group_id', '=', groupId).executeTakeFirst();
}

export async function loadUpdateGroup(db: Db, groupId: string): Promise<UpdateGroup | null> {
  const row = await groupRow(db, groupId);
  return row ? (await toUpdateGroups(db, [row]))[0]! : null;
}

export interface MembersPage {
  page: number;
  pageSize: number;
  flag?: UpdateGroupDetail['members']['flag'];
}

/** One page of a group's members by title, each with its flags. */
export async function groupMembers(db: Db, groupId: string, { page, pageSize, flag }: MembersPage): Promise<UpdateGroupDetail['members']> {
  let base = db.selectFrom('update_group_members').innerJoin('updates', 'updates.update_id', 'update_group_members.update_id').where('update_group_members.group_id', '=', groupId);
  if (flag === 'expired') base = base.where('updates.expired', '=', 1);
  if (flag === 'superseded') base = base.where('updates.superseded', '=', 1);
  if (flag === 'withoutContent') base = base.where(sql<boolean>`not ${hasContent('update_group_members.update_id')}`);
  const { n } = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .select([
      'updates.update_id',
      'updates.title',
      'updates.product',
      'updates.classification',
      'updates.severity',
      'updates.release_date',
      'updates.superseded',
      'updates.expired',
      'update_group_members.added_at',
      packagesCarrying('update_group_members.update_id').as('packages'),
    ])
    .orderBy('updates.title')
    .orderBy('updates.update_id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const updates: UpdateGroupMember[] = rows.map((r) => ({
    updateId: r.update_id,
    title: r.title,
    product: r.product,
    classification: r.classification as Classification,
    severity: r.severity as Severity,
    releaseDate: r.release_date,
    superseded: r.superseded === 1,
    expired: r.expired === 1,
    withoutContent: Number(r.packages) === 0,
    packages: Number(r.packages),
    addedAt: r.added_at,
  }));
  return { total: Number(n), page, pageSize, flag: flag ?? null, updates };
}
