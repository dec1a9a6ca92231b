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
 * Announces every request that changed something: any method but GET and HEAD that succeeded. It is
 * announced as the answer is sent — the route has committed by then — and before the caller can
 * read it, so whatever the caller asks next sees the announcement's effects (the summary cache).
 * Requests are where most changes come from, so they are announced here once rather than in each route.
 */
export function announceChangingRequests(app: FastifyInstance, events: SiteEvents): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS' || reply.statusCode >= 400) return payload;
    const match = kindOfPath.find(([prefix]) => request.url.startsWith(prefix));
    if (match) events.announce(match[1]);
    return payload;
  });
}
