import { DeploymentDefinition } from '@patchday/core';
import type { Kysely, Selectable } from 'kysely';
import { notFound } from '../http/http-error.ts';
import type { Database, DeploymentsTable } from '../store/schema.ts';

/** A deployment as the site works with it: the row with its definition parsed. */
export interface DeploymentRecord {
  deploymentId: string;
  name: string;
  groupId: string;
  collectionId: string;
  adrId: string | null;
  definition: DeploymentDefinition;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export function recordOf(row: Selectable<DeploymentsTable>): DeploymentRecord {
  return {
    deploymentId: row.deployment_id,
    name: row.name,
    groupId: row.group_id,
    collectionId: row.collection_id,
    adrId: row.adr_id,
    definition: DeploymentDefinition.parse(JSON.parse(row.definition)),
    enabled: Number(row.enabled) === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowOf(r: DeploymentRecord): DeploymentsTable {
  return {
    deployment_id: r.deploymentId,
    name: r.name,
    group_id: r.groupId,
    collection_id: r.collectionId,
    adr_id: r.adrId,
    definition: JSON.stringify(r.definition),
    enabled: r.enabled ? 1 : 0,
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export async function loadDeployment(db: Kysely<Database>, deploymentId: string): Promise<DeploymentRecord | null> {
  const row = await db.selectFrom('deployments').selectAll().where('deployment_id', '=', deploymentId).executeTakeFirst();
  return row ? recordOf(row) : null;
}

export async function deploymentOr404(db: Kysely<Database>, deploymentId: string): Promise<DeploymentRecord> {
  const record = await loadDeployment(db, deploymentId);
  if (!record) throw notFound(`deployment ${deploymentId}`);
  return record;
}

/**
 * A new `updated_at` for a changed deployment: strictly later than the stored one, so that two
 * changes within one millisecond of site time still give the policy cache a new version.
 */
export function nextUpdatedAt(previous: string, now: Date): string {
  const last = Date.parse(previous);
  return new Date(Math.max(now.getTime(), last + 1)).toISOString();
}
