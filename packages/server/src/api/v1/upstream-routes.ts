import { DebianUpstreamInput, type Upstream } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import { fromUpstreamRow, listUpstreams } from '../../upstreams/upstream-rows.ts';

const NameParam = z.object({ name: z.string().max(63) });

export function registerUpstreamRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/upstreams', { config: { permission: 'read' } }, async () => ({ upstreams: await listUpstreams(db) }));

  app.get('/api/v1/upstreams/:name', { config: { permission: 'read' } }, async (request): Promise<Upstream> => {
    const { name } = parseInput(NameParam, request.params, 'path');
    const row = await db.selectFrom('upstreams').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`upstream ${name}`);
    return fromUpstreamRow(row);
  });

  app.post('/api/v1/upstreams', { config: { permission: 'administer' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(DebianUpstreamInput, request.body, 'upstream');
    if (new Set(input.suites).size !== input.suites.length) throw new HttpError(400, 'invalid upstream: suites: a suite is listed twice');
    const exists = await db.selectFrom('upstreams').select('name').where('name', '=', input.name).executeTakeFirst();
    if (exists) throw new HttpError(409, `upstream ${input.name} already exists (remove it first to change it)`);
    const sameArchive = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
    const clash = (await listUpstreams(db)).flatMap((u) => u.suites.filter((s) => input.suites.includes(s) && sameArchive(u.url, input.url)).map((s) => `${s} (in ${u.name})`));
    if (clash.length) throw new HttpError(409, `these suites of ${input.url} are already synced by another upstream: ${clash.join(', ')}`);
    const now = site.clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('upstreams')
        .values({ name: input.name, kind: input.kind, url: input.url, suites: JSON.stringify(input.suites), architectures: JSON.stringify(input.architectures), keyring: input.keyring, allow_stale: input.allowStale ? 1 : 0, created_at: now, updated_at: now })
        .execute();
      await recordAudit(trx, { actor: actor.username, action: 'upstream.add', target: input.name, details: { ...input } }, site.clock.now());
    });
    return reply.status(201).send({ ...input, createdAt: now, updatedAt: now });
  });

  app.delete('/api/v1/upstreams/:name', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const { name } = parseInput(NameParam, request.params, 'path');
    const row = await db.selectFrom('upstreams').select('name').where('name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`upstream ${name}`);
    const running = site.sync.schedule().runningRunId;
    if (running !== null) throw new HttpError(409, `a sync is running (run ${running}); remove the upstream when it has finished`);
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('upstreams').where('name', '=', name).execute();
      // Its updates stay in the catalogue as history; only the sync state goes.
      await trx.deleteFrom('suite_states').where('upstream', '=', name).execute();
      await recordAudit(trx, { actor: actor.username, action: 'upstream.remove', target: name }, site.clock.now());
    });
    return { name, removed: true };
  });
}
