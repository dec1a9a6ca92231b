import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DpFile, DpPackageState, DpTargets } from '@patchday/core';
import type { Logger } from 'pino';
import { ContentRejected, type ContentLibrary } from '../content/content-library.ts';
import type { PartialDownloads } from './partial-downloads.ts';
import { SiteRefused, type SiteLink } from './site-link.ts';

export interface SyncPassResult {
  /** Packages the site targets this distribution point with. */
  packages: number;
  /** Of those, how many it holds whole after the pass, and how many are failed. */
  installed: number;
  failed: number;
  /** Files fetched into the library by this pass. */
  fetched: number;
  /** Files removed because no targeted package needs them any more. */
  removed: number;
}

type TargetPackage = DpTargets['packages'][number];

/**
 * One pass of a remote distribution point over what its site wants it to hold: fetch each
 * ready package's missing files (resuming partial ones), report how far each package got, and
 * delete what no targeted package needs. Reports repeat nothing the site already recorded, so a
 * restarted process says "installed" once.
 */
export class DpSync {
  constructor(
    private readonly link: SiteLink,
    private readonly library: ContentLibrary,
    private readonly partials: PartialDownloads,
    private readonly log: Logger,
    /** Where the site's content-token key goes (the HTTP side verifies agents with it). */
    private readonly onKey: (key: string) => Promise<void>,
    /** At most one in-progress report per package this often while bytes flow. */
    private readonly progressIntervalMs = 2000,
  ) {}

  async pass(): Promise<SyncPassResult> {
    const targets = await this.link.targets();
    await this.onKey(targets.contentTokenKey);
    const result: SyncPassResult = { packages: targets.packages.length, installed: 0, failed: 0, fetched: 0, removed: 0 };
    for (const pkg of targets.packages) {
      const outcome = await this.syncPackage(pkg, result);
      if (outcome === 'installed') result.installed += 1;
      if (outcome === 'failed') result.failed += 1;
    }
    result.removed = await this.removeUnneeded(targets);
    return result;
  }

  private async syncPackage(pkg: TargetPackage, result: SyncPassResult): Promise<'installed' | 'failed' | 'waiting'> {
    // A package refused here stays failed until an administrator distributes it again.
    if (pkg.reported.state === 'failed' && pkg.reported.contentVersion === pkg.contentVersion) return 'failed';
    // The site's library does not hold the whole package yet.
    if (!pkg.ready) return 'waiting';
    const bytesTotal = pkg.files.reduce((n, f) => n + f.size, 0);
    const held = new Map<string, number>();
    const missing: DpFile[] = [];
    for (const f of pkg.files) {
      if (await this.library.has(f.sha256)) held.set(f.sha256, f.size);
      else {
        held.set(f.sha256, await this.partials.received(f.sha256));
        missing.push(f);
      }
    }
    const done = () => [...held.values()].reduce((n, b) => n + b, 0);
    const reports = new Reports(this.link, pkg, bytesTotal, this.log);

    if (missing.length > 0) {
      await reports.send('in-progress', done());
      let lastProgress = performance.now();
      for (const file of missing) {
        try {
          await this.partials.fetchInto(this.library, this.link, file, (bytes) => {
            held.set(file.sha256, bytes);
            if (performance.now() - lastProgress < this.progressIntervalMs) return;
            lastProgress = performance.now();
            reports.progress(done());
          });
          result.fetched += 1;
        } catch (error) {
          // The site no longer has the file (the package changed since the pass began): the next pass sees the new content.
          if (error instanceof SiteRefused && error.status === 404) {
            this.log.warn({ packageId: pkg.packageId, sha256: file.sha256 }, 'the site no longer offers a file of the package; trying again at the next pass');
            return 'waiting';
          }
          if (!(error instanceof ContentRejected)) throw error;
          this.log.error({ packageId: pkg.packageId, sha256: file.sha256, err: error }, 'a file of the package was refused');
          held.set(file.sha256, 0);
          await reports.send('failed', done(), `${file.sha256} refused: ${error.message}`);
          return 'failed';
        } finally {
          await reports.settled();
        }
      }
    }
    if (await reports.send('installed', bytesTotal)) {
      this.log.info({ packageId: pkg.packageId, name: pkg.name, contentVersion: pkg.contentVersion, files: pkg.files.length, fetched: missing.length }, 'package installed');
    }
    return 'installed';
  }

  /** Library and partial files that no targeted package lists are deleted. */
  private async removeUnneeded(targets: DpTargets): Promise<number> {
    const needed = new Set(targets.packages.flatMap((p) => p.files.map((f) => f.sha256)));
    await this.partials.keepOnly(needed);
    let removed = 0;
    for (const sha256 of await libraryFiles(this.library)) {
      if (needed.has(sha256)) continue;
      await this.library.remove(sha256);
      removed += 1;
    }
    if (removed) this.log.info({ removed }, 'removed files no package needs');
    return removed;
  }
}

/** The sha256 of every file in a library (its layout: `sha256/<first two>/<sha256>`). */
async function libraryFiles(library: ContentLibrary): Promise<string[]> {
  const out: string[] = [];
  let prefixes: string[];
  try {
    prefixes = await readdir(join(library.root, 'sha256'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw error;
  }
  for (const prefix of prefixes) out.push(...(await readdir(join(library.root, 'sha256', prefix))).filter((n) => /^[0-9a-f]{64}$/.test(n)));
  return out;
}

/**
 * The reports about one package, sent one after another (a late progress report never lands
 * after "installed"), and never one the site already recorded.
 */
class Reports {
  private last: { state: DpPackageState; contentVersion: number; bytesDone: number };
  private queue: Promise<unknown> = Promise.resolve();
  private progressPending = false;

  constructor(
    private readonly link: SiteLink,
    private readonly pkg: TargetPackage,
    private readonly bytesTotal: number,
    private readonly log: Logger,
  ) {
    this.last = pkg.reported;
  }

  /** Sends a state unless the site has it already; true when sent. */
  async send(state: 'in-progress' | 'installed' | 'failed', bytesDone: number, error: string | null = null): Promise<boolean> {
    await this.queue;
    const same = this.last.state === state && this.last.contentVersion === this.pkg.contentVersion && (state === 'installed' || this.last.bytesDone === bytesDone);
    if (same) return false;
    await this.link.report([{ packageId: this.pkg.packageId, contentVersion: this.pkg.contentVersion, state, bytesDone, bytesTotal: this.bytesTotal, error }]);
    this.last = { state, contentVersion: this.pkg.contentVersion, bytesDone };
    return true;
  }

  /** Bytes flowing: reported in the background, skipped while the previous one is still on its way. */
  progress(bytesDone: number): void {
    if (this.progressPending) return;
    this.progressPending = true;
    this.queue = this.send('in-progress', bytesDone)
      .catch((error) => this.log.warn({ err: error, packageId: this.pkg.packageId }, 'a progress report failed'))
      .finally(() => (this.progressPending = false));
  }

  async settled(): Promise<void> {
    await this.queue;
  }
}
