import { debianUpdatesOf, parsePackagesIndex, type BinaryPackage } from '@patchday/core';
import { prepareUpdate, type PreparedUpdate } from '../catalogue/update-rows.ts';
import { xzDecompress, type DecompressLimits } from './xz.ts';

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

/** Decompress (bounded), parse and validate, group into updates, and digest them. */
export async function runIndexJob(job: IndexJob): Promise<IndexJobResult> {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (phase: string) => {
    const now = performance.now();
    timings[phase] = (timings[phase] ?? 0) + Math.round(now - mark);
    mark = now;
  };
  const binaries: BinaryPackage[] = [];
  for (const { path, compressed } of job.indexes) {
    let text: string;
    try {
      const decompressed = await xzDecompress(Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength), job.limits);
      // latin1 decodes 50 MB in a tenth of UTF-8's time and keeps one byte per character; every
      // field we keep is ASCII by policy except the synopsis, which is re-decoded as UTF-8 below.
      text = decompressed.toString('latin1');
    } catch (error) {
      return { ok: false, error: `${path}: ${(error as Error).message}` };
    }
    lap('decompress');
    try {
      for (const b of parsePackagesIndex(text)) binaries.push(b);
    } catch (error) {
      return { ok: false, error: `${path}: ${(error as Error).message}` };
    }
    lap('parse');
  }
  for (const b of binaries) {
    if (b.description && /[\u0080-\u00ff]/.test(b.description)) b.description = Buffer.from(b.description, 'latin1').toString('utf8');
  }
  const updates = debianUpdatesOf({ upstream: job.upstream, product: job.product, suite: job.suite, releaseDate: job.releaseDate, binaries }).map(prepareUpdate);
  lap('build');
  return { ok: true, updates, binaries: binaries.length, timings };
}
