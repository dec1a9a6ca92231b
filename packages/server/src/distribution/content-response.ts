import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error.ts';

/** Bytes read from disk per write: large reads mean few syscalls and callbacks per megabyte served. */
const READ_CHUNK = 512 * 1024;

export type ContentReplyPlan =
  | { status: 200 | 206; start: number; end: number; headers: Record<string, string> }
  | { status: 416; headers: Record<string, string> };

/**
 * What to answer a GET or HEAD of a file of `size` bytes, given its Range and If-Range headers.
 * One range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) is served as 206; anything else is ignored and
 * the whole file sent, as RFC 9110 allows. Content is addressed by sha256, so it never changes:
 * the sha256 is its ETag.
 */
export function planContentReply(size: number, sha256: string, range: string | undefined, ifRange: string | undefined): ContentReplyPlan {
  const etag = `"${sha256}"`;
  const common = { 'accept-ranges': 'bytes', etag, 'content-type': 'application/octet-stream', 'cache-control': 'private, max-age=31536000, immutable' };
  const whole = { status: 200 as const, start: 0, end: size - 1, headers: { ...common, 'content-length': String(size) } };
  if (!range || (ifRange !== undefined && ifRange !== etag)) return whole;
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return whole;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { status: 416, headers: { ...common, 'content-range': `bytes */${size}` } };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return whole;
    if (start >= size) return { status: 416, headers: { ...common, 'content-range': `bytes */${size}` } };
  }
  return { status: 206, start, end, headers: { ...common, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}` } };
}

export interface OpenedContent {
  file: FileHandle;
  size: number;
  sha256: string;
}

/** Opens a library file before anything is answered, so one removed meanwhile is a clean 404. */
export async function openContent(path: string, sha256: string): Promise<OpenedContent> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(404, `this distribution point does not hold ${sha256}`);
    throw error;
  }
  return { file, size: (await file.stat()).size, sha256 };
}

const header = (headers: IncomingHttpHeaders, name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);

/**
 * Answers a GET or HEAD of an opened file on a plain Node response: status and headers by
 * `planContentReply`, then the bytes read from disk into reused buffers (never the whole file).
 * The file is closed in every case; a failure after the headers went out cuts the connection, so
 * the client sees a short body rather than wrong bytes.
 */
export async function pipeContent(request: IncomingMessage, response: ServerResponse, content: OpenedContent): Promise<void> {
  try {
    const plan = planContentReply(content.size, content.sha256, header(request.headers, 'range'), header(request.headers, 'if-range'));
    response.writeHead(plan.status, plan.headers);
    if (plan.status === 416 || request.method === 'HEAD' || plan.end < plan.start) return void response.end();
    await writeRange(content.file, plan.start, plan.end, response);
  } catch (error) {
    response.destroy();
    throw error;
  } finally {
    await content.file.close();
  }
}

/** The same through Fastify (the site's routes): checks that throw (404, …) answer before the reply is taken over. */
export async function sendContentFile(request: FastifyRequest, reply: FastifyReply, path: string, sha256: string): Promise<void> {
  const content = await openContent(path, sha256);
  reply.hijack();
  await pipeContent(request.raw, reply.raw, content).catch((error: Error) => request.log.error({ err: error, url: request.url }, 'sending a file failed'));
}

/**
 * Read buffers are reused: a fresh 512 KiB buffer for every read costs more CPU (allocation, page
 * faults, garbage collection) than copying the bytes. A buffer goes back to the pool once the
 * socket has taken its bytes (the write's callback). Spares not needed for a while are let go.
 */
const spare: Buffer[] = [];
const MAX_SPARE = 256;
let taken = 0;
setInterval(() => {
  if (taken === 0) spare.length = Math.min(spare.length, 8);
  taken = 0;
}, 30_000).unref();

async function writeRange(file: FileHandle, start: number, end: number, response: ServerResponse): Promise<void> {
  let position = start;
  while (position <= end) {
    if (response.destroyed) return;
    const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
    taken += 1;
    const { bytesRead } = await file.read(buffer, 0, Math.min(READ_CHUNK, end - position + 1), position);
    if (bytesRead === 0) throw new Error(`the file ended at byte ${position} of ${end + 1}`);
    position += bytesRead;
    const drained = response.write(bytesRead === READ_CHUNK ? buffer : buffer.subarray(0, bytesRead), (error) => {
      if (!error && spare.length < MAX_SPARE) spare.push(buffer);
    });
    if (!drained) await writable(response);
  }
  response.end();
}

/** Resolves when the response can take more bytes, or is gone. */
function writable(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
