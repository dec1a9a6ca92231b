import { Worker } from 'node:worker_threads';
import type { ComplianceSummaryQuery } from '@patchday/core';
import type { SummaryCounts } from './client-compliance.ts';

/** What a summary worker is given. */
export interface SummaryWork {
  /** The store's URL or SQLite file. */
  url: string;
  query: Omit<ComplianceSummaryQuery, 'fresh'>;
}

export interface CountedApart {
  counts: SummaryCounts;
  tookMs: number;
}

/**
 * Fleet summaries counted in worker threads: on SQLite (synchronous) a count of seconds on the
 * site's own thread would hold every agent's and administrator's request for as long; on PostgreSQL
 * the estimate of every update over the fleet's inventories is seconds of JavaScript. A worker
 * counts over its own connection on another core.
 */
export class SummaryWorkers {
  private readonly running = new Set<Worker>();

  constructor(private readonly url: string) {}

  /** The counts, and how long the count itself took (the worker's start left out). */
  count(query: SummaryWork['query']): Promise<CountedApart> {
    const worker = new Worker(new URL('./summary-worker-entry.js', import.meta.url), { workerData: { url: this.url, query } satisfies SummaryWork });
    this.running.add(worker);
    return new Promise<CountedApart>((resolve, reject) => {
      worker.once('message', (message: CountedApart | { error: string }) => {
        if ('counts' in message) resolve(message);
        else reject(new Error(`fleet summary: ${message.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        this.running.delete(worker);
        reject(new Error(`the fleet summary's worker stopped (exit code ${code}) before it answered`));
      });
    });
  }

  /** Stops every count under way (the site is stopping); their callers get an error. */
  async close(): Promise<void> {
    await Promise.all([...this.running].map((worker) => worker.terminate()));
  }
}
