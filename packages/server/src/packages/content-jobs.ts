import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { MAX_JOB_ERRORS, type Clock, type ContentJob } from '@patchday/core';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log.ts';
import { ContentRejected, type ContentLibrary } from '../content/content-library.ts';
import type { SiteEvents } from '../events/site-events.ts';
import type { Store } from '../store/store.ts';
import { fetchIntoSource, TransferFailed, type Origin, type WantedFile } from './fetch-file.ts';
import type { PlannedFile } from './package-content.ts';

export interface ContentJobsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  content: ContentLibrary;
  /** Files transferred at once per job. */
  concurrency?: number;
  /** A transfer that sends nothing for this long is broken off (and retried). */
  idleTimeoutMs?: number;
  /** Attempts per file for transfers that fail retryably; each later one resumes where the last stopped. */
  attempts?: number;
  /** Told 'content' as a download moves on (bytes, files, its end). */
  events?: SiteEvents;
}

export interface JobPackage {
  packageId: string;
  name: string;
  sourceFolder: string;
}

interface Job {
  snapshot: ContentJob;
  abort: AbortController;
  done: Promise<void>;
}

/** One file to bring in, with every update of the package that lists it. */
interface JobFile extends WantedFile {
  updateIds: string[];
}

/**
 * §6.1 downloads into deployment packages, in the background, one job per package at a time:
 * each file goes into the package's source folder (resumed where a transfer broke off), then
 * through the content library's verification; the package's rows say which files are stored or
 * failed and why. The package's content version goes up by one when a job stored anything.
 */
