import { createHash } from 'node:crypto';
import {
  classificationOfSuite,
  debianProductOf,
  parseRelease,
  splitClearsigned,
  type Classification,
  type ReleaseFile,
} from '@patchday/core';
import type { DebianUpstream } from '@patchday/core';
import { httpGet, type FetchResult } from './http-fetch.ts';
import type { Keyring } from './keyring.ts';
import { phaseTimer } from './phase-timer.ts';
import { SyncError } from './sync-error.ts';
import { verifyInRelease } from './verify-in-release.ts';
import { runIndexJob, type IndexJob } from './index-job.ts';
import type { PreparedUpdate } from '../catalogue/update-rows.ts';
import type { SuiteStatesTable } from '../store/schema.ts';

export interface SyncLimits {
  /** Largest InRelease accepted. */
  maxInReleaseBytes: number;
  /** Largest compressed index accepted (checked against InRelease before downloading). */
  maxIndexBytes: number;
  maxDecompressedBytes: number;
  maxDecompressionRatio: number;
  timeoutMs: number;
  /** Further attempts after a network error or HTTP 5xx; each attempt is verified in full. */
  retries: number;
}

export const defaultSyncLimits: SyncLimits = {
  maxInReleaseBytes: 16 * 1024 * 1024,
  maxIndexBytes: 256 * 1024 * 1024,
  maxDecompressedBytes: 1024 * 1024 * 1024,
  maxDecompressionRatio: 50,
  timeoutMs: 60_000,
  retries: 2,
};

/** What the last accepted sync of a suite recorded; `indexes.files` maps index path to "sha256 size". */
export interface SuiteIndexes {
  criteria: string;
  files: Record<string, string>;
}

export interface SuiteReading {
  upstream: string;
  suite: string;
  product: string;
  classification: Classification;
  release: ReleaseFile;
  state: SuiteStatesTable;
  /** The suite's updates built from its verified indexes, or null when nothing the catalogue holds for it changed. */
  updates: PreparedUpdate[] | null;
  binaryCount: number;
  /** Suites the sync criteria exclude are read (to learn their product) but never written. */
  excluded: boolean;
  /** Milliseconds spent per phase, for the log. */
  timings: Record<string, number>;
  /** False when the suite's recorded state (InRelease, validators, indexes) is exactly as before. */
  stateChanged: boolean;
}

