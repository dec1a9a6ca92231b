import { ComplianceSummaryQuery, type ComplianceSummary } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { collectionExists } from '../../compliance/client-compliance.ts';
import { SummaryCache } from '../../compliance/summary-cache.ts';
import { SummaryWorkers } from '../../compliance/summary-worker.ts';
import type { SiteContext } from '../../http/context.ts';
import { notFound, parseInput } from '../../http/http-error.ts';

/**
 * Fleet compliance reports (§9) that are about no single client or update:
 * `GET /api/v1/compliance/summary`. Per client and per update: client-routes.ts, update-routes.ts.
 */
export function registerComplianceRoutes(app: FastifyInstance, site: SiteContext): void {
  // A large fleet's count would hold the site's thread for seconds: it runs in a worker.
  const workers = new SummaryWorkers(site.store.url);
  const summaries = new SummaryCache({
    db: site.store.db,
    clock: site.clock,
    log: site.log,
    events: site.events,
    recomputeBudgetMs: site.summaryRecomputeBudgetMs,
    countApart: (query) => workers.count(query),
  });
  app.addHook('onClose', async () => {
    await workers.close();
    await summaries.close();
  });

  app.get('/api/v1/compliance/summary', { config: { permission: 'read' } }, async (request): Promise<ComplianceSummary> => {
    const query = parseInput(ComplianceSummaryQuery, request.query, 'query');
    if (query.collectionId !== undefined && !(await collectionExists(site.store.db, query.collectionId))) throw notFound(`collection ${query.collectionId}`);
    return summaries.summary(query);
  });
}
