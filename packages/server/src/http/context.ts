import type { Clock } from '@patchday/core';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '../auth/tokens.ts';
import type { Permission } from '../auth/roles.ts';
import type { EstimateCache } from '../compliance/fleet-estimate.ts';
import type { ContentLibrary } from '../content/content-library.ts';
import type { SiteEvents } from '../events/site-events.ts';
import type { Store } from '../store/store.ts';
import type { SyncService } from '../sync/sync-service.ts';
import { HttpError } from './http-error.ts';

/** What every route of a site can use. */
export interface SiteContext {
  store: Store;
  clock: Clock;
  log: Logger;
  sync: SyncService;
  dataDir: string;
  version: string;
  /** §6.1 the site's content library (`<dataDir>/content`): update files of every deployment package, once each. */
  content: ContentLibrary;
  /** Committed changes, announced by kind to the console's event stream and the summary cache. */
  events: SiteEvents;
  /** Estimates of updates over the fleet's distinct inventories, kept while those stay the same (listing pages). */
  estimates: EstimateCache;
  /** A fleet summary that took longer than this is served as it was while it is made again (default 1000 ms). */
  summaryRecomputeBudgetMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Absent = public route (health, login). */
    permission?: Permission;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpError(401, 'authentication required');
  return request.principal;
}
