/**
 * A static HTTP server standing in for a Debian mirror: it serves a directory read-only, speaks
 * the conditional-GET dialect mirrors speak (strong ETag, Last-Modified, 304), and can be told to
 * misbehave per path (errors, substituted bytes, cut-off bodies, silence, no validators) so sync
 * tests can prove what the engine does when a mirror lies or fails.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * What a faulty mirror does instead of answering properly. `once` makes it a one-shot.
 *
 * - `status`: answer with this status and a short text body, whether or not the file exists.
 * - `body`: serve these bytes as the file (validators computed from them), existing or not.
 * - `truncateAt`: send the headers (with the full Content-Length) and the first N bytes, then
 *   destroy the socket.
 * - `hang`: read the request and never answer; the socket stays open until the client gives up
 *   or the server closes.
 * - `ignoreConditional`: always 200 with the full body and no ETag/Last-Modified, as a server
 *   without validator support does.
 */
export type FaultEffect =
  | { status: number }
  | { body: Buffer | string }
  | { truncateAt: number }
  | { hang: true }
  | { ignoreConditional: true };

export type Fault = FaultEffect & { once?: boolean };

export interface RequestRecord {
  method: string;
  /** Decoded URL path, without the query. */
  path: string;
  /** 0 while unanswered (and forever for `hang`). */
  status: number;
  /** The client sent If-None-Match or If-Modified-Since. */
  conditional: boolean;
  /** Which fault shaped the answer, if any. */
  fault?: 'status' | 'body' | 'truncate' | 'hang' | 'ignoreConditional';
  headers: IncomingHttpHeaders;
}

export interface ArchiveServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  root: string;
  /** Every request in arrival order; clear it with `requests.length = 0`. */
  requests: RequestRecord[];
  /**
   * Registers a fault for paths equal to `pathSuffixOrExact` when it starts with "/", otherwise
   * for paths ending with it ("InRelease", "bookworm/InRelease"). Returns a function removing it.
   *
   * Precedence, per request: if a once-fault matches, the oldest matching one is consumed and
   * applies alone (so several once-faults on a path play out in order, one per request).
   * Otherwise every matching persistent fault applies: a later fault replaces an earlier one's
   * same property, and the merged result is read as hang > status > (body, truncateAt and
   * ignoreConditional, which combine: substituted bytes can be cut off and served without
   * validators).
   */
  fault(pathSuffixOrExact: string, fault: Fault): () => void;
  clearFaults(): void;
  /** Serves `bytes` at the exact URL path `urlPath` (existing file or not) until removed. */
  serveOverlay(urlPath: string, bytes: Buffer | string): void;
  removeOverlay(urlPath: string): void;
  /** Resolves with the first request, already recorded or still to come, that `match` accepts. */
  waitForRequest(match: (r: RequestRecord) => boolean): Promise<RequestRecord>;
  close(): Promise<void>;
}

export interface ArchiveServerOptions {
  /** Overlays in place from the start (URL path → bytes). */
  overlays?: Readonly<Record<string, Buffer | string>>;
  /**
   * Answer `Range: bytes=N-` / `bytes=N-M` with 206 Partial Content, as real mirrors do, so a
   * client can resume a cut-off transfer (`truncateAt` then cuts the partial body). Off by
   * default: the server then says `Accept-Ranges: none` and always sends the whole file.
   */
  ranges?: boolean;
}

/** The one byte range a `Range` header asks for, clipped to the file; `unsatisfiable` when it starts past the end. */
function requestedRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header ?? '');
  if (!m) return undefined;
  const start = Number(m[1]);
  if (start >= size) return 'unsatisfiable';
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return end < start ? undefined : { start, end };
}

interface Resource {
  size: number;
  etag: string;
  lastModified: Date;
  /** Whole content, or a file to stream. */
  data: Buffer | { file: string };
}

interface MergedFault {
  status?: number;
  body?: Buffer | string;
  truncateAt?: number;
  hang?: boolean;
  ignoreConditional?: boolean;
  /** Registration time of the fault that supplied `body`: its Last-Modified. */
  bodySince?: Date;
}

interface FaultEntry {
  pattern: string;
  fault: Fault;
  /** When the fault was registered: the Last-Modified of a substituted body. */
  since: Date;
}

interface Overlay {
  bytes: Buffer;
  etag: string;
  since: Date;
}

function contentEtag(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
}

