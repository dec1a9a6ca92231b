import type { AlertEvaluation, Clock } from '@patchday/core';
import type { Logger } from 'pino';
import type { SiteEvents } from '../events/site-events.ts';
import type { Store } from '../store/store.ts';
import { evaluateAlerts } from './evaluate-alerts.ts';

export interface AlertServiceOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** How often alerts are evaluated (default every 15 minutes of site time). */
  intervalMinutes?: number;
  /** Told 'alerts' when an evaluation raised or cleared one. */
  events?: SiteEvents;
}

/**
 * §9 evaluates alerts every `intervalMinutes` on the site clock, and on demand. One evaluation at a
 * time; the next is armed when one finishes, so a virtual clock moved on by days runs one evaluation,
 * not one per quarter of an hour it skipped.
 */
export class AlertService {
  private cancelTimer: (() => void) | null = null;
  private running: Promise<AlertEvaluation> | null = null;
  private stopped = false;

  constructor(private readonly options: AlertServiceOptions) {}

  start(): void {
    this.arm();
  }

  /** Evaluates now (after the evaluation under way, if one is). */
  async evaluateNow(): Promise<AlertEvaluation> {
    while (this.running) await this.running.catch(() => undefined);
    const run = evaluateAlerts(this.options.store.db, this.options.clock.now());
    this.running = run;
    try {
      const result = await run;
      if (result.raised || result.cleared) this.options.events?.announce('alerts');
      return result;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  /** Resolves once no evaluation is under way (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.whenIdle();
  }

  private arm(): void {
    if (this.stopped) return;
    const { clock, intervalMinutes = 15 } = this.options;
    this.cancelTimer = clock.at(new Date(clock.now().getTime() + intervalMinutes * 60_000), () => {
      this.cancelTimer = null;
      void this.fire();
    });
  }

  private async fire(): Promise<void> {
    if (this.stopped) return;
    try {
      const result = await this.evaluateNow();
      if (result.raised || result.cleared) this.options.log.info(result, 'alerts evaluated');
    } catch (error) {
      this.options.log.warn({ err: error }, 'alert evaluation failed');
    }
    this.arm();
  }
}
