import type { SiteEventKind } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { SiteEvents } from './site-events.ts';

/** Which kind of change a successful request on each protocol path stands for. */
const kindOfPath: Array<[prefix: string, kind: SiteEventKind]> = [
  ['/api/v1/', 'changes'], // administrators (console, CLI, scripts): every change is audited too
  ['/mp/v1/', 'clients'], // agents: registration, inventory, state messages
  ['/dpm/v1/', 'content'], // distribution points: what they hold and copy
];

/**
 * Announces every request that changed something, once it is answered (so committed): any method
 * but GET and HEAD that succeeded. Requests are where most changes come from, so they are announced
 * here once rather than in each route.
 */
export function announceChangingRequests(app: FastifyInstance, events: SiteEvents): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS' || reply.statusCode >= 400) return;
    for (const [prefix, kind] of kindOfPath) {
      if (request.url.startsWith(prefix)) {
        events.announce(kind);
        return;
      }
    }
  });
}
