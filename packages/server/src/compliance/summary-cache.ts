import type { Clock, ComplianceSummary, ComplianceSummaryQuery } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SiteEvents } from '../events/site-events.ts';
import type { Database } from '../store/schema.ts';
import { complianceSummary, type SummaryCounts } from './client-compliance.ts';
import type { CountedApart } from './summary-worker.ts';

export interface SummaryCacheOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  events: SiteEvents;
  /**
   * A summary that took longer than this to make is served as it was while a new one is made in the
   * background (default 1000 ms). Smaller fleets are summarised again on every change, so they are
   * always exact.
   */
  recomputeBudgetMs?: number;
  /**
   * Counts a summary off the site's thread (summary-worker.ts). Used for a query's first
   * count and for one whose last count took longer than the budget; a small fleet's is counted in
   * place, where it costs no worker's start.
   */
  countApart?: (query: Omit<ComplianceSummaryQuery, 'fresh'>) => Promise<CountedApart>;
}

interface Entry {
  counts: SummaryCounts;
  summarizedAt: string;
  /** The change count the counts are of. */
  version: number;
  tookMs: number;
}

/** Different queries kept at once (the dashboard's, a few collections'): the oldest goes first. */
const MAX_ENTRIES = 32;

/**
 * The fleet summary (§9), summarised the way Configuration Manager summarises: counting every client
 * × update pair of a large fleet takes seconds, so the last summary is kept per query and made again
 * only when something it counts has changed — a client reported, a sync ran, an administrator changed
 * something (the site's events say so). Until then it is exact and costs nothing. When it has changed:
 * a fleet summarised within the budget is summarised again at once; a larger one gets the last
 * summary marked `stale`, with `summarizedAt`, while one new summary is made in the background
 * (`fresh=true` waits for it instead).
 */
export class SummaryCache {
  private version = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly making = new Map<string, { version: number; made: Promise<Entry> }>();
  private readonly later = new Set<ReturnType<typeof setImmediate>>();
  private readonly unlisten: () => void;
  private readonly budgetMs: number;

  constructor(private readonly options: SummaryCacheOptions) {
    this.budgetMs = options.recomputeBudgetMs ?? 1000;
    this.unlisten = options.events.listen((kind) => {
      if (kind === 'clients' || kind === 'sync' || kind === 'changes') this.version++;
    });
  }

  async summary(query: ComplianceSummaryQuery): Promise<ComplianceSummary> {
    const { fresh, ...counted } = query;
    const key = JSON.stringify([counted.collectionId ?? null, counted.product ?? null, counted.superseded ?? null]);
    const entry = this.entries.get(key);
    if (entry && entry.version === this.version) return answer(entry, false);
    if (entry && !fresh && entry.tookMs > this.budgetMs) {
      // After this answer is on its way: a count in place would hold it back.
      const later = setImmediate(() => {
        this.later.delete(later);
        void this.make(key, counted).catch((error) => this.options.log.warn({ err: error }, 'fleet summary failed'));
      });
      this.later.add(later);
      return answer(entry, true);
    }
    return answer(await this.make(key, counted), false);
  }

  /** Stops listening and waits for summaries being made (the site is stopping). */
  async close(): Promise<void> {
    this.unlisten();
    for (const later of this.later) clearImmediate(later);
    await Promise.allSettled([...this.making.values()].map((m) => m.made));
  }

  /**
   * One summary per query at a time: whoever asks meanwhile shares it, unless a change came after it
   * started; then a new one follows it.
   */
  private make(key: string, query: Omit<ComplianceSummaryQuery, 'fresh'>): Promise<Entry> {
    const under = this.making.get(key);
    if (under?.version === this.version) return under.made;
    if (under) return under.made.catch(() => undefined).then(() => this.make(key, query));
    const version = this.version;
    const summarizedAt = this.options.clock.now().toISOString();
    const started = performance.now();
    const last = this.entries.get(key);
    const { countApart } = this.options;
    const counting: Promise<CountedApart> =
      countApart && !(last && last.tookMs <= this.budgetMs)
        ? countApart(query)
        : complianceSummary(this.options.db, query).then((counts) => ({ counts, tookMs: performance.now() - started }));
    const made = counting
      .then(({ counts, tookMs }) => {
        const entry: Entry = { counts, summarizedAt, version, tookMs };
        this.entries.delete(key);
        this.entries.set(key, entry);
        if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
        return entry;
      })
      .finally(() => {
        if (this.making.get(key)?.made === made) this.making.delete(key);
      });
    this.making.set(key, { version, made });
    return made;
  }
}

function answer(entry: Entry, stale: boolean): ComplianceSummary {
  return { summarizedAt: entry.summarizedAt, stale, ...entry.counts };
}
