import { randomUUID } from 'node:crypto';
import {
  AddDistributionPointRequest,
  DistributePackageRequest,
  OrderDistributionPointsRequest,
  UpdateDistributionPointRequest,
  type DistributionPoint,
  type DistributionPointWithCredential,
  type PackageDistribution,
} from '@patchday/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { newDpCredential } from '../../distribution/dp-credentials.ts';
import { dpPackageStatuses, packageContents } from '../../distribution/dp-package-states.ts';
import { toDistributionPoint, type DpRow } from '../../distribution/dp-rows.ts';
import { targetPackage } from '../../distribution/target-package.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import type { Database } from '../../store/schema.ts';

const id = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());
const DpIdParam = z.strictObject({ dpId: id('a distribution point id') });
const PackageIdParam = z.strictObject({ packageId: id('a package id') });
const TargetParam = z.strictObject({ packageId: id('a package id'), dpId: id('a distribution point id') });

/** The URL the administrator reached this site by: the site's own distribution point is served there. */
const siteUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/**
 * Distribution points (`/api/v1/distribution-points`) and the distribution of deployment packages
 * to them (`/api/v1/packages/:packageId/distribute`, `/distribution`). Concepts: docs/distribution-points.md.
 */
export function registerDistributionPointRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  async function dpOr404(trx: Kysely<Database>, dpId: string): Promise<DpRow> {
    const row = await trx.selectFrom('distribution_points').selectAll().where('dp_id', '=', dpId).executeTakeFirst();
    if (!row) throw notFound(`distribution point ${dpId}`);
    return row;
  }

  async function packageOr404(trx: Kysely<Database>, packageId: string) {
    const row = await trx.selectFrom('deployment_packages').select(['package_id', 'name', 'content_version']).where('package_id', '=', packageId).executeTakeFirst();
    if (!row) throw notFound(`deployment package ${packageId}`);
    return row;
  }

  async function view(trx: Kysely<Database>, row: DpRow, siteUrl: string): Promise<DistributionPoint> {
    return toDistributionPoint(row, await dpPackageStatuses(trx, { dpId: row.dp_id }), siteUrl);
  }

  async function listAll(trx: Kysely<Database>, siteUrl: string): Promise<DistributionPoint[]> {
    const rows = await trx.selectFrom('distribution_points').selectAll().orderBy('sort_order').orderBy('name_key').execute();
    const statuses = await dpPackageStatuses(trx);
    return rows.map((r) => toDistributionPoint(r, statuses.filter((s) => s.dpId === r.dp_id), siteUrl));
  }

  /** Names are unique regardless of case, and one URL is one distribution point. */
  async function checkClashes(trx: Kysely<Database>, dpId: string, name: string | undefined, url: string | undefined): Promise<void> {
    if (name !== undefined) {
      const clash = await trx.selectFrom('distribution_points').select(['dp_id', 'name']).where('name_key', '=', name.toLowerCase()).where('dp_id', '!=', dpId).executeTakeFirst();
      if (clash) throw new HttpError(409, `a distribution point named ${JSON.stringify(clash.name)} already exists (${clash.dp_id})`);
    }
    if (url !== undefined) {
      const clash = await trx.selectFrom('distribution_points').select(['dp_id', 'name']).where('url', '=', url).where('dp_id', '!=', dpId).executeTakeFirst();
      if (clash) throw new HttpError(409, `${url} is already distribution point ${JSON.stringify(clash.name)} (${clash.dp_id})`);
    }
  }

  async function packageDistribution(trx: Kysely<Database>, pkg: { package_id: string; name: string; content_version: number }): Promise<PackageDistribution> {
    const content = (await packageContents(trx, [pkg.package_id])).get(pkg.package_id);
    return { packageId: pkg.package_id, name: pkg.name, contentVersion: pkg.content_version, bytesTotal: content?.bytesTotal ?? 0, distributionPoints: await dpPackageStatuses(trx, { packageId: pkg.package_id }) };
  }

  app.get('/api/v1/distribution-points', { config: { permission: 'read' } }, async (request): Promise<{ distributionPoints: DistributionPoint[] }> => ({
    distributionPoints: await listAll(db, siteUrlOf(request)),
  }));

  app.get('/api/v1/distribution-points/:dpId', { config: { permission: 'read' } }, async (request): Promise<DistributionPoint> => {
    const { dpId } = parseInput(DpIdParam, request.params, 'path');
    return view(db, await dpOr404(db, dpId), siteUrlOf(request));
  });

  app.post('/api/v1/distribution-points', { config: { permission: 'administer' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(AddDistributionPointRequest, request.body, 'distribution point');
    const now = site.clock.now();
    const { credential, hash } = newDpCredential();
    const dpId = randomUUID();
    const created = await db.transaction().execute(async (trx): Promise<DistributionPointWithCredential> => {
      await checkClashes(trx, dpId, input.name, input.url);
      const last = await trx.selectFrom('distribution_points').select((eb) => eb.fn.max('sort_order').as('n')).executeTakeFirst();
      const row: DpRow = {
        dp_id: dpId,
        name: input.name,
        name_key: input.name.toLowerCase(),
        kind: 'remote',
        url: input.url,
        credential_hash: hash,
        sort_order: Number(last?.n ?? -1) + 1,
        enabled: 1,
        created_at: now.toISOString(),
        last_seen_at: null,
      };
      await trx.insertInto('distribution_points').values(row).execute();
      await recordAudit(trx, { actor: actor.username, action: 'distribution-point.add', target: dpId, details: { name: row.name, url: row.url, sortOrder: row.sort_order } }, now);
      return { ...(await view(trx, row, siteUrlOf(request))), credential };
    });
    return reply.status(201).send(created);
  });

  app.patch('/api/v1/distribution-points/:dpId', { config: { permission: 'administer' } }, async (request): Promise<DistributionPoint> => {
    const actor = principalOf(request);
    const { dpId } = parseInput(DpIdParam, request.params, 'path');
    const input = parseInput(UpdateDistributionPointRequest, request.body, 'distribution point');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const current = await dpOr404(trx, dpId);
      if (input.url !== undefined && current.kind === 'site') throw new HttpError(400, `invalid distribution point: url: ${current.name} is the site's own library, served at the site's URL; it has no URL of its own`);
      await checkClashes(trx, dpId, input.name, input.url);
      const next: DpRow = {
        ...current,
        name: input.name ?? current.name,
        name_key: (input.name ?? current.name).toLowerCase(),
        url: input.url ?? current.url,
        enabled: input.enabled === undefined ? current.enabled : input.enabled ? 1 : 0,
      };
      await trx.updateTable('distribution_points').set({ name: next.name, name_key: next.name_key, url: next.url, enabled: next.enabled }).where('dp_id', '=', dpId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'distribution-point.update', target: dpId, details: { name: next.name, changed: Object.keys(input), url: next.url, enabled: next.enabled === 1 } }, now);
      return view(trx, next, siteUrlOf(request));
    });
  });

  app.post('/api/v1/distribution-points/:dpId/credential', { config: { permission: 'administer' } }, async (request): Promise<DistributionPointWithCredential> => {
    const actor = principalOf(request);
    const { dpId } = parseInput(DpIdParam, request.params, 'path');
    const now = site.clock.now();
    const { credential, hash } = newDpCredential();
    return db.transaction().execute(async (trx) => {
      const current = await dpOr404(trx, dpId);
      if (current.kind === 'site') throw new HttpError(400, `${current.name} is the site's own library; it has no credential`);
      await trx.updateTable('distribution_points').set({ credential_hash: hash }).where('dp_id', '=', dpId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'distribution-point.new-credential', target: dpId, details: { name: current.name } }, now);
      return { ...(await view(trx, { ...current, credential_hash: hash }, siteUrlOf(request))), credential };
    });
  });

  app.put('/api/v1/distribution-points/order', { config: { permission: 'administer' } }, async (request): Promise<{ distributionPoints: DistributionPoint[] }> => {
    const actor = principalOf(request);
    const { dpIds } = parseInput(OrderDistributionPointsRequest, request.body, 'order');
    const wanted = dpIds.map((d) => d.toLowerCase());
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('distribution_points').select(['dp_id', 'name', 'sort_order']).orderBy('sort_order').orderBy('name_key').execute();
      const unknown = wanted.filter((w) => !rows.some((r) => r.dp_id === w));
      if (unknown.length) throw notFound(`distribution point${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
      const ordered = [...wanted.map((w) => rows.find((r) => r.dp_id === w)!), ...rows.filter((r) => !wanted.includes(r.dp_id))];
      for (const [i, r] of ordered.entries()) {
        if (r.sort_order !== i) await trx.updateTable('distribution_points').set({ sort_order: i }).where('dp_id', '=', r.dp_id).execute();
      }
      await recordAudit(trx, { actor: actor.username, action: 'distribution-point.order', target: 'distribution-points', details: { order: ordered.map((r) => r.name) } }, now);
      return { distributionPoints: await listAll(trx, siteUrlOf(request)) };
    });
  });

  app.delete('/api/v1/distribution-points/:dpId', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const { dpId } = parseInput(DpIdParam, request.params, 'path');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const current = await dpOr404(trx, dpId);
      if (current.kind === 'site') throw new HttpError(409, `${current.name} is the site's own library and cannot be removed; disable it to leave it out of clients' policy`);
      const packages = await trx.selectFrom('dp_packages').select('package_id').where('dp_id', '=', dpId).execute();
      await trx.deleteFrom('dp_packages').where('dp_id', '=', dpId).execute();
      await trx.deleteFrom('distribution_points').where('dp_id', '=', dpId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'distribution-point.remove', target: dpId, details: { name: current.name, url: current.url, packages: packages.length } }, now);
      return { dpId, removed: true };
    });
  });

  app.post('/api/v1/packages/:packageId/distribute', { config: { permission: 'manage' } }, async (request): Promise<PackageDistribution> => {
    const actor = principalOf(request);
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    const { dpIds } = parseInput(DistributePackageRequest, request.body, 'distribution');
    return db.transaction().execute(async (trx) => {
      const { package: pkg } = await targetPackage(trx, packageId, dpIds, { actor: actor.username, now: site.clock.now(), redistribute: true });
      return packageDistribution(trx, pkg);
    });
  });

  app.get('/api/v1/packages/:packageId/distribution', { config: { permission: 'read' } }, async (request): Promise<PackageDistribution> => {
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    return packageDistribution(db, await packageOr404(db, packageId));
  });

  app.delete('/api/v1/packages/:packageId/distribution/:dpId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { packageId, dpId } = parseInput(TargetParam, request.params, 'path');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const pkg = await packageOr404(trx, packageId);
      const dp = await dpOr404(trx, dpId);
      const removed = await trx.deleteFrom('dp_packages').where('package_id', '=', packageId).where('dp_id', '=', dpId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) throw notFound(`package ${JSON.stringify(pkg.name)} on distribution point ${JSON.stringify(dp.name)}`);
      await recordAudit(trx, { actor: actor.username, action: 'package.undistribute', target: packageId, details: { name: pkg.name, dpId, dpName: dp.name } }, now);
      return { packageId, dpId, removed: true };
    });
  });
}
