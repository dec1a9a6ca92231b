import { CatalogueProducts, UpdateCountsQuery, type UpdateContentStatus, type UpdateCountsList } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { collectionExists } from '../../compliance/client-compliance.ts';
import { countPage } from '../../compliance/page-counts.ts';
import type { SiteContext } from '../../http/context.ts';
import { notFound, parseInput } from '../../http/http-error.ts';
import { hasContent } from '../../packages/content-flags.ts';

const UpdateIdParam = z.strictObject({ updateId: z.string().uuid('an updateId is a UUID').transform((s) => s.toLowerCase()) });

/**
 * What a catalogue listing shows beside each update, read-only: `GET /api/v1/compliance/updates`
 * (counts for one page of updates in one call, the way the fleet summary counts them),
 * `GET /api/v1/catalogue/products` and `GET /api/v1/updates/:updateId/content`.
 */
export function registerUpdateOverviewRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/compliance/updates', { config: { permission: 'read' } }, async (request): Promise<UpdateCountsList> => {
    const { ids, collectionId } = parseInput(UpdateCountsQuery, request.query, 'query');
    if (collectionId !== undefined && !(await collectionExists(db, collectionId))) throw notFound(`collection ${collectionId}`);
    return countPage(db, ids, { collectionId, estimates: site.estimates });
  });

  app.get('/api/v1/catalogue/products', { config: { permission: 'read' } }, async (): Promise<CatalogueProducts> => {
    const rows = await db
      .selectFrom('updates')
      .select((eb) => ['product', 'suite', eb.fn.countAll<number | string>().as('n')])
      .groupBy(['product', 'suite'])
      .orderBy('product')
      .orderBy('suite')
      .execute();
    const products = new Map<string, { product: string; updates: number; suites: string[] }>();
    for (const r of rows) {
      let p = products.get(r.product);
      if (!p) products.set(r.product, (p = { product: r.product, updates: 0, suites: [] }));
      p.updates += Number(r.n);
      p.suites.push(r.suite);
    }
    return { products: [...products.values()] };
  });

  app.get('/api/v1/updates/:updateId/content', { config: { permission: 'read' } }, async (request): Promise<UpdateContentStatus> => {
    const { updateId } = parseInput(UpdateIdParam, request.params, 'path');
    const update = await db
      .selectFrom('updates')
      .select(['update_id', 'expired', sql<number>`case when ${hasContent('updates.update_id')} then 1 else 0 end`.as('has_content')])
      .where('update_id', '=', updateId)
      .executeTakeFirst();
    if (!update) throw notFound(`update ${updateId}`);
    const packages = await db
      .selectFrom('package_files as f')
      .innerJoin('deployment_packages as p', 'p.package_id', 'f.package_id')
      .select((eb) => [
        'p.package_id',
        'p.name',
        'p.content_version',
        eb.fn.countAll<number | string>().as('files'),
        sql<number | string>`sum(case when f.state = 'stored' then 1 else 0 end)`.as('stored'),
      ])
      .where('f.update_id', '=', updateId)
      .groupBy(['p.package_id', 'p.name', 'p.content_version'])
      .orderBy('p.name')
      .execute();
    return {
      updateId,
      hasContent: Number(update.has_content) === 1,
      expired: update.expired === 1,
      packages: packages.map((p) => ({
        packageId: p.package_id,
        name: p.name,
        contentVersion: p.content_version,
        files: Number(p.files),
        stored: Number(p.stored),
        complete: Number(p.files) === Number(p.stored),
      })),
    };
  });
}