/**
 * Last-Modified for substituted bytes: now, but always at least a second past what was served
 * for the path before. HTTP dates have whole seconds, and apt revalidates with If-Modified-Since
 * alone, so a substitution made in the same second as the file it replaces would get a 304.
 */
function nextLastModified(previous: Date | undefined, now: Date): Date {
  if (!previous) return now;
  const next = Math.floor(previous.getTime() / 1000) * 1000 + 1000;
  return new Date(Math.max(now.getTime(), next));
}

function matches(pattern: string, path: string): boolean {
  return pattern.startsWith('/') ? path === pattern : path.endsWith(pattern);
}

/** RFC 9110 weak comparison, which If-None-Match uses. */
function noneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

export async function startArchiveServer(root: string, options: ArchiveServerOptions = {}): Promise<ArchiveServer> {
  const rootDir = resolve(root);
  const requests: RequestRecord[] = [];
  let faults: FaultEntry[] = [];
  const overlays = new Map<string, Overlay>();
  const waiters = new Set<{ match: (r: RequestRecord) => boolean; done: (r: RequestRecord) => void }>();

  const fileMtime = (urlPath: string): Date | undefined => {
    const file = join(rootDir, ...urlPath.split('/').filter(Boolean));
    if (!file.startsWith(rootDir + sep)) return undefined;
    try {
      return statSync(file).mtime;
    } catch {
      return undefined;
    }
  };
  const setOverlay = (urlPath: string, bytes: Buffer | string) => {
    if (!urlPath.startsWith('/')) throw new Error(`overlay path must start with "/": ${urlPath}`);
    const buf = Buffer.from(bytes);
    const previous = overlays.get(urlPath)?.since ?? fileMtime(urlPath);
    overlays.set(urlPath, { bytes: buf, etag: contentEtag(buf), since: nextLastModified(previous, new Date()) });
  };
  for (const [p, b] of Object.entries(options.overlays ?? {})) setOverlay(p, b);

  const takeFault = (path: string): MergedFault | undefined => {
    const onceIndex = faults.findIndex((f) => f.fault.once && matches(f.pattern, path));
    if (onceIndex >= 0) {
      const [entry] = faults.splice(onceIndex, 1);
      return { ...entry!.fault, bodySince: entry!.since };
    }
    const persistent = faults.filter((f) => !f.fault.once && matches(f.pattern, path));
    if (persistent.length === 0) return undefined;
    const merged: MergedFault = Object.assign({}, ...persistent.map((f) => f.fault));
    for (const f of persistent) if ('body' in f.fault) merged.bodySince = f.since;
    return merged;
  };

  const lookup = async (path: string, fault: MergedFault | undefined): Promise<Resource | undefined> => {
    if (fault?.body !== undefined) {
      const bytes = Buffer.from(fault.body);
      const previous = overlays.get(path)?.since ?? fileMtime(path);
      return { size: bytes.length, etag: contentEtag(bytes), lastModified: nextLastModified(previous, fault.bodySince ?? new Date()), data: bytes };
    }
    const overlay = overlays.get(path);
    if (overlay) {
      return { size: overlay.bytes.length, etag: overlay.etag, lastModified: overlay.since, data: overlay.bytes };
    }
    const file = join(rootDir, ...path.split('/').filter(Boolean));
    if (file !== rootDir && !file.startsWith(rootDir + sep)) return undefined;
    try {
      const st = await stat(file, { bigint: true });
      if (!st.isFile()) return undefined;
      return {
        size: Number(st.size),
        // Size and nanosecond mtime change whenever a test rewrites a copied file.
        etag: `"${st.size.toString(16)}-${st.mtimeNs.toString(16)}"`,
        lastModified: new Date(Number(st.mtimeMs)),
        data: { file },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
  };

  const notModified = (req: IncomingMessage, res: Resource): boolean => {
    const inm = req.headers['if-none-match'];
    // RFC 9110 13.2.2: If-Modified-Since is ignored when If-None-Match is present.
    if (inm !== undefined) return noneMatchHits(inm, res.etag);
    const ims = req.headers['if-modified-since'];
    if (ims === undefined) return false;
    const since = Date.parse(ims);
    if (Number.isNaN(since)) return false;
    // HTTP dates have whole seconds; compare at that resolution or a fresh copy never matches.
    return Math.floor(res.lastModified.getTime() / 1000) * 1000 <= since;
  };

  const readPrefix = async (resource: Resource, n: number, from = 0): Promise<Buffer> => {
    const len = Math.max(0, Math.min(n, resource.size - from));
    if (Buffer.isBuffer(resource.data)) return resource.data.subarray(from, from + len);
    const fh = await open(resource.data.file, 'r');
    try {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, from);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: rawPath,
      status: 0,
      conditional: req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined,
      headers: req.headers,
    };
    requests.push(record);
    const finish = (status: number, headers: Record<string, string | number>, body?: Buffer | string) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(record.method === 'HEAD' || status === 304 || status === 204 ? undefined : body);
    };
    const plain = (status: number) => {
      const text = `${status} ${STATUS_CODES[status] ?? ''}\n`;
      finish(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }, text);
    };

    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return plain(400);
    }
    record.path = path;
    for (const w of waiters) {
      if (w.match(record)) {
        waiters.delete(w);
        w.done(record);
      }
    }

    const fault = takeFault(path);
    if (fault?.hang) {
      record.fault = 'hang';
      return;
    }
    if (fault?.status !== undefined) {
      record.fault = 'status';
      return plain(fault.status);
    }
    if (record.method !== 'GET' && record.method !== 'HEAD') return plain(405);
    // Refused before touching the disk: a client asking for ".." is probing, not fetching.
    if (path.includes('\0')) return plain(400);
    if (path.split('/').includes('..')) return plain(403);

    const resource = await lookup(path, fault);
    if (!resource) return plain(404);
    if (fault?.body !== undefined) record.fault = 'body';
    const validators = !fault?.ignoreConditional;
    if (!validators) record.fault = 'ignoreConditional';
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': resource.size,
      'Accept-Ranges': options.ranges ? 'bytes' : 'none',
    };
    if (validators) {
      headers.ETag = resource.etag;
      headers['Last-Modified'] = resource.lastModified.toUTCString();
      if (notModified(req, resource)) {
        delete headers['Content-Length'];
        return finish(304, headers);
      }
    }

    const range = options.ranges && record.method === 'GET' && fault?.body === undefined ? requestedRange(req.headers.range, resource.size) : undefined;
    if (range === 'unsatisfiable') {
      record.status = 416;
      res.writeHead(416, { 'Content-Range': `bytes */${resource.size}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${resource.size}`;
      headers['Content-Length'] = range.end - range.start + 1;
      const length = range.end - range.start + 1;
      const partial = await readPrefix(resource, fault?.truncateAt !== undefined ? Math.min(fault.truncateAt, length) : length, range.start);
      if (fault?.truncateAt !== undefined) record.fault = 'truncate';
      record.status = 206;
      res.writeHead(206, headers);
      if (fault?.truncateAt !== undefined) res.write(partial, () => res.destroy());
      else res.end(partial);
      return;
    }
    if (fault?.truncateAt !== undefined && record.method === 'GET') {
      record.fault = 'truncate';
      const prefix = await readPrefix(resource, fault.truncateAt);
      record.status = 200;
      res.writeHead(200, headers);
      // Destroy only once the prefix is handed to the kernel, so the client really gets it.
      res.write(prefix, () => res.destroy());
      return;
    }
    if (record.method === 'HEAD' || Buffer.isBuffer(resource.data)) {
      return finish(200, headers, Buffer.isBuffer(resource.data) ? resource.data : undefined);
    }
    record.status = 200;
    res.writeHead(200, headers);
    // pipeline closes the file when a client gives up mid-download; a failed stream has
    // already destroyed the response, which is all a client can be told after the headers.
    await pipeline(createReadStream(resource.data.file), res).catch(() => undefined);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500);
        res.end();
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root: rootDir,
    requests,
    fault(pattern, fault) {
      const entry: FaultEntry = { pattern, fault, since: new Date() };
      faults.push(entry);
      return () => {
        faults = faults.filter((f) => f !== entry);
      };
    },
    clearFaults() {
      faults = [];
    },
    serveOverlay: setOverlay,
    removeOverlay(urlPath) {
      overlays.delete(urlPath);
    },
    waitForRequest(match) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((done) => waiters.add({ match, done }));
    },
    close() {
      return new Promise<void>((ok, fail) => {
        server.close((err) => (err ? fail(err) : ok()));
        // Hanging and keep-alive connections would otherwise hold close() open indefinitely.
        server.closeAllConnections();
      });
    },
  };
}
