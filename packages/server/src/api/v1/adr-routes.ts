import { randomUUID } from 'node:crypto';
import { AdrDefinition, CreateAdrRequest, UpdateAdrRequest, type AdrPreview, type AdrRunResult, type AutomaticDeploymentRule } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { adrOr404, adrRecordOf, adrRowOf, type AdrRecord } from '../../adr/adr-rows.ts';
import { cronProblem, nextRunOf, previewAdr } from '../../adr/adr-run.ts';
import { adrSchedulerOf } from '../../adr/adr-scheduler.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import { createPackage, deletePackage } from '../../packages/package-service.ts';
import type { Database } from '../../store/schema.ts';

const AdrIdParam = z.strictObject({ adrId: z.string().uuid('a rule id is a UUID').transform((s) => s.toLowerCase()) });

type Db = Kysely<Database> | Transaction<Database>;

/** The rule as the API shows it: names of its group and package, and whether each deployment is enabled. */
async function describe(db: Db, r: AdrRecord): Promise<AutomaticDeploymentRule> {
  const group = await db.selectFrom('update_groups').select('name').where('group_id', '=', r.groupId).executeTakeFirst();
  const pkg = r.packageId ? await db.selectFrom('deployment_packages').select('name').where('package_id', '=', r.packageId).executeTakeFirst() : undefined;
  const ids = r.definition.deployments.flatMap((d) => (d.deploymentId ? [d.deploymentId] : []));
  const enabled = new Map(ids.length ? (await db.selectFrom('deployments').select(['deployment_id', 'enabled']).where('deployment_id', 'in', ids).execute()).map((d) => [d.deployment_id, Number(d.enabled) === 1]) : []);
  const { description, criteria, schedule, mode, download, deployments } = r.definition;
  return {
    adrId: r.adrId,
    name: r.name,
    enabled: r.enabled,
    groupId: r.groupId,
    groupName: group?.name ?? '',
    packageId: r.packageId,
    packageName: pkg?.name ?? null,
    description,
    criteria,
    schedule,
    mode,
    download,
    // A deployment an administrator deleted shows as null: the next run creates it again.
    deployments: deployments.map((d) => ({ ...d, deploymentEnabled: d.deploymentId ? (enabled.get(d.deploymentId) ?? null) : null })),
    nextRunAt: r.nextRunAt,
    lastRunAt: r.lastRunAt,
    lastRun: r.lastRun,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * Checks what a rule refers to, before anything is written: its schedule parses, and its
 * collections and distribution points exist.
 */
async function checkReferences(db: Db, d: Pick<AdrDefinition, 'schedule' | 'deployments' | 'download'>): Promise<void> {
  const cron = d.schedule ? cronProblem(d.schedule) : null;
  if (cron) throw new HttpError(400, `invalid automatic deployment rule: ${cron}`);
  const collections = [...new Set(d.deployments.map((t) => t.collectionId))];
  const known = new Set((await db.selectFrom('collections').select('collection_id').where('collection_id', 'in', collections).execute()).map((c) => c.collection_id));
  const missing = collections.filter((c) => !known.has(c));
  if (missing.length) throw notFound(`collection${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const dps = d.download.distributionPointIds;
  if (dps.length) {
    const found = new Set((await db.selectFrom('distribution_points').select('dp_id').where('dp_id', 'in', dps).execute()).map((p) => p.dp_id));
    const absent = dps.filter((p) => !found.has(p));
    if (absent.length) throw notFound(`distribution point${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
  }
}

async function checkNameFree(db: Db, name: string, except?: string): Promise<void> {
  const clash = await db.selectFrom('automatic_deployment_rules').select(['adr_id', 'name']).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
  if (clash && clash.adr_id !== except) throw new HttpError(409, `an automatic deployment rule named ${JSON.stringify(clash.name)} already exists (${clash.adr_id})`);
}

/** Automatic deployment rules (`/api/v1/adrs`, §6.3). Semantics: docs/automatic-deployment-rules.md. */
export function registerAdrRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;
  const scheduler = adrSchedulerOf(site);

  app.get('/api/v1/adrs', { config: { permission: 'read' } }, async (): Promise<{ adrs: AutomaticDeploymentRule[] }> => {
    const rows = await db.selectFrom('automatic_deployment_rules').selectAll().orderBy('name_key').execute();
    return { adrs: await Promise.all(rows.map((r) => describe(db, adrRecordOf(r)))) };
  });

  app.get('/api/v1/adrs/:adrId', { config: { permission: 'read' } }, async (request): Promise<AutomaticDeploymentRule> => {
    const { adrId } = parseInput(AdrIdParam, request.params, 'path');
    return describe(db, await adrOr404(db, adrId));
  });

  app.post('/api/v1/adrs', { config: { permission: 'manage' } }, async (request, reply): Promise<AutomaticDeploymentRule> => {
    const actor = principalOf(request).username;
    const input = parseInput(CreateAdrRequest, request.body, 'automatic deployment rule');
    const definition: AdrDefinition = {
      description: input.description,
      criteria: input.criteria,
      schedule: input.schedule,
      mode: input.mode,
      download: input.download,
      deployments: input.deployments.map((t) => ({ ...t, deploymentId: null })),
    };
    await checkReferences(db, definition);
    await checkNameFree(db, input.name);
    if (input.groupId) {
      if (!(await db.selectFrom('update_groups').select('group_id').where('group_id', '=', input.groupId).executeTakeFirst())) throw notFound(`update group ${input.groupId}`);
      const user = await db.selectFrom('automatic_deployment_rules').select('name').where('group_id', '=', input.groupId).executeTakeFirst();
      if (user) throw new HttpError(409, `update group ${input.groupId} is already refilled by automatic deployment rule ${JSON.stringify(user.name)}; two rules cannot share a group`);
    } else {
      const clash = await db.selectFrom('update_groups').select('group_id').where('name_key', '=', input.name.toLowerCase()).executeTakeFirst();
      if (clash) throw new HttpError(409, `an update group named ${JSON.stringify(input.name)} already exists (${clash.group_id}): pass it as groupId to let the rule refill it, or name the rule differently`);
    }
    if (input.packageId && !(await db.selectFrom('deployment_packages').select('package_id').where('package_id', '=', input.packageId).executeTakeFirst())) {
      throw notFound(`deployment package ${input.packageId}`);
    }
    const now = site.clock.now();
    // A package of its own only when the rule downloads; made first (it creates a folder), undone if the rule is refused.
    const ownPackage = !input.packageId && input.mode === 'deploy' && input.download.download ? await createPackage(site, { name: input.name, description: `Files of automatic deployment rule ${input.name}` }, actor) : null;
    const adrId = randomUUID();
    try {
      await db.transaction().execute(async (trx) => {
        await checkNameFree(trx, input.name);
        const groupId = input.groupId ?? randomUUID();
        if (!input.groupId) {
          await trx
            .insertInto('update_groups')
            .values({ group_id: groupId, name: input.name, name_key: input.name.toLowerCase(), description: `Refilled by automatic deployment rule ${input.name}`, created_by: actor, created_at: now.toISOString(), updated_at: now.toISOString() })
            .execute();
        }
        const record: AdrRecord = {
          adrId,
          name: input.name,
          enabled: input.enabled,
          groupId,
          packageId: input.packageId ?? ownPackage?.packageId ?? null,
          definition,
          nextRunAt: input.enabled ? (nextRunOf(definition.schedule, now)?.toISOString() ?? null) : null,
          lastRunAt: null,
          lastRun: null,
          createdBy: actor,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        };
        await trx.insertInto('automatic_deployment_rules').values(adrRowOf(record)).execute();
        await recordAudit(trx, { actor, action: 'adr.create', target: adrId, details: { name: input.name, groupId, packageId: record.packageId, ...definition } }, now);
      });
    } catch (error) {
      if (ownPackage) await deletePackage(site, ownPackage.packageId, actor);
      throw error;
    }
    await scheduler.reschedule();
    reply.code(201);
    return describe(db, await adrOr404(db, adrId));
  });

  app.patch('/api/v1/adrs/:adrId', { config: { permission: 'manage' } }, async (request): Promise<AutomaticDeploymentRule> => {
    const actor = principalOf(request).username;
    const { adrId } = parseInput(AdrIdParam, request.params, 'path');
    const input = parseInput(UpdateAdrRequest, request.body, 'automatic deployment rule');
    const now = site.clock.now();
    await db.transaction().execute(async (trx) => {
      const current = await adrOr404(trx, adrId);
      if (input.name !== undefined) await checkNameFree(trx, input.name, adrId);
      const d = current.definition;
      // A template keeps its deployment while it is given for the same collection at the same place in the list.
      const deployments = input.deployments
        ? input.deployments.map((t, i) => ({ ...t, deploymentId: d.deployments[i]?.collectionId === t.collectionId ? d.deployments[i].deploymentId : null }))
        : d.deployments;
      const definition: AdrDefinition = {
        description: input.description ?? d.description,
        criteria: input.criteria ?? d.criteria,
        schedule: input.schedule === undefined ? d.schedule : input.schedule,
        mode: input.mode ?? d.mode,
        download: input.download ?? d.download,
        deployments,
      };
      await checkReferences(trx, definition);
      const enabled = input.enabled ?? current.enabled;
      const next: AdrRecord = {
        ...current,
        name: input.name ?? current.name,
        enabled,
        definition,
        nextRunAt: enabled ? (nextRunOf(definition.schedule, now)?.toISOString() ?? null) : null,
        updatedAt: now.toISOString(),
      };
      const { adr_id: _id, created_at: _c, created_by: _b, ...row } = adrRowOf(next);
      await trx.updateTable('automatic_deployment_rules').set(row).where('adr_id', '=', adrId).execute();
      const changed = Object.keys(input);
      const action = changed.length === 1 && changed[0] === 'enabled' ? (enabled ? 'adr.enable' : 'adr.disable') : 'adr.update';
      await recordAudit(trx, { actor, action, target: adrId, details: { name: next.name, changed, enabled, ...definition } }, now);
    });
    await scheduler.reschedule();
    return describe(db, await adrOr404(db, adrId));
  });

  app.delete('/api/v1/adrs/:adrId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request).username;
    const { adrId } = parseInput(AdrIdParam, request.params, 'path');
    const now = site.clock.now();
    await db.transaction().execute(async (trx) => {
      const current = await adrOr404(trx, adrId);
      // The group, the package and the deployments stay: they are the administrator's now.
      await trx.updateTable('deployments').set({ adr_id: null }).where('adr_id', '=', adrId).execute();
      await trx.deleteFrom('automatic_deployment_rules').where('adr_id', '=', adrId).execute();
      await recordAudit(trx, { actor, action: 'adr.delete', target: adrId, details: { name: current.name, groupId: current.groupId, packageId: current.packageId } }, now);
    });
    await scheduler.reschedule();
    return { adrId, deleted: true };
  });

  app.post('/api/v1/adrs/:adrId/preview', { config: { permission: 'read' } }, async (request): Promise<AdrPreview> => {
    const { adrId } = parseInput(AdrIdParam, request.params, 'path');
    return previewAdr(site, adrId);
  });

  app.post('/api/v1/adrs/:adrId/run', { config: { permission: 'manage' } }, async (request): Promise<AdrRunResult> => {
    const actor = principalOf(request).username;
    const { adrId } = parseInput(AdrIdParam, request.params, 'path');
    await adrOr404(db, adrId);
    return scheduler.runNow(adrId, actor);
  });
}
