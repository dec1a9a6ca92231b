import { UpdateComplianceQuery, UpdateQuery, type UpdateCompliance, type UpdateDetail, type UpdatePage } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findUpdates, getUpdateDetail } from '../../catalogue/catalogue-queries.ts';
import { collectionExists, updateCompliance } from '../../compliance/client-compliance.ts';
import { countPage } from '../../compliance/page-counts.ts';
import type { SiteContext } from '../../http/context.ts';
import { notFound, parseInput } from '../../http/http-error.ts';

const UpdateIdParam = z.object({ updateId: z.string().uuid('an updateId is a UUID') });

export function registerUpdateRoutes(app: FastifyInstance, site: SiteContext): void {
  app.get('/api/v1/updates', { config: { permission: 'read' } }, async (request): Promise<UpdatePage> => {
    const query = parseInput(UpdateQuery, request.query, 'query');
    if (query.collectionId !== undefined && !(await collectionExists(site.store.db, query.collectionId))) throw notFound(`collection ${query.collectionId}`);
    const page = await findUpdates(site.store.db, query, site.clock.now());
    if (!query.withCounts) return page;
    return { ...page, counts: await countPage(site.store.db, page.updates.map((u) => u.updateId), { collectionId: query.collectionId, estimates: site.estimates }) };
  });

  app.get('/api/v1/updates/:updateId', { config: { permission: 'read' } }, async (request): Promise<UpdateDetail> => {
    const { updateId } = parseInput(UpdateIdParam, request.params, 'path');
    const detail = await getUpdateDetail(site.store.db, updateId);
    if (!detail) throw notFound(`update ${updateId}`);
    return detail;
  });

  app.get('/api/v1/updates/:updateId/compliance', { config: { permission: 'read' } }, async (request): Promise<UpdateCompliance> => {
    const { updateId } = parseInput(UpdateIdParam, request.params, 'path');
    const query = parseInput(UpdateComplianceQuery, request.query, 'query');
    if (query.collectionId !== undefined && !(await collectionExists(site.store.db, query.collectionId))) throw notFound(`collection ${query.collectionId}`);
    const compliance = await updateCompliance(site.store.db, updateId, query);
    if (!compliance) throw notFound(`update ${updateId}`);
    return compliance;
  });
}
