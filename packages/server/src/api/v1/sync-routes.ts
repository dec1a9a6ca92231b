import { SupersedenceRules, SyncCriteria, SyncRunRequest, SyncSchedule } from '@patchday/core';
import { Cron } from 'croner';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import { readSetting, writeSetting } from '../../settings/site-settings.ts';
import { SyncConflictError } from '../../sync/sync-service.ts';

const RunIdParam = z.object({ runId: z.coerce.number().int().min(1).max(2 ** 31) });
const RunListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }).strict();

export function registerSyncRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/sync/criteria', { config: { permission: 'read' } }, async () => readSetting(db, 'sync.criteria'));

  app.put('/api/v1/sync/criteria', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const criteria = parseInput(SyncCriteria, request.body, 'sync criteria');
    await db.transaction().execute(async (trx) => {
      await writeSetting(trx, 'sync.criteria', criteria);
      await recordAudit(trx, { actor: actor.username, action: 'sync.criteria', target: 'site', details: criteria }, site.clock.now());
    });
    return criteria;
  });

  app.get('/api/v1/sync/supersedence', { config: { permission: 'read' } }, async () => readSetting(db, 'sync.supersedence'));

  app.put('/api/v1/sync/supersedence', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const rules = parseInput(SupersedenceRules, request.body, 'supersedence rules');
    await db.transaction().execute(async (trx) => {
      await writeSetting(trx, 'sync.supersedence', rules);
      await recordAudit(trx, { actor: actor.username, action: 'sync.supersedence', target: 'site', details: rules }, site.clock.now());
    });
    return rules;
  });

  app.get('/api/v1/sync/schedule', { config: { permission: 'read' } }, async () => ({ ...(await readSetting(db, 'sync.schedule')), ...site.sync.schedule() }));

  app.put('/api/v1/sync/schedule', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const schedule = parseInput(SyncSchedule, request.body, 'sync schedule');
    try {
      new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }).nextRun(site.clock.now());
    } catch (error) {
      throw new HttpError(400, `invalid sync schedule: ${(error as Error).message}`);
    }
    await db.transaction().execute(async (trx) => {
      await writeSetting(trx, 'sync.schedule', schedule);
      await recordAudit(trx, { actor: actor.username, action: 'sync.schedule', target: 'site', details: schedule }, site.clock.now());
    });
    await site.sync.reschedule();
    return { ...schedule, ...site.sync.schedule() };
  });

  app.post('/api/v1/sync/runs', { config: { permission: 'manage' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(SyncRunRequest, request.body, 'sync request');
    let runId: number;
    try {
      runId = await site.sync.start(`manual (${actor.username})`, input);
    } catch (error) {
      if (error instanceof SyncConflictError) throw new HttpError(409, error.message);
      const message = (error as Error).message;
      throw new HttpError(/^no upstream named/.test(message) ? 404 : 400, message);
    }
    await recordAudit(db, { actor: actor.username, action: 'sync.run', target: input.upstream ?? 'all upstreams', details: { runId } }, site.clock.now());
    return reply.status(202).send(await site.sync.getRun(runId));
  });

  app.get('/api/v1/sync/runs', { config: { permission: 'read' } }, async (request) => {
    const { limit } = parseInput(RunListQuery, request.query, 'query');
    return { runs: await site.sync.listRuns(limit) };
  });

  app.get('/api/v1/sync/runs/:runId', { config: { permission: 'read' } }, async (request) => {
    const { runId } = parseInput(RunIdParam, request.params, 'path');
    const run = await site.sync.getRun(runId);
    if (!run) throw notFound(`sync run ${runId}`);
    return run;
  });

  app.get('/api/v1/sync/status', { config: { permission: 'read' } }, async () => {
    const [lastRun] = await site.sync.listRuns(1);
    const lastSuccess = await db.selectFrom('sync_runs').selectAll().where('status', '=', 'succeeded').orderBy('run_id', 'desc').limit(1).executeTakeFirst();
    const suites = await db.selectFrom('suite_states').select(['upstream', 'suite', 'release_date', 'valid_until', 'synced_at']).orderBy('upstream').orderBy('suite').execute();
    const seq = await db.selectFrom('site_settings').select('value').where('key', '=', 'catalogue_seq').executeTakeFirst();
    return {
      lastRun: lastRun ?? null,
      lastSuccessAt: lastSuccess?.finished_at ?? null,
      catalogueSeq: seq ? Number(seq.value) : 0,
      schedule: { ...(await readSetting(db, 'sync.schedule')), ...site.sync.schedule() },
      suites: suites.map((s) => ({ upstream: s.upstream, suite: s.suite, releaseDate: s.release_date, validUntil: s.valid_until, syncedAt: s.synced_at })),
    };
  });
}
