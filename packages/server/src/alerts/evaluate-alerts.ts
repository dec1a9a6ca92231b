import { deploymentInstant, type AlertEvaluation, type AlertKind } from '@patchday/core';
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { recordOf } from '../deployments/deployment-rows.ts';
import { memberStatuses, percentCompliant } from '../deployments/deployment-status.ts';
import type { Database } from '../store/schema.ts';

const DAY_MS = 86_400_000;
/** Serialises evaluations of several site processes on PostgreSQL (SQLite runs one writer anyway). */
const ALERTS_LOCK = 0x70640002;
/** The target of sync-failure alerts: the update point, whose runs span every upstream. */
export const SYNC_ALERT_TARGET = 'update-point';

interface Condition {
  kind: AlertKind;
  targetId: string;
  severity: 'warning' | 'error';
  text: string;
}

/**
 * §9 evaluates every alert condition at `now` in one transaction: raises an alert for each condition
 * that holds and has no open alert (an open one gets the latest text), and clears each open alert
 * whose condition no longer holds.
 *
 * - `deployment-compliance`: an enabled deployment with alert settings `{belowPercent, afterDays}`,
 *   `afterDays` or more after its available time, with fewer than `belowPercent` % of its
 *   collection's members compliant. A deployment disabled, deleted or without alert settings clears it.
 * - `sync-failure`: the last finished sync failed; the next successful one clears it.
 */
export async function evaluateAlerts(db: Kysely<Database>, now: Date): Promise<AlertEvaluation> {
  const holding = [...(await deploymentConditions(db, now)), ...(await syncConditions(db))];
  return db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${sql.lit(ALERTS_LOCK)})`.execute(trx);
    return apply(trx, holding, now);
  });
}

async function apply(trx: Transaction<Database>, holding: readonly Condition[], now: Date): Promise<AlertEvaluation> {
  const at = now.toISOString();
  const open = await trx.selectFrom('alerts').selectAll().where('cleared_at', 'is', null).execute();
  const key = (kind: string, targetId: string) => `${kind}\0${targetId}`;
  const openByKey = new Map(open.map((a) => [key(a.kind, a.target_id), a]));
  const holdingKeys = new Set(holding.map((c) => key(c.kind, c.targetId)));
  let raised = 0;
  let cleared = 0;
  for (const c of holding) {
    const existing = openByKey.get(key(c.kind, c.targetId));
    if (!existing) {
      await trx.insertInto('alerts').values({ kind: c.kind, target_id: c.targetId, severity: c.severity, text: c.text, raised_at: at, cleared_at: null }).execute();
      raised++;
    } else if (existing.text !== c.text) {
      await trx.updateTable('alerts').set({ text: c.text }).where('alert_id', '=', existing.alert_id).execute();
    }
  }
  for (const a of open) {
    if (holdingKeys.has(key(a.kind, a.target_id))) continue;
    await trx.updateTable('alerts').set({ cleared_at: at }).where('alert_id', '=', a.alert_id).execute();
    cleared++;
  }
  return { at, raised, cleared, open: holding.length };
}

async function deploymentConditions(db: Kysely<Database>, now: Date): Promise<Condition[]> {
  const rows = await db.selectFrom('deployments').selectAll().where('enabled', '=', 1).orderBy('created_at').execute();
  const out: Condition[] = [];
  for (const record of rows.map(recordOf)) {
    const alerts = record.definition.alerts;
    if (!alerts) continue;
    const due = new Date(deploymentInstant(record.definition.availableAt, record.definition.timeBasis, 'UTC').getTime() + alerts.afterDays * DAY_MS);
    if (now < due) continue;
    const { counts } = await memberStatuses(db, record, now);
    const percent = percentCompliant(counts);
    if (percent >= alerts.belowPercent) continue;
    out.push({
      kind: 'deployment-compliance',
      targetId: record.deploymentId,
      severity: 'warning',
      text: `deployment ${JSON.stringify(record.name)}: ${percent} % compliant (${counts.compliant} of ${counts.members} clients), under ${alerts.belowPercent} % ${alerts.afterDays} day${alerts.afterDays === 1 ? '' : 's'} after its available time`,
    });
  }
  return out;
}

async function syncConditions(db: Kysely<Database>): Promise<Condition[]> {
  const last = await db.selectFrom('sync_runs').select(['run_id', 'status', 'error', 'finished_at']).where('status', '!=', 'running').orderBy('run_id', 'desc').limit(1).executeTakeFirst();
  if (!last || last.status !== 'failed') return [];
  return [{ kind: 'sync-failure', targetId: SYNC_ALERT_TARGET, severity: 'error', text: `sync ${last.run_id} failed at ${last.finished_at}: ${last.error ?? 'no reason recorded'}` }];
}
