import { AdrDefinition, AdrRunResult } from '@patchday/core';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { notFound } from '../http/http-error.ts';
import type { AutomaticDeploymentRulesTable, Database } from '../store/schema.ts';

/** An automatic deployment rule as the site works with it: the row with its JSON parsed. */
export interface AdrRecord {
  adrId: string;
  name: string;
  enabled: boolean;
  groupId: string;
  packageId: string | null;
  definition: AdrDefinition;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRun: AdrRunResult | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export function adrRecordOf(row: Selectable<AutomaticDeploymentRulesTable>): AdrRecord {
  return {
    adrId: row.adr_id,
    name: row.name,
    enabled: Number(row.enabled) === 1,
    groupId: row.group_id,
    packageId: row.package_id,
    definition: AdrDefinition.parse(JSON.parse(row.definition)),
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastRun: row.last_run_result === null ? null : AdrRunResult.parse(JSON.parse(row.last_run_result)),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function adrRowOf(r: AdrRecord): AutomaticDeploymentRulesTable {
  return {
    adr_id: r.adrId,
    name: r.name,
    name_key: r.name.toLowerCase(),
    enabled: r.enabled ? 1 : 0,
    group_id: r.groupId,
    package_id: r.packageId,
    definition: JSON.stringify(r.definition),
    next_run_at: r.nextRunAt,
    last_run_at: r.lastRunAt,
    last_run_result: r.lastRun === null ? null : JSON.stringify(r.lastRun),
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export async function adrOr404(db: Kysely<Database> | Transaction<Database>, adrId: string): Promise<AdrRecord> {
  const row = await db.selectFrom('automatic_deployment_rules').selectAll().where('adr_id', '=', adrId).executeTakeFirst();
  if (!row) throw notFound(`automatic deployment rule ${adrId}`);
  return adrRecordOf(row);
}
