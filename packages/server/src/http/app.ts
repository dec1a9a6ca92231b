import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { allows } from '../auth/roles.ts';
import { authenticateToken } from '../auth/tokens.ts';
import { registerApiV1 } from '../api/v1/routes.ts';
import { registerConsole } from '../console/serve-console.ts';
import { registerManagementPoint } from '../mp/v1/routes.ts';
import { registerDistributionPointManagement } from '../dpm/v1/routes.ts';
import { registerSiteDistributionPoint } from '../distribution/site-content-route.ts';
import { registerUpdatePoint } from '../up/v1/routes.ts';
import type { SiteContext } from './context.ts';
import { registerAdminEtags } from './etag.ts';
import { announceChangingRequests } from '../events/announce-requests.ts';
import { registerEventStream } from '../events/event-stream.ts';
import { HttpError } from './http-error.ts';

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

export function buildApp(site: SiteContext): FastifyInstance {
  const app = Fastify({ loggerInstance: site.log as FastifyBaseLogger, bodyLimit: MAX_BODY_BYTES, routerOptions: { maxParamLength: 200 } });
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config?.permission;
    if (!permission) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) throw new HttpError(401, 'authentication required: send "Authorization: Bearer <token>"');
    const principal = await authenticateToken(site.store.db, match[1], site.clock.now());
    if (!principal) throw new HttpError(401, 'invalid or expired token: log in again');
    if (!allows(principal.role, permission)) throw new HttpError(403, `forbidden: the ${principal.role} role may not do this`);
    request.principal = principal;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({ error: error.message, ...(error.details ? { details: error.details } : {}) });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: `request body is larger than ${request.routeOptions.bodyLimit ?? MAX_BODY_BYTES} bytes` });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: error.message });
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.status(500).send({ error: 'internal error; the site log has the details' });
  });

  registerAdminEtags(app);
  announceChangingRequests(app, site.events);

  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));

  app.get('/api/v1/health', async () => ({ status: 'ok', version: site.version, store: site.store.kind }));
  registerApiV1(app, site);
  registerEventStream(app, site);
  registerManagementPoint(app, site);
  registerDistributionPointManagement(app, site);
  registerSiteDistributionPoint(app, site);
  registerUpdatePoint(app, site);
  registerConsole(app, site.log);
  return app;
}
