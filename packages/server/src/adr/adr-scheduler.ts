import type { AdrRunResult } from '@patchday/core';
import type { SiteContext } from '../http/context.ts';
import { runAdr } from './adr-run.ts';

const schedulers = new WeakMap<SiteContext, AdrScheduler>();

/** The site's rule scheduler (one per site context, shared by the admin API and the timer). */
export function adrSchedulerOf(site: SiteContext): AdrScheduler {
  let scheduler = schedulers.get(site);
  if (!scheduler) {
    scheduler = new AdrScheduler(site);
    schedulers.set(site, scheduler);
  }
  return scheduler;
}

/**
 * §6.3 runs automatic deployment rules when their schedule says: one timer on the site clock for
 * the earliest `next_run_at` of the enabled rules. Runs go one at a time (a scheduled run and "run
 * now" never interleave on one group). A run missed while the site was down runs once at start.
 */
export class AdrScheduler {
  private cancelTimer: (() => void) | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly site: SiteContext) {}

  /** Re-reads the rules' next runs and arms the timer for the earliest (after any change to a rule). */
  async reschedule(): Promise<void> {
    if (this.stopped) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    const next = await this.site.store.db
      .selectFrom('automatic_deployment_rules')
      .select((eb) => eb.fn.min('next_run_at').as('at'))
      .where('enabled', '=', 1)
      .where('next_run_at', 'is not', null)
      .executeTakeFirst();
    if (!next?.at || this.stopped) return;
    this.cancelTimer = this.site.clock.at(new Date(next.at), () => {
      this.cancelTimer = null;
      void this.runDue();
    });
  }

  /** Runs one rule now, after any run under way. */
  runNow(adrId: string, actor: string): Promise<AdrRunResult> {
    return this.serially(async () => {
      const result = await runAdr(this.site, adrId, 'manual', actor);
      await this.reschedule();
      return result;
    });
  }

  /** Resolves once no run is under way (tests, shutdown). */
  async whenIdle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.chain;
      await seen.catch(() => undefined);
    } while (seen !== this.chain);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.whenIdle();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.catch(() => undefined).then(work);
    this.chain = run;
    return run;
  }

  private runDue(): Promise<void> {
    return this.serially(async () => {
      const now = this.site.clock.now().toISOString();
      const due = await this.site.store.db
        .selectFrom('automatic_deployment_rules')
        .select(['adr_id', 'name'])
        .where('enabled', '=', 1)
        .where('next_run_at', '<=', now)
        .orderBy('next_run_at')
        .execute();
      for (const rule of due) {
        try {
          await runAdr(this.site, rule.adr_id, 'schedule', `adr:${rule.name}`);
        } catch (error) {
          // runAdr records its own failures; this is a rule deleted between the query and the run.
          this.site.log.warn({ err: error, adrId: rule.adr_id }, 'scheduled automatic deployment rule did not run');
        }
      }
      if (due.length > 0) this.site.events.announce('changes');
      await this.reschedule();
    });
  }
}
