import type { Deployment } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { groupFlags } from './deployment-flags.ts';
import type { DeploymentRecord } from './deployment-rows.ts';

/** Deployments as the API shows them: with their group's and collection's names, update count and flags. */
export async function describeDeployments(db: Kysely<Database>, records: readonly DeploymentRecord[]): Promise<Deployment[]> {
  if (!records.length) return [];
  const groupIds = [...new Set(records.map((r) => r.groupId))];
  const collectionIds = [...new Set(records.map((r) => r.collectionId))];
  const groups = new Map((await db.selectFrom('update_groups').select(['group_id', 'name']).where('group_id', 'in', groupIds).execute()).map((g) => [g.group_id, g.name]));
  const collections = new Map((await db.selectFrom('collections').select(['collection_id', 'name']).where('collection_id', 'in', collectionIds).execute()).map((c) => [c.collection_id, c.name]));
  const flags = await groupFlags(db, groupIds);
  return records.map((r) => ({
    deploymentId: r.deploymentId,
    name: r.name,
    groupId: r.groupId,
    groupName: groups.get(r.groupId) ?? '?',
    collectionId: r.collectionId,
    collectionName: collections.get(r.collectionId) ?? '?',
    adrId: r.adrId,
    ...r.definition,
    enabled: r.enabled,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...flags.get(r.groupId)!,
  }));
}
