import { Readable, pipeline } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CatalogueQuery } from '@patchday/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateClient, type AuthenticatedClient } from '../../clients/client-credentials.ts';
import type { SiteContext } from '../../http/context.ts';
import { HttpError, parseInput } from '../../http/http-error.ts';
import { etagMatches } from '../../http/etag.ts';
import { catalogueChunks, catalogueEtag, currentAnchor, isComplete, type CatalogueRequest } from './catalogue.ts';

/**
 * gzip level of catalogue responses: the JSON repeats itself so much (package names, versions,
 * rule keys) that level 1 already shrinks it ~6× (level 6: ~7×), in a third of level 6's time.
 */
const GZIP_LEVEL = 1;

/**
 * The update point, `/up/v1/…`: what an agent's online scan fetches. Agents authenticate with
 * their credential as at the management point; the catalogue is the same for every client of a
 * product and architecture, so no path names a client.
 */
export function registerUpdatePoint(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  async function activeClient(request: FastifyRequest): Promise<AuthenticatedClient> {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const client = match ? await authenticateClient(db, match[1]) : null;
    if (!client) throw new HttpError(401, 'agent authentication required: send "Authorization: Bearer <credential>" from registration');
    if (client.status !== 'active') throw new HttpError(403, 'this client is waiting for an administrator to approve it');
    return client;
  }

  app.get('/up/v1/catalogue', async (request, reply) => {
    await activeClient(request);
    const { product, architecture, since } = parseInput(CatalogueQuery, request.query, 'query');
    const anchor = await currentAnchor(db);
    const key = { product, architecture, since, anchor };
    const etag = catalogueEtag(key);
    reply.header('etag', etag).header('vary', 'Accept-Encoding').header('cache-control', 'private, no-cache');
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();

    reply.type('application/json; charset=utf-8');
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    if (gzip) reply.header('content-encoding', 'gzip');
    if (gzip && isComplete(key)) return reply.send(await completeCatalogues.get(key));
    const source = Readable.from(await catalogueChunks(db, key), { objectMode: false, highWaterMark: 1 });
    if (!gzip) return reply.send(source);
    return reply.send(
      pipeline(source, createGzip({ level: GZIP_LEVEL }), (error) => {
        if (error) request.log.warn({ err: error }, 'catalogue response aborted');
      }),
    );
  });

  /**
   * Whole catalogues, gzipped, by product, architecture and anchor: when a fleet enrols or a new
   * product rolls out, every agent asks for the same ~10 MB. Built once (concurrent requests wait
   * for the same build) and dropped as soon as the anchor moves on.
   */
  const completeCatalogues = {
    entries: new Map<string, Promise<Buffer>>(),
    get(r: CatalogueRequest): Promise<Buffer> {
      const key = `${r.product}\n${r.architecture}\n${r.anchor}`;
      let entry = this.entries.get(key);
      if (!entry) {
        for (const old of this.entries.keys()) if (!old.endsWith(`\n${r.anchor}`)) this.entries.delete(old);
        while (this.entries.size >= MAX_CACHED_CATALOGUES) this.entries.delete(this.entries.keys().next().value!);
        entry = catalogueChunks(db, r).then((chunks) => gzipAll(chunks));
        this.entries.set(key, entry);
        entry.catch(() => this.entries.delete(key));
      }
      return entry;
    },
  };
}

/** How many whole gzipped catalogues (product × architecture) a site keeps in memory. */
const MAX_CACHED_CATALOGUES = 4;

async function gzipAll(chunks: Iterable<string>): Promise<Buffer> {
  const gzip = createGzip({ level: GZIP_LEVEL });
  const [bytes] = await Promise.all([buffer(gzip), pipelineAsync(Readable.from(chunks, { objectMode: false, highWaterMark: 1 }), gzip)]);
  return bytes;
}

/** `Accept-Encoding` names gzip with a non-zero quality (or `*`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (!q || Number(q[1]) > 0) return true;
  }
  return false;
}
