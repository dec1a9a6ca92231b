import { closeSync, constants, createReadStream, openSync, writeSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { lstat, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentRejected } from '../content/content-library.ts';

/**
 * Brings one update file into a package's source folder, from the update's upstream or from an
 * administrator's folder. Nothing here trusts the bytes: the content library verifies them on the
 * way in. An upstream transfer that breaks leaves `<name>.part` behind, and the next attempt asks
 * for the rest with an HTTP Range request.
 */

export interface WantedFile {
  sha256: string;
  size: number;
  /** Base name, checked safe (the file's name in the source folder and in an admin folder). */
  fileName: string;
  /** Where the upstream serves it (`<upstream url>/<Filename>`); null when the upstream is unknown. */
  url: string | null;
}

export type Origin = { kind: 'upstream' } | { kind: 'folder'; folder: string };

/** A transfer that failed in a way another attempt may fix (network, server error). */
export class TransferFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface FetchOptions {
  signal: AbortSignal;
  /** Give up on a transfer that delivers no byte for this long. */
  idleTimeoutMs: number;
  /** How many bytes of the file are in the source folder now (resumed bytes included). */
  onProgress(bytes: number): void;
}

const exists = (path: string) => stat(path).then((s) => s, () => null);
/** The entry itself: a symbolic link planted in a source folder is never followed. */
const entry = (path: string) => lstat(path).then((s) => s, () => null);

// Files in the source folder are opened without following a symbolic link in their place.
const WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;

/** The file's path in the source folder once it is there whole (size as the metadata says). */
export async function fetchIntoSource(file: WantedFile, origin: Origin, sourceFolder: string, options: FetchOptions): Promise<string> {
  const target = join(sourceFolder, file.fileName);
  const present = await entry(target);
  if (present?.isFile() && present.size === file.size) {
    options.onProgress(file.size);
    return target;
  }
  if (present) await rm(target, { force: true });
  const partial = `${target}.part`;
  if (origin.kind === 'folder') await copyFromFolder(file, origin.folder, partial, options);
  else await download(file, partial, options);
  await rename(partial, target);
  return target;
}

async function copyFromFolder(file: WantedFile, folder: string, partial: string, options: FetchOptions): Promise<void> {
  const source = join(folder, file.fileName);
  const found = await exists(source);
  if (!found?.isFile()) throw new TransferFailed(`no file named ${file.fileName} in ${folder}`, false);
  if (found.size !== file.size) throw new ContentRejected(`${source} has ${found.size} bytes; its metadata says ${file.size}`);
  await rm(partial, { force: true });
  const out = await open(partial, WRITE, 0o644);
  let copied = 0;
  try {
    for await (const chunk of createReadStream(source, { signal: options.signal })) {
      await out.write(chunk as Buffer);
      copied += (chunk as Buffer).length;
      options.onProgress(copied);
    }
  } finally {
    await out.close();
  }
}

const MAX_REDIRECTS = 5;

/** GET with redirects followed; the response is the caller's to read. */
function get(url: URL, headers: Record<string, string>, options: FetchOptions, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { headers, signal: options.signal }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new TransferFailed(`${url} redirects more than ${MAX_REDIRECTS} times`, false));
        return resolve(get(new URL(location, url), headers, options, redirects + 1));
      }
      resolve(response);
    });
    // Inactivity on the socket, waiting for the answer or in the middle of the body.
    request.setTimeout(options.idleTimeoutMs, () => request.destroy(new TransferFailed(`${url} sent nothing for ${Math.round(options.idleTimeoutMs / 1000)} s`, true)));
    request.on('error', reject);
  });
}

async function download(file: WantedFile, partial: string, options: FetchOptions): Promise<void> {
  if (file.url === null) throw new TransferFailed(`the upstream of this update is no longer configured; download its files from a folder`, false);
  const url = file.url;
  const part = await entry(partial);
  if (part && !part.isFile()) await rm(partial, { force: true });
  let offset = part?.isFile() ? part.size : 0;
  if (offset > file.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  if (offset === file.size) return;
  const failed = (error: unknown) => {
    if (error instanceof TransferFailed || error instanceof ContentRejected) return error;
    if (options.signal.aborted) return new TransferFailed('the download was stopped', false);
    const e = error as NodeJS.ErrnoException;
    return new TransferFailed(`${url}: ${e.code ?? e.message}`, true);
  };
  let response: IncomingMessage;
  try {
    response = await get(new URL(url), { 'user-agent': 'Patchday site', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) }, options);
  } catch (error) {
    throw failed(error);
  }
  const status = response.statusCode ?? 0;
  let flags = APPEND;
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
    if (!range || Number(range[1]) !== offset) {
      response.destroy();
      await rm(partial, { force: true });
      throw new TransferFailed(`${url} answered a range other than the one asked for; starting over`, true);
    }
  } else if (status === 200) {
    // The server sends the whole file (it does not do ranges): start over.
    offset = 0;
    flags = WRITE;
  } else {
    response.destroy();
    if (status === 416) await rm(partial, { force: true });
    throw new TransferFailed(`${url} answered HTTP ${status} ${response.statusMessage ?? ''}`.trim(), status >= 500 || status === 416 || status === 429);
  }
  options.onProgress(offset);
  await new Promise<void>((resolve, reject) => {
    // Written synchronously as each chunk arrives: every byte the socket delivered is on disk before
    // a broken connection is noticed, so the next attempt asks for exactly the rest.
    const fd = openSync(partial, flags, 0o644);
    let received = offset;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      closeSync(fd);
      if (error) reject(error);
      else if (received !== file.size) reject(new TransferFailed(`${url} ended after ${received} of ${file.size} bytes`, true));
      else resolve();
    };
    response.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (received + chunk.length > file.size) {
        response.destroy();
        settle(new ContentRejected(`${url} sent more than the ${file.size} bytes its metadata says`));
        return;
      }
      writeSync(fd, chunk);
      received += chunk.length;
      options.onProgress(received);
    });
    response.on('end', () => settle());
    response.on('error', (error) => settle(failed(error)));
    response.on('close', () => settle(response.complete ? undefined : new TransferFailed(`${url} closed the connection after ${received} of ${file.size} bytes`, true)));
  }).catch(async (error) => {
    if (error instanceof ContentRejected) await rm(partial, { force: true });
    throw error;
  });
}
