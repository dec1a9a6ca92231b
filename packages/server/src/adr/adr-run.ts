import { UpdateSummary, type AdrDeploymentTemplate, type AdrPreview, type AdrRunResult, type AdrSchedule, type StoredAdrDeployment } from '@patchday/core';
import { Cron } from 'croner';
import { recordAudit } from '../audit/audit-log.ts';
import { findUpdates } from '../catalogue/catalogue-queries.ts';
import { changeDeployment, createDeployment } from '../deployments/deployment-changes.ts';
import { loadDeployment } from '../deployments/deployment-rows.ts';
import { targetPackage } from '../distribution/target-package.ts';
import { findUpdateIdsMatching, replaceGroupUpdates } from '../groups/group-members.ts';
import type { SiteContext } from '../http/context.ts';
import { startContentDownload } from '../packages/package-service.ts';
import { recordStatus, StatusMessageId } from '../status/status-messages.ts';
import { adrOr404, adrRowOf, type AdrRecord } from './adr-rows.ts';

/** A required deployment of a rule without a deadline setting gets one 7 days after each run. */
const DEFAULT_DEADLINE_MINUTES = 7 * 1440;
const PREVIEW_LIMIT = 1000;

/** The rule's next run strictly after `after`, or null when it has no schedule. */
export function nextRunOf(schedule: AdrSchedule | null, after: Date): Date | null {
  if (!schedule) return null;
  return new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true }).nextRun(after) ?? null;
}

/** Checks a cron expression the way a run will read it; returns what is wrong, or null. */
export function cronProblem(schedule: AdrSchedule): string | null {
  try {
    new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true });
    return null;
  } catch (error) {
    return `schedule.cron: ${JSON.stringify(schedule.cron)} is not a cron expression (${(error as Error).message}); e.g. "0 22 * * TUE#2" is the second Tuesday at 22:00`;
  }
}

const wallClock = new Map<string, Intl.DateTimeFormat>();

/** `at` as a wall-clock time without offset in `zone` (`2026-12-08T22:00:00`). */
function wallClockOf(at: Date, zone: string): string {
  let format = wallClock.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    wallClock.set(zone, format);
  }
  return format.format(at).replace(' ', 'T');
}

/**
 * A deployment time `minutes` after the run: an instant for UTC deployments; for client-local ones
 * the wall-clock time it is then in the rule's schedule zone, which every client reads in its own.
 */
function timeAfterRun(run: Date, minutes: number, basis: 'utc' | 'client-local', zone: string): string {
  const at = new Date(run.getTime() + minutes * 60_000);
  return basis === 'utc' ? at.toISOString() : wallClockOf(at, zone);
}

function deploymentTimes(t: AdrDeploymentTemplate, run: Date, zone: string): { availableAt: string; deadlineAt: string | null } {
  const availableAt = timeAfterRun(run, t.availableAfterMinutes, t.timeBasis, zone);
  if (t.purpose === 'available') return { availableAt, deadlineAt: null };
  const deadline = Math.max(t.availableAfterMinutes, t.deadlineAfterMinutes ?? DEFAULT_DEADLINE_MINUTES);
  return { availableAt, deadlineAt: timeAfterRun(run, deadline, t.timeBasis, zone) };
}

/** What the rule selects now and how that differs from its group; changes nothing. */
export async function previewAdr(site: SiteContext, adrId: string): Promise<AdrPreview> {
  const { db } = site.store;
  const adr = await adrOr404(db, adrId);
  const now = site.clock.now();
  const selected = await findUpdateIdsMatching(db, adr.definition.criteria, now);
  const members = new Set((await db.selectFrom('update_group_members').select('update_id').where('group_id', '=', adr.groupId).execute()).map((r) => r.update_id));
  const chosen = new Set(selected);
  const page = await findUpdates(db, { ...adr.definition.criteria, expired: false, sort: '-releaseDate', page: 1, pageSize: PREVIEW_LIMIT }, now);
  return {
    adrId,
    at: now.toISOString(),
    total: selected.length,
    wouldAdd: selected.filter((id) => !members.has(id)).length,
    wouldRemove: [...members].filter((id) => !chosen.has(id)).length,
    updates: page.updates.map((u) => UpdateSummary.parse(u)),
  };
}

/**
 * §6.3 one run of a rule: the group is emptied and refilled with what matches now; the rule's
 * deployments are created (first run) or given this run's available time and deadline; then the
 * group's files are downloaded into the rule's package and the package is sent to its distribution
 * points. A run that fails records why on the rule and as a status message, and changes nothing in
 * the group or deployments (they are changed in one transaction).
 */
