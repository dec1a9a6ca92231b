import { DP_CONTENT_PATH, type Clock } from '@patchday/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ContentLibrary } from '../content/content-library.ts';
import { authoriseContentRequest } from '../distribution/content-auth.ts';
import { sendContentFile } from '../distribution/content-response.ts';
import { HttpError } from '../http/http-error.ts';

export interface DpHttpContext {
  library: ContentLibrary;
  clock: Clock;
  log: Logger;
  /** The site's content-token key; null until the first answer from the site (or the copy on disk). */
  key(): Buffer | null;
  /** What `GET /dp/v1/health` says about the last pass over the site's targets. */
  health(): Record<string, unknown>;
}

/**
 * A remote distribution point's HTTP side: `GET|HEAD /dp/v1/content/:sha256` to agents with a
 * content token, the same contract as the site's own distribution point, from this process's
 * library (which holds only files of the packages its site targets it with).
 */
export function buildDpApp(dp: DpHttpContext): FastifyInstance {
  const app = Fastify({ loggerInstance: dp.log as FastifyBaseLogger, routerOptions: { maxParamLength: 200 } });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.statusCode).send({ error: error.message });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reply.status(error.statusCode).send({ error: error.message });
    request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.status(500).send({ error: 'internal error; the distribution point log has the details' });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));

  app.get(`${DP_CONTENT_PATH}/health`, async () => ({ status: 'ok', ...dp.health() }));

  app.route({
    method: ['GET', 'HEAD'],
    url: `${DP_CONTENT_PATH}/content/:sha256`,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const sha256 = authoriseContentRequest(request, dp.key(), dp.clock.now());
      return sendContentFile(request, reply, dp.library.pathOf(sha256), sha256);
    },
  });
  return app;
}
