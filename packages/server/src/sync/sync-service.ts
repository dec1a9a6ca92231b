import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import type { Clock, SyncCriteria, SyncProgress, SyncRun, Upstream } from '@patchday/core';
import type { Logger } from 'pino';
import { readSetting } from '../settings/site-settings.ts';
import type { SiteEvents } from '../events/site-events.ts';
import { recordStatus, StatusMessageId } from '../status/status-messages.ts';
import type { Store } from '../store/store.ts';
import type { Selectable } from 'kysely';
import type { SyncRunsTable } from '../store/schema.ts';
import { listUpstreams } from '../upstreams/upstream-rows.ts';
import { defaultSyncLimits, readDebianSuite, type SuiteReading, type SyncLimits } from './debian-suite-reader.ts';
import { loadKeyring } from './keyring.ts';
import { SyncError } from './sync-error.ts';
import { writeCatalogue } from './write-catalogue.ts';

export interface SyncServiceOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  limits?: Partial<SyncLimits>;
  /** §12: a failed sync retries after this many minutes (default 60). */
  retryMinutes?: number;
  /** Told 'sync' when a run starts, reads a suite and ends. */
  events?: SiteEvents;
}

export class SyncConflictError extends Error {}

const COMPONENT = 'update-point';

/** The update point's sync: one run at a time, on demand or on the schedule, retrying after failures. */
export class SyncService {
  private running: { runId: number; progress: SyncProgress; done: Promise<void> } | null = null;
  private cancelTimer: (() => void) | null = null;
  private nextRunAt: Date | null = null;
  private retryAt: Date | null = null;
  private readonly verified = new Set<string>();
  private readonly limits: SyncLimits;
  private stopped = false;
  private starting = false;

  constructor(private readonly options: SyncServiceOptions) {
    this.limits = { ...defaultSyncLimits, ...options.limits };
  }

  /** A run that was going on when the site died can never finish: record it as failed. */
  async recoverInterrupted(): Promise<void> {
    const { db } = this.options.store;
    const stale = await db.selectFrom('sync_runs').select('run_id').where('status', '=', 'running').execute();
    for (const { run_id } of stale) {
      const error = 'interrupted: the site stopped during the sync; the catalogue was left as it was before the run';
      await db.updateTable('sync_runs').set({ status: 'failed', error, finished_at: this.now().toISOString() }).where('run_id', '=', run_id).execute();
      await recordStatus(db, { messageId: StatusMessageId.syncFailed, severity: 'error', component: COMPONENT, text: `Sync ${run_id} failed: ${error}`, details: { runId: run_id } }, this.now());
    }
  }

  /** Starts a run and returns its id at once; the run goes on in the background. */
  async start(trigger: string, only?: { upstream?: string }): Promise<number> {
    if (this.running || this.starting) throw new SyncConflictError(`a sync is already running${this.running ? ` (run ${this.running.runId})` : ''}`);
    this.starting = true;
    try {
      return await this.begin(trigger, only);
    } finally {
      this.starting = false;
    }
  }

  private async begin(trigger: string, only?: { upstream?: string }): Promise<number> {
    const upstreams = (await listUpstreams(this.options.store.db)).filter((u) => !only?.upstream || u.name === only.upstream);
    if (only?.upstream && upstreams.length === 0) throw new Error(`no upstream named ${only.upstream}`);
    if (upstreams.length === 0) throw new Error('no upstream is configured (add one with `patchday upstream add debian …`)');
    const { db } = this.options.store;
    const startedAt = this.now();
    const inserted = await db
      .insertInto('sync_runs')
      .values({ trigger, status: 'running', started_at: startedAt.toISOString(), finished_at: null, added: 0, revised: 0, superseded: 0, expired: 0, unchanged: 0, error: null, catalogue_seq: null })
      .returning('run_id')
      .executeTakeFirstOrThrow();
    const runId = inserted.run_id;
    const progress: SyncProgress = { phase: 'starting', suitesDone: 0, suitesTotal: upstreams.reduce((n, u) => n + u.suites.length, 0), detail: '' };
    const done = this.execute(runId, upstreams, progress).finally(() => {
      this.running = null;
    });
    this.running = { runId, progress, done };
    return runId;
  }

