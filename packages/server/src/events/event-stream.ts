import type { SiteEvent, SiteEventKind } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { authenticateToken } from '../auth/tokens.ts';
import type { SiteContext } from '../http/context.ts';

/** How long a browser waits before it connects again after the stream broke. */
const RETRY_MS = 3000;
/** Announcements within this many milliseconds go out as one event per kind. */
const COALESCE_MS = 250;
/** A comment line this often keeps proxies from closing a quiet stream; the token is checked again then. */
const HEARTBEAT_MS = 25_000;

/**
 * `GET /api/v1/events`: the site's changes as server-sent events (`event: <kind>`, data
 * `{"kind", "at"}`), for live console views. Announcements are coalesced per connection, so a busy
 * site (thousands of state messages a second) sends each console a few small events a second at
 * most. The stream lives only as long as the token it was opened with: it is checked again before
 * every flush and heartbeat, and a signed-out or expired session gets `event: ended` and the end of
 * the stream.
 */
export function registerEventStream(app: FastifyInstance, site: SiteContext): void {
  const open = new Set<() => void>();
  // Open streams never go idle, so the server would wait for them forever when it closes.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get('/api/v1/events', { config: { permission: 'read' } }, (request, reply) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')![1];
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n: patchday site events\n\n`);

    const pending = new Set<SiteEventKind>();
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const stillSignedIn = async () => {
      if (ended) return false;
      if (await authenticateToken(site.store.db, token, site.clock.now())) return true;
      if (!ended) response.write(`event: ended\ndata: ${JSON.stringify({ reason: 'the session has ended: sign in again' })}\n\n`);
      end();
      return false;
    };
    const flush = async () => {
      flushTimer = undefined;
      if (!(await stillSignedIn())) return;
      const at = site.clock.now().toISOString();
      let text = '';
      for (const kind of pending) text += `event: ${kind}\ndata: ${JSON.stringify({ kind, at } satisfies SiteEvent)}\n\n`;
      pending.clear();
      response.write(text);
    };
    const unlisten = site.events.listen((kind) => {
      pending.add(kind);
      flushTimer ??= setTimeout(() => void flush().catch(end), COALESCE_MS);
    });
    const heartbeat = setInterval(() => {
      void stillSignedIn()
        .then((ok) => ok && response.write(': heartbeat\n\n'))
        .catch(end);
    }, HEARTBEAT_MS);
    const end = () => {
      if (ended) return;
      ended = true;
      unlisten();
      clearInterval(heartbeat);
      if (flushTimer) clearTimeout(flushTimer);
      open.delete(end);
      response.end();
    };
    open.add(end);
    request.raw.on('close', end);
    response.on('error', end);
  });
}
