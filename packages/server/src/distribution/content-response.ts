import { createReadStream, type ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error.ts';

/** Bytes read from disk per chunk: large reads mean few syscalls and callbacks per megabyte served. */
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

/** The plan for this request, and the file's bytes to send (null for HEAD, 416 and empty files: the file is closed). */
async function prepare(method: string, headers: IncomingHttpHeaders, content: OpenedContent): Promise<{ plan: ContentReplyPlan; body: ReadStream | null }> {
  const plan = planContentReply(content.size, content.sha256, header(headers, 'range'), header(headers, 'if-range'));
  if (plan.status === 416 || method === 'HEAD' || plan.end < plan.start) {
    await content.file.close();
    return { plan, body: null };
  }
  return { plan, body: createReadStream('', { fd: content.file, start: plan.start, end: plan.end, highWaterMark: READ_CHUNK }) };
}

/** Answers a GET or HEAD through Fastify (the site's routes), streamed from disk, never buffered whole. */
export async function sendContentFile(request: FastifyRequest, reply: FastifyReply, path: string, sha256: string): Promise<FastifyReply> {
  const { plan, body } = await prepare(request.method, request.headers, await openContent(path, sha256));
  reply.status(plan.status).headers(plan.headers);
  return body ? reply.send(body) : reply.send();
}

/** The same on a plain Node response (a remote distribution point's serving workers, where every CPU cycle per byte counts). */
export async function pipeContent(request: IncomingMessage, response: ServerResponse, content: OpenedContent): Promise<void> {
  const { plan, body } = await prepare(request.method ?? 'GET', request.headers, content);
  response.writeHead(plan.status, plan.headers);
  if (!body) return void response.end();
  // A client that goes away ends the stream and closes the file.
  pipeline(body, response, () => undefined);
}
