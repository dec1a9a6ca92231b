import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/**
 * The web console at `/`: the files `vite build` wrote to packages/console/dist, served as they are.
 * The server only serves files; it knows nothing of React. Paths under the site's own prefixes are
 * never answered here, so the console cannot shadow an API.
 */

/** Where `npm run build:console` (and `npm start`'s prestart) writes the console. */
export const consoleDist = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/** First path segments that belong to the site's APIs, not to the console. */
const RESERVED = new Set(['api', 'mp', 'up', 'dp', 'dpm']);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt', '.map']);

/** Vite names what it writes under assets/ by content hash: such a file never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function registerConsole(app: FastifyInstance, log: Logger, dir: string = consoleDist): void {
  const root = resolve(dir);
  const indexFile = join(root, 'index.html');
  if (existsSync(indexFile)) log.info({ dir: root }, 'web console served at /');
  else log.warn({ dir: root }, 'the web console is not built, so / shows nothing: run `npm run build:console` (npm start does it); the APIs work without it');

  // Compressed copies, made once per file version (the console is a few hundred kB).
  const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();
  const gzipOf = (path: string, mtimeMs: number): Buffer => {
    const hit = gzipped.get(path);
    if (hit && hit.mtimeMs === mtimeMs) return hit.body;
    const body = gzipSync(readFileSync(path));
    gzipped.set(path, { mtimeMs, body });
    return body;
  };

  const send = (request: FastifyRequest, reply: FastifyReply, path: string, cache: string) => {
    const stat = statSync(path);
    const ext = extname(path);
    reply.header('content-type', TYPES[ext] ?? 'application/octet-stream');
    reply.header('cache-control', cache);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('vary', 'accept-encoding');
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      const body = gzipOf(path, stat.mtimeMs);
      reply.header('content-encoding', 'gzip');
      reply.header('content-length', body.length);
      return reply.send(request.method === 'HEAD' ? undefined : body);
    }
    reply.header('content-length', stat.size);
    return reply.send(request.method === 'HEAD' ? undefined : createReadStream(path));
  };

  app.get('/*', async (request, reply) => {
    const pathname = request.url.split('?')[0];
    const first = pathname.split('/')[1] ?? '';
    if (RESERVED.has(first)) return reply.callNotFound();
    if (!existsSync(indexFile)) {
      return reply.status(404).send({ error: 'the web console is not built on this site: run `npm run build:console` (npm start does it); the API is at /api/v1' });
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      return reply.status(400).send({ error: `not a valid path: ${pathname}` });
    }
    const file = resolve(root, `.${relative}`);
    const inside = file === root || file.startsWith(root + sep);
    if (inside && file !== root && isFile(file)) return send(request, reply, file, file.startsWith(join(root, 'assets') + sep) ? IMMUTABLE : 'no-cache');
    // A missing asset is an error, not a page: answering index.html would hide a stale build.
    if (relative.startsWith('/assets/')) return reply.status(404).send({ error: `no such file: ${pathname}` });
    // Every other path is a page of the single-page application: it routes in the browser.
    return send(request, reply, indexFile, 'no-cache');
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