  /** Runs a sync and waits for it (tests, `sync run` in-process). */
  async run(trigger: string, only?: { upstream?: string }): Promise<SyncRun> {
    const runId = await this.start(trigger, only);
    await this.running?.done;
    return (await this.getRun(runId))!;
  }

  async whenIdle(): Promise<void> {
    await this.running?.done;
  }

  async getRun(runId: number): Promise<SyncRun | null> {
    const row = await this.options.store.db.selectFrom('sync_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return row ? this.toSyncRun(row) : null;
  }

  async listRuns(limit: number): Promise<SyncRun[]> {
    const rows = await this.options.store.db.selectFrom('sync_runs').selectAll().orderBy('run_id', 'desc').limit(limit).execute();
    return rows.map((r) => this.toSyncRun(r));
  }

  schedule(): { nextRunAt: string | null; retryAt: string | null; runningRunId: number | null } {
    return { nextRunAt: this.nextRunAt?.toISOString() ?? null, retryAt: this.retryAt?.toISOString() ?? null, runningRunId: this.running?.runId ?? null };
  }

  /** (Re)arms the timer for the next scheduled run or pending retry, whichever is sooner. */
  async reschedule(): Promise<void> {
    if (this.stopped) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    const schedule = await readSetting(this.options.store.db, 'sync.schedule');
    const now = this.now();
    this.nextRunAt = schedule.enabled ? (new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }).nextRun(now) ?? null) : null;
    const candidates = [this.nextRunAt, this.retryAt].filter((d): d is Date => d !== null);
    if (candidates.length === 0) return;
    const at = new Date(Math.min(...candidates.map((d) => d.getTime())));
    const trigger = this.retryAt && at.getTime() === this.retryAt.getTime() ? 'retry' : 'schedule';
    this.cancelTimer = this.options.clock.at(at, () => {
      this.cancelTimer = null;
      void this.fireScheduled(trigger);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.whenIdle();
  }

  private async fireScheduled(trigger: string): Promise<void> {
    if (trigger === 'retry') this.retryAt = null;
    try {
      if (!this.running) await this.run(trigger);
    } catch (error) {
      this.options.log.warn({ err: error }, 'scheduled sync did not start');
    }
    await this.reschedule();
  }

  private now(): Date {
    return this.options.clock.now();
  }

  private async execute(runId: number, upstreams: Upstream[], progress: SyncProgress): Promise<void> {
    const { store, log } = this.options;
    const { db } = store;
    const startedAt = this.now();
    await recordStatus(db, { messageId: StatusMessageId.syncStarted, severity: 'info', component: COMPONENT, text: `Sync ${runId} started (${upstreams.map((u) => u.name).join(', ')})`, details: { runId } }, startedAt);
    log.info({ runId }, 'sync started');
    this.options.events?.announce('sync');
    try {
      const criteria = await readSetting(db, 'sync.criteria');
      const readings: SuiteReading[] = [];
      // Upstreams one after another (their suites in parallel), so a failing one stops the run early.
      for (const upstream of upstreams) readings.push(...(await this.readUpstream(upstream, criteria, progress)));
      for (const r of readings) log.info({ runId, suite: `${r.upstream}/${r.suite}`, binaries: r.binaryCount, updates: r.updates?.length ?? null, ms: r.timings }, 'suite read');
      progress.phase = 'writing';
      const writeStart = performance.now();
      progress.detail = 'writing the catalogue';
      const result = await writeCatalogue(store, readings, {
        now: this.now(),
        expiryMonths: (await readSetting(db, 'sync.supersedence')).expireAfterMonths,
        onWriteStart: () => log.info({ runId }, 'sync writing catalogue'),
      });
      log.info({ runId, ms: Math.round(performance.now() - writeStart) }, 'catalogue written');
      const suites = readings.map((r) => ({
        upstream: r.upstream,
        suite: r.suite,
        product: r.product,
        result: r.excluded ? 'excluded by criteria' : r.updates === null ? 'unchanged' : 'updated',
        updates: result.suiteUpdates.get(`${r.upstream}\0${r.suite}`) ?? 0,
      }));
      const finishedAt = this.now();
      const { added, revised, superseded, expired, unchanged } = result;
      await db
        .updateTable('sync_runs')
        .set({ status: 'succeeded', finished_at: finishedAt.toISOString(), added, revised, superseded, expired, unchanged, catalogue_seq: result.catalogueSeq, suites: JSON.stringify(suites) })
        .where('run_id', '=', runId)
        .execute();
      await recordStatus(
        db,
        {
          messageId: StatusMessageId.syncCompleted,
          severity: 'info',
          component: COMPONENT,
          text: `Sync ${runId} completed: ${added} added, ${revised} revised, ${superseded} superseded, ${expired} expired, ${unchanged} unchanged`,
          details: { runId, added, revised, superseded, expired, unchanged, catalogueSeq: result.catalogueSeq },
        },
        finishedAt,
      );
      log.info({ runId, added, revised, superseded, unchanged }, 'sync completed');
      this.options.events?.announce('sync');
      // A success cancels a pending retry (a manual run may have succeeded before it fell due).
      if (this.retryAt) {
        this.retryAt = null;
        await this.reschedule();
      }
    } catch (error) {
      const message = error instanceof SyncError ? error.message : `${(error as Error).message}`;
      const finishedAt = this.now();
      this.retryAt = new Date(finishedAt.getTime() + (this.options.retryMinutes ?? 60) * 60_000);
      await db.updateTable('sync_runs').set({ status: 'failed', finished_at: finishedAt.toISOString(), error: message }).where('run_id', '=', runId).execute();
      await recordStatus(
        db,
        { messageId: StatusMessageId.syncFailed, severity: 'error', component: COMPONENT, text: `Sync ${runId} failed: ${message}; retrying at ${this.retryAt.toISOString()}`, details: { runId, error: message, retryAt: this.retryAt.toISOString() } },
        finishedAt,
      );
      log.warn({ runId, error: message }, 'sync failed');
      this.options.events?.announce('sync');
      await this.reschedule();
    }
  }

  private async readUpstream(upstream: Upstream, criteria: SyncCriteria, progress: SyncProgress): Promise<SuiteReading[]> {
    const { db } = this.options.store;
    let keyring;
    try {
      keyring = await loadKeyring(upstream.keyring);
    } catch (error) {
      throw new SyncError(upstream.name, null, (error as Error).message);
    }
    const architectures = criteria.architectures.length ? upstream.architectures.filter((a) => criteria.architectures.includes(a)) : upstream.architectures;
    if (architectures.length === 0) throw new SyncError(upstream.name, null, `none of its architectures (${upstream.architectures.join(', ')}) is in the sync criteria`);
    const criteriaDigest = createHash('sha256').update(JSON.stringify({ architectures, products: criteria.products, classifications: criteria.classifications })).digest('hex').slice(0, 16);
    const states = await db.selectFrom('suite_states').selectAll().where('upstream', '=', upstream.name).execute();
    progress.phase = 'reading';
    // All suites at once: downloads overlap and each xz runs on its own core while this one parses.
    const settled = await Promise.allSettled(
      upstream.suites.map((suite) =>
        readDebianSuite({
          upstream,
          suite,
          previous: states.find((s) => s.suite === suite),
          keyring,
          now: this.now(),
          limits: this.limits,
          architectures,
          criteriaDigest,
          verified: this.verified,
          isWanted: (product, classification) =>
            (criteria.products.length === 0 || criteria.products.includes(product)) && (criteria.classifications.length === 0 || criteria.classifications.includes(classification)),
          onProgress: (detail) => {
            progress.detail = `${upstream.name}/${suite}: ${detail}`;
          },
        }).finally(() => {
          progress.suitesDone++;
          this.options.events?.announce('sync');
        }),
      ),
    );
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return settled.map((s) => (s as PromiseFulfilledResult<SuiteReading>).value);
  }

  private toSyncRun(row: Selectable<SyncRunsTable>): SyncRun {
    return {
      runId: row.run_id,
      trigger: row.trigger,
      status: row.status as SyncRun['status'],
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      added: row.added,
      revised: row.revised,
      superseded: row.superseded,
      expired: row.expired,
      unchanged: row.unchanged,
      error: row.error,
      catalogueSeq: row.catalogue_seq,
      progress: this.running && this.running.runId === row.run_id ? { ...this.running.progress } : null,
      suites: JSON.parse(row.suites) as SyncRun['suites'],
    };
  }
}