export class ContentJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly concurrency: number;
  private readonly idleTimeoutMs: number;
  private readonly attempts: number;

  constructor(private readonly options: ContentJobsOptions) {
    this.concurrency = options.concurrency ?? 4;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.attempts = options.attempts ?? 3;
  }

  private readonly claimed = new Set<string>();
  private libraryTurn: Promise<void> = Promise.resolve();

  /**
   * Runs `work` alone among the library's bookkeeping: "the file is there, mark it stored" and a
   * removal's "no row references it, delete it" never interleave, so a stored row never names a
   * file a deletion is taking away.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.libraryTurn;
    let done!: () => void;
    this.libraryTurn = new Promise((resolve) => (done = resolve));
    await previous;
    try {
      return await work();
    } finally {
      done();
    }
  }

  running(packageId: string): boolean {
    return this.jobs.get(packageId)?.snapshot.state === 'running';
  }

  /** A download runs or is being set up: the package's content must not change under it. */
  busy(packageId: string): boolean {
    return this.claimed.has(packageId) || this.running(packageId);
  }

  /**
   * Reserves the package while a download is checked and recorded (which awaits the database), so
   * two requests never both start one. Returns the release, or null when the package is busy.
   */
  claim(packageId: string): (() => void) | null {
    if (this.busy(packageId)) return null;
    this.claimed.add(packageId);
    return () => this.claimed.delete(packageId);
  }

  /** The package's current or last job (since the site started), as the API shows it. */
  snapshot(packageId: string): ContentJob | null {
    const job = this.jobs.get(packageId);
    return job ? structuredClone(job.snapshot) : null;
  }

  /** Every package's current or last job. */
  snapshots(): Map<string, ContentJob> {
    return new Map([...this.jobs].map(([id, job]) => [id, structuredClone(job.snapshot)]));
  }

  /** Resolves when the package's job (if any) has finished. */
  async whenDone(packageId: string): Promise<void> {
    await this.jobs.get(packageId)?.done;
  }

  /** Forgets a deleted package's last job. */
  forget(packageId: string): void {
    if (!this.running(packageId)) this.jobs.delete(packageId);
  }

  /** Starts bringing in `files` (rows already recorded `pending`); the caller made sure no job runs for the package. */
  start(pkg: JobPackage, files: readonly PlannedFile[], origin: Origin, actor: string): ContentJob {
    const unique = new Map<string, JobFile>();
    for (const f of files) {
      const seen = unique.get(f.sha256);
      if (seen) seen.updateIds.push(f.updateId);
      else unique.set(f.sha256, { sha256: f.sha256, size: f.size, fileName: f.fileName, url: f.url, updateIds: [f.updateId] });
    }
    const snapshot: ContentJob = {
      state: 'running',
      from: origin.kind === 'folder' ? origin.folder : 'upstream',
      startedBy: actor,
      startedAt: this.options.clock.now().toISOString(),
      finishedAt: null,
      files: { total: unique.size, stored: 0, failed: 0 },
      bytes: { total: [...unique.values()].reduce((sum, f) => sum + f.size, 0), done: 0 },
      failures: [],
      error: null,
    };
    const abort = new AbortController();
    const job: Job = { snapshot, abort, done: Promise.resolve() };
    job.done = this.run(pkg, [...unique.values()], origin, actor, job).catch((error) => {
      this.options.log.error({ err: error, packageId: pkg.packageId }, 'package download failed');
      snapshot.error = (error as Error).message;
      snapshot.state = 'failed';
      snapshot.finishedAt = this.options.clock.now().toISOString();
      this.options.events?.announce('content');
    });
    this.jobs.set(pkg.packageId, job);
    return structuredClone(snapshot);
  }

  /** Stops every job (the site is stopping) and waits until each has recorded what it did. */
  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.abort.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private async run(pkg: JobPackage, files: JobFile[], origin: Origin, actor: string, job: Job): Promise<void> {
    const { snapshot, abort } = job;
    const progress = new Map<string, number>();
    const setProgress = (sha256: string, bytes: number) => {
      snapshot.bytes.done += bytes - (progress.get(sha256) ?? 0);
      progress.set(sha256, bytes);
      this.options.events?.announce('content');
    };
    let storedRows = 0;
    await mkdir(pkg.sourceFolder, { recursive: true });
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file && !abort.signal.aborted; file = queue.shift()) {
        const bring = () => this.bringIn(pkg, file!, origin, abort.signal, (bytes) => setProgress(file!.sha256, bytes));
        let outcome = await bring();
        let rows = outcome === 'stored' ? await this.markStored(pkg.packageId, file) : null;
        if (outcome === 'stored' && rows === null) {
          // A package deletion took the file out of the library between the two steps: fetch it once more.
          outcome = await bring();
          rows = outcome === 'stored' ? await this.markStored(pkg.packageId, file) : null;
          if (outcome === 'stored' && rows === null) outcome = { error: 'the file left the content library while it was being stored; download again' };
        }
        if (outcome === 'stopped') return;
        if (outcome === 'stored') {
          setProgress(file.sha256, file.size);
          snapshot.files.stored++;
          storedRows += rows!;
        } else {
          setProgress(file.sha256, 0);
          snapshot.files.failed++;
          for (const updateId of file.updateIds) if (snapshot.failures.length < MAX_JOB_ERRORS) snapshot.failures.push({ updateId, fileName: file.fileName, sha256: file.sha256, error: outcome.error });
          await this.markFailed(pkg.packageId, file, outcome.error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, files.length) }, worker));
    const now = this.options.clock.now();
    const { db } = this.options.store;
    const version = await db.transaction().execute(async (trx) => {
      if (storedRows > 0) {
        await trx
          .updateTable('deployment_packages')
          .set((eb) => ({ content_version: eb('content_version', '+', 1), updated_at: now.toISOString() }))
          .where('package_id', '=', pkg.packageId)
          .execute();
      }
      const row = await trx.selectFrom('deployment_packages').select('content_version').where('package_id', '=', pkg.packageId).executeTakeFirstOrThrow();
      await recordAudit(
        trx,
        { actor, action: 'package.content-downloaded', target: pkg.packageId, details: { name: pkg.name, from: snapshot.from, stored: snapshot.files.stored, failed: snapshot.files.failed, stopped: abort.signal.aborted, contentVersion: row.content_version } },
        now,
      );
      return row.content_version;
    });
    if (abort.signal.aborted) snapshot.error = 'the site stopped before the download finished; start it again to resume';
    snapshot.state = snapshot.files.failed > 0 || abort.signal.aborted ? 'failed' : 'succeeded';
    snapshot.finishedAt = now.toISOString();
    this.options.events?.announce('content');
    this.options.log.info({ packageId: pkg.packageId, stored: snapshot.files.stored, failed: snapshot.files.failed, contentVersion: version }, 'package download finished');
  }

  /** One file into the library: already there, or fetched (with retries) and verified. */
  private async bringIn(pkg: JobPackage, file: JobFile, origin: Origin, signal: AbortSignal, onProgress: (bytes: number) => void): Promise<'stored' | 'stopped' | { error: string }> {
    const { content } = this.options;
    if (await content.has(file.sha256)) return 'stored';
    for (let attempt = 1; ; attempt++) {
      try {
        const path = await fetchIntoSource(file, origin, pkg.sourceFolder, { signal, idleTimeoutMs: this.idleTimeoutMs, onProgress });
        try {
          await content.put(createReadStream(path), { sha256: file.sha256, size: file.size });
        } catch (error) {
          // Bad bytes in the source folder are never worth keeping: the next download fetches anew.
          if (error instanceof ContentRejected) await rm(path, { force: true });
          throw error;
        }
        return 'stored';
      } catch (error) {
        if (signal.aborted) return 'stopped';
        if (error instanceof ContentRejected) return { error: `refused by the content library: ${error.message}` };
        if (error instanceof TransferFailed && error.retryable && attempt < this.attempts) continue;
        return { error: (error as Error).message };
      }
    }
  }

  /** Marks the file's rows stored, if the file is (still) in the library: the rows changed, or null when it is not. */
  private async markStored(packageId: string, file: JobFile): Promise<number | null> {
    return this.exclusive(async () => {
      if (!(await this.options.content.has(file.sha256))) return null;
      const now = this.options.clock.now().toISOString();
      return this.options.store.db.transaction().execute(async (trx) => {
        await trx.insertInto('content_files').values({ sha256: file.sha256, size: file.size, stored_at: now }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
        const updated = await trx.updateTable('package_files').set({ state: 'stored', error: null }).where('package_id', '=', packageId).where('sha256', '=', file.sha256).where('state', '<>', 'stored').executeTakeFirst();
        return Number(updated.numUpdatedRows);
      });
    });
  }

  private async markFailed(packageId: string, file: JobFile, error: string): Promise<void> {
    await this.options.store.db.updateTable('package_files').set({ state: 'failed', error }).where('package_id', '=', packageId).where('sha256', '=', file.sha256).where('state', '=', 'pending').execute();
  }
}