export async function runAdr(site: SiteContext, adrId: string, trigger: AdrRunResult['trigger'], actor: string): Promise<AdrRunResult> {
  const { db } = site.store;
  const now = site.clock.now();
  const adr = await adrOr404(db, adrId);
  const result: AdrRunResult = { at: now.toISOString(), trigger, status: 'succeeded', updates: 0, added: 0, removed: 0, filesQueued: 0, deploymentsCreated: 0, error: null };
  const zone = adr.definition.schedule?.timeZone ?? 'UTC';
  let deployments: StoredAdrDeployment[] = adr.definition.deployments;
  try {
    const selected = await findUpdateIdsMatching(db, adr.definition.criteria, now);
    await db.transaction().execute(async (trx) => {
      const before = new Set((await trx.selectFrom('update_group_members').select('update_id').where('group_id', '=', adr.groupId).execute()).map((r) => r.update_id));
      await replaceGroupUpdates(trx, adr.groupId, selected, now);
      await trx.updateTable('update_groups').set({ updated_at: now.toISOString() }).where('group_id', '=', adr.groupId).execute();
      const chosen = new Set(selected);
      result.updates = selected.length;
      result.added = selected.filter((id) => !before.has(id)).length;
      result.removed = [...before].filter((id) => !chosen.has(id)).length;
      const kept: StoredAdrDeployment[] = [];
      for (const t of adr.definition.deployments) {
        const times = deploymentTimes(t, now, zone);
        const existing = t.deploymentId ? await loadDeployment(trx, t.deploymentId) : null;
        if (existing) {
          await changeDeployment(trx, existing.deploymentId, { ...times, reportOnly: adr.definition.mode === 'report' }, { actor, now });
          kept.push(t);
          continue;
        }
        const collection = await trx.selectFrom('collections').select('name').where('collection_id', '=', t.collectionId).executeTakeFirst();
        const created = await createDeployment(
          trx,
          {
            name: t.name ?? `${adr.name} → ${collection?.name ?? t.collectionId}`,
            groupId: adr.groupId,
            collectionId: t.collectionId,
            purpose: t.purpose,
            timeBasis: t.timeBasis,
            ...times,
            restartSuppression: t.restartSuppression,
            installOutsideWindows: t.installOutsideWindows,
            restartOutsideWindows: t.restartOutsideWindows,
            maxRunMinutes: t.maxRunMinutes,
            updateMaxRunMinutes: {},
            reportOnly: adr.definition.mode === 'report',
            alerts: t.alerts,
            enabled: t.enabled,
          },
          { actor, now, adrId },
        );
        result.deploymentsCreated++;
        kept.push({ ...t, deploymentId: created.deploymentId });
      }
      deployments = kept;
      await recordAudit(trx, { actor, action: 'adr.run', target: adrId, details: { name: adr.name, trigger, updates: result.updates, added: result.added, removed: result.removed, deploymentsCreated: result.deploymentsCreated } }, now);
    });
    if (adr.definition.mode === 'deploy' && adr.definition.download.download && adr.packageId && result.updates > 0) {
      const started = await startContentDownload(site, adr.packageId, { groupId: adr.groupId, from: 'upstream' }, actor);
      result.filesQueued = started.queued;
      const chosen = adr.definition.download.distributionPointIds;
      const dpIds = chosen.length ? chosen : (await db.selectFrom('distribution_points').select('dp_id').where('enabled', '=', 1).execute()).map((d) => d.dp_id);
      await targetPackage(db, adr.packageId, dpIds, { actor, now });
    }
  } catch (error) {
    result.status = 'failed';
    result.error = (error as Error).message;
    await recordStatus(db, { messageId: StatusMessageId.adrRunFailed, severity: 'error', component: 'automatic deployment rules', text: `rule ${JSON.stringify(adr.name)} failed: ${result.error}`, details: { adrId } }, now);
  }
  const next = adr.enabled ? nextRunOf(adr.definition.schedule, now) : null;
  const finished: AdrRecord = { ...adr, definition: { ...adr.definition, deployments }, lastRunAt: result.at, lastRun: result, nextRunAt: next?.toISOString() ?? null };
  const { adr_id: _id, created_at: _c, created_by: _b, name_key: _k, ...row } = adrRowOf(finished);
  await db.updateTable('automatic_deployment_rules').set(row).where('adr_id', '=', adrId).execute();
  return result;
}
