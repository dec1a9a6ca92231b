import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** Whether an If-None-Match header names `etag` (weak comparison, `*` matches). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}

/**
 * Conditional GETs for the admin API: every successful JSON answer gets a weak ETag digested from
 * its body, and a request whose If-None-Match names it gets 304 with no body. The console polls live
 * views this way, so an unchanged view costs a few bytes on the wire and no rendering in the browser.
 * The digest is of what is sent, so an answer that differs by role or by time differs by ETag too.
 * `private, no-cache`: a shared cache must not keep one administrator's answer, and the browser
 * revalidates each time.
 */
export function registerAdminEtags(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || !request.url.startsWith('/api/v1/')) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload; // streams answer for themselves
    if (reply.getHeader('etag') !== undefined) return payload;
    const etag = `W/"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
    reply.header('etag', etag).header('cache-control', 'private, no-cache');
    if (!etagMatches(request.headers['if-none-match'], etag)) return payload;
    reply.code(304).removeHeader('content-type').removeHeader('content-length');
    return '';
  });
}
