import { debianUpdatesOf, parsePackagesIndex, type BinaryPackage } from '@patchday/core';
import { prepareUpdate, type PreparedUpdate } from '../catalogue/update-rows.ts';
import { phaseTimer } from './phase-timer.ts';
import { xzDecompressToFile, type DecompressedFile, type DecompressLimits } from './xz.ts';

/** A suite's verified Packages.xz files, to turn into catalogue updates. */
export interface IndexJob {
  upstream: string;
  product: string;
  suite: string;
  releaseDate: Date;
  /** Packages.xz of each synced architecture, each already checked against the verified InRelease. */
  indexes: Array<{ path: string; compressed: Uint8Array }>;
  limits: DecompressLimits;
}

export type IndexJobResult =
  | { ok: true; updates: PreparedUpdate[]; binaries: number; timings: Record<string, number> }
  | { ok: false; error: string };

/**
 * Parsing holds a whole index in memory; one at a time keeps the peak to one suite's worth while the
 * other suites' xz processes keep decompressing into their files.
 */
let parsing: Promise<unknown> = Promise.resolve();
function oneParseAtATime<T>(work: () => T): Promise<T> {
  const turn = parsing.then(work);
  parsing = turn.catch(() => undefined);
  return turn;
}

/** Decompress (bounded), parse and validate, group into updates, and digest them. */
export async function runIndexJob(job: IndexJob): Promise<IndexJobResult> {
  const { timings, lap } = phaseTimer();
  const files: Array<{ path: string; file: DecompressedFile }> = [];
  try {
    for (const { path, compressed } of job.indexes) {
      try {
        files.push({ path, file: await xzDecompressToFile(Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength), job.limits) });
      } catch (error) {
        return { ok: false, error: `${path}: ${(error as Error).message}` };
      }
    }
    lap('decompress');
    return await oneParseAtATime(() => {
      lap('wait');
      const binaries: BinaryPackage[] = [];
      for (const { path, file } of files) {
        // latin1 decodes 50 MB in a tenth of UTF-8's time and keeps one byte per character; every
        // field we keep is ASCII by policy except the synopsis, which is re-decoded as UTF-8 below.
        const text = file.read().toString('latin1');
        try {
          for (const b of parsePackagesIndex(text)) binaries.push(b);
        } catch (error) {
          return { ok: false as const, error: `${path}: ${(error as Error).message}` };
        }
      }
      for (const b of binaries) {
        if (b.description && /[\u0080-\u00ff]/.test(b.description)) b.description = Buffer.from(b.description, 'latin1').toString('utf8');
      }
      lap('parse');
      // Parsed values are slices of the whole index text and would keep its 50 MB alive until the write;
      // the binaries live on in binariesJson, and a JSON round trip gives the rest strings of their own.
      const updates = debianUpdatesOf({ upstream: job.upstream, product: job.product, suite: job.suite, releaseDate: job.releaseDate, binaries })
        .map(prepareUpdate)
        .map((p) => ({ ...p, meta: JSON.parse(JSON.stringify({ ...p.meta, binaries: [] })) as typeof p.meta }));
      lap('build');
      return { ok: true as const, updates, binaries: binaries.length, timings };
    });
  } finally {
    for (const { file } of files) file.dispose();
  }
}
