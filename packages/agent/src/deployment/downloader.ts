import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DistributionPointRef } from '@patchday/core';
import type { ContentCache } from './content-cache.ts';

/** One file an install needs: what the catalogue says it is. */
export interface ContentFile {
  sha256: string;
  size: number;
  /** Its name in the archive (`pool/main/o/openssl/libssl3_…deb`), for messages. */
  name: string;
}

/** A socket that stays silent this long is given up (and the download resumes later). */
const IDLE_TIMEOUT_MS = 60_000;

/** Why no distribution point delivered a file; every DP's answer is in the message. */
export class DownloadError extends Error {}

/**
 * §6.1/§6.4 fetches a file into the cache from the first distribution point in policy order that
 * holds it (`GET {url}/content/{sha256}` with the content token), falling back to the next on a
 * 404, a refusal, a broken connection or a file that fails its sha256. A partial download is kept
 * and resumed with a Range request — from whichever DP serves next, since the sha256 decides. Only
 * a file whose size and sha256 match ever enters the cache.
 */
export async function downloadToCache(file: ContentFile, distributionPoints: readonly DistributionPointRef[], contentToken: string, cache: ContentCache): Promise<void> {
  if (cache.has(file.sha256, file.size)) return;
  if (distributionPoints.length === 0) throw new DownloadError(`${baseName(file.name)}: policy names no distribution point to download it from`);
  const partial = cache.partialPath(file.sha256);
  const failures: string[] = [];
  for (const dp of distributionPoints) {
    try {
      await fetchInto(partial, file, dp, contentToken);
    } catch (error) {
      failures.push(`${dp.name}: ${(error as Error).message}`);
      continue;
    }
    const sha256 = await sha256Of(partial);
    if (sha256 !== file.sha256) {
      rmSync(partial, { force: true });
      failures.push(`${dp.name}: sha256 mismatch — expected ${file.sha256}, got ${sha256}; the file was discarded`);
      continue;
    }
    cache.admit(file.sha256, file.size, partial);
    return;
  }
  throw new DownloadError(`${baseName(file.name)} (sha256 ${file.sha256}) could not be downloaded: ${failures.join('; ')}`);
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function partialSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Brings `partial` to the file's full size from one DP; throws with that DP's answer. */
async function fetchInto(partial: string, file: ContentFile, dp: DistributionPointRef, contentToken: string): Promise<void> {
  let offset = partialSize(partial);
  if (offset > file.size) {
    rmSync(partial, { force: true });
    offset = 0;
  }
  if (offset === file.size) return;
  const url = `${dp.url.replace(/\/+$/, '')}/content/${file.sha256}`;
  const response = await get(url, { authorization: `Bearer ${contentToken}`, ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) });
  const status = response.statusCode ?? 0;
  let start: number;
  if (status === 200) start = 0;
  else if (status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
    start = range ? Number(range[1]) : -1;
    if (start !== offset) {
      response.resume();
      throw new Error(`answered a resume from byte ${offset} with ${response.headers['content-range'] ?? 'no Content-Range'}`);
    }
  } else {
    const body = await text(response);
    if (status === 404) throw new Error('does not hold it (404)');
    if (status === 401 || status === 403) throw new Error(`refused the content token (${status}${body ? `: ${body}` : ''})`);
    if (status === 416) rmSync(partial, { force: true });
    throw new Error(`answered ${status}${body ? `: ${body}` : ''}`);
  }
  await writeBody(response, partial, start, file.size);
  const got = partialSize(partial);
  if (got !== file.size) throw new Error(`the transfer ended at byte ${got} of ${file.size}; it resumes from there`);
}

function get(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new Error(`${url} is not a URL`));
      return;
    }
    const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(parsed, { method: 'GET', headers }, resolve);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(`cannot reach ${parsed.origin}: ${error.code ?? error.message}`)));
    req.end();
  });
}

/** Writes the body into the partial file from `start`, never past the expected size. */
function writeBody(response: IncomingMessage, path: string, start: number, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: start === 0 ? 'w' : 'r+', start });
    let written = start;
    let failed: Error | null = null;
    const fail = (error: Error) => {
      if (failed) return;
      failed = error;
      response.destroy();
      out.end();
    };
    response.socket?.setTimeout(IDLE_TIMEOUT_MS, () => fail(new Error(`the transfer stalled for ${IDLE_TIMEOUT_MS / 1000} s at byte ${written}`)));
    response.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (written + chunk.length > size) {
        fail(new Error(`sent more than the ${size} bytes the catalogue lists`));
        return;
      }
      written += chunk.length;
      if (!out.write(chunk)) {
        response.pause();
        out.once('drain', () => response.resume());
      }
    });
    response.on('aborted', () => fail(new Error(`the connection broke at byte ${written}`)));
    response.on('error', (error) => fail(new Error(`the connection broke at byte ${written}: ${error.message}`)));
    response.on('end', () => out.end());
    out.on('error', (error) => {
      failed ??= error;
      response.destroy();
      reject(failed);
    });
    out.on('close', () => {
      if (failed && /more than/.test(failed.message)) rmSync(path, { force: true });
      if (failed) reject(failed);
      else resolve();
    });
  });
}

function text(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 1000) body += chunk;
    });
    response.on('end', () => {
      try {
        const parsed = JSON.parse(body) as { error?: unknown };
        resolve(typeof parsed.error === 'string' ? parsed.error : body.trim().slice(0, 300));
      } catch {
        resolve(body.trim().slice(0, 300));
      }
    });
    response.on('error', () => resolve(body));
  });
}

export function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