export interface ReadSuiteContext {
  upstream: DebianUpstream;
  suite: string;
  previous: SuiteStatesTable | undefined;
  keyring: Keyring;
  now: Date;
  limits: SyncLimits;
  architectures: string[];
  isWanted(product: string, classification: Classification): boolean;
  criteriaDigest: string;
  /** InRelease digests already verified against this keyring, so a no-op resync costs no OpenPGP work. */
  verified: Set<string>;
  onProgress(detail: string): void;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads one suite of a Debian archive: InRelease (conditional request), verification, then each
 * wanted Packages.xz checked against the signed size and sha256 before it is decompressed and parsed.
 * A refusal throws SyncError naming the suite and the reason.
 */
export async function readDebianSuite(ctx: ReadSuiteContext): Promise<SuiteReading> {
  const { upstream, suite, previous, limits } = ctx;
  const fail = (reason: string): never => {
    throw new SyncError(upstream.name, suite, reason);
  };
  const base = `${upstream.url.replace(/\/+$/, '')}/dists/${suite}`;
  const { timings, lap } = phaseTimer();

  ctx.onProgress('InRelease');
  const fetched = await getWithRetries(`${base}/InRelease`, limits.maxInReleaseBytes, limits, previous).catch((e: Error) => fail(e.message));
  let text: string;
  let etag = previous?.etag ?? null;
  let lastModified = previous?.last_modified ?? null;
  if (fetched.status === 'not-modified') {
    // Reuse only our own copy, accepted by an earlier sync; it is verified again below like a fresh one.
    text = previous!.in_release;
  } else {
    text = fetched.body.toString('utf8');
    etag = fetched.etag;
    lastModified = fetched.lastModified;
  }
  const inReleaseSha256 = sha256(text);

  const verifiedKey = `${ctx.keyring.digest}:${inReleaseSha256}`;
  let release: ReleaseFile;
  try {
    if (!/^-----BEGIN PGP SIGNED MESSAGE-----\r?$/m.test(text) && previous) {
      fail('InRelease is not signed, but it was signed at the last accepted sync (refusing an unsigned downgrade)');
    }
    release = ctx.verified.has(verifiedKey)
      ? parseRelease(splitClearsigned(text).signedText)
      : (await verifyInRelease(text, ctx.keyring, ctx.now)).release;
  } catch (error) {
    if (error instanceof SyncError) throw error;
    return fail((error as Error).message);
  }
  ctx.verified.add(verifiedKey);

  if (release.validUntil && release.validUntil.getTime() <= ctx.now.getTime() && !upstream.allowStale) {
    fail(`InRelease expired at ${release.validUntil.toISOString()} (Valid-Until); the mirror is stale or replaying old metadata (configure the upstream with --allow-stale to accept it)`);
  }
  if (previous && release.date.getTime() < Date.parse(previous.release_date)) {
    fail(`InRelease Date ${release.date.toISOString()} is older than the last accepted ${previous.release_date} (refusing replayed or rolled-back metadata)`);
  }

  let product: string;
  try {
    product = debianProductOf(release).product;
  } catch (error) {
    return fail((error as Error).message);
  }
  const classification = classificationOfSuite(suite);
  const excluded = !ctx.isWanted(product, classification);
  const wantedPaths = ctx.architectures.map((arch) => `main/binary-${arch}/Packages.xz`);
  const files: Record<string, string> = {};
  for (const path of wantedPaths) {
    const entry = release.sha256.get(path);
    if (!entry) fail(`InRelease lists no ${path} (is ${path.split('/')[1].slice(7)} published in this suite?)`);
    files[path] = `${entry!.sha256} ${entry!.size}`;
  }
  const indexes: SuiteIndexes = { criteria: ctx.criteriaDigest, files };
  const state: SuiteStatesTable = {
    upstream: upstream.name,
    suite,
    in_release: text,
    in_release_sha256: inReleaseSha256,
    release_date: release.date.toISOString(),
    valid_until: release.validUntil?.toISOString() ?? null,
    etag,
    last_modified: lastModified,
    indexes: JSON.stringify(indexes),
    published_updates: previous?.published_updates ?? 0,
    synced_at: ctx.now.toISOString(),
  };
  lap('inRelease');
  const stateChanged =
    !previous || previous.in_release_sha256 !== state.in_release_sha256 || previous.etag !== state.etag || previous.last_modified !== state.last_modified || previous.indexes !== state.indexes;
  const reading = { upstream: upstream.name, suite, product, classification, release, state, excluded, timings, stateChanged };
  if (excluded || (previous && previous.indexes === state.indexes)) return { ...reading, updates: null, binaryCount: 0 };

  const downloaded: IndexJob['indexes'] = [];
  for (const path of wantedPaths) {
    const { size, sha256: expected } = release.sha256.get(path)!;
    if (size > limits.maxIndexBytes) fail(`${path} is ${size} bytes, larger than the limit of ${limits.maxIndexBytes}`);
    ctx.onProgress(`downloading ${path}`);
    const got = await getWithRetries(`${base}/${path}`, size, limits, undefined).catch((e: Error) => fail(e.message));
    if (got.status !== 'ok') return fail(`${path}: unexpected 304 Not Modified`);
    if (got.body.length !== size) fail(`${path} is ${got.body.length} bytes, but InRelease says ${size} (hash mismatch: refusing it)`);
    if (sha256(got.body) !== expected) fail(`${path} does not match the sha256 in InRelease (hash mismatch: refusing it)`);
    downloaded.push({ path, compressed: got.body });
  }
  lap('download');
  ctx.onProgress('decompressing and parsing');
  const result = await runIndexJob({
    upstream: upstream.name,
    product,
    suite,
    releaseDate: release.date,
    indexes: downloaded,
    limits: { maxBytes: limits.maxDecompressedBytes, maxRatio: limits.maxDecompressionRatio },
  });
  if (!result.ok) return fail(result.error);
  Object.assign(timings, result.timings);
  return { ...reading, updates: result.updates, binaryCount: result.binaries };
}

/** Retries network errors and 5xx; whatever comes back goes through the same checks as a first answer. */
async function getWithRetries(url: string, maxBytes: number, limits: SyncLimits, previous: SuiteStatesTable | undefined): Promise<FetchResult> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt <= limits.retries; attempt++) {
    try {
      return await httpGet(url, {
        maxBytes,
        timeoutMs: limits.timeoutMs,
        etag: previous?.etag,
        lastModified: previous?.last_modified,
      });
    } catch (error) {
      lastError = error as Error;
      if (/answered HTTP 4\d\d|larger than the limit/.test(lastError.message)) break;
    }
  }
  throw lastError!;
}
