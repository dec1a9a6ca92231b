import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { adrSchedulerOf, type AdrScheduler } from './adr/adr-scheduler.ts';
import { AlertService } from './alerts/alert-service.ts';
import { bootstrapFirstAdministrator } from './auth/bootstrap.ts';
import { EstimateCache } from './compliance/fleet-estimate.ts';
import { ContentLibrary } from './content/content-library.ts';
import { SiteEvents } from './events/site-events.ts';
import { buildApp } from './http/app.ts';
import type { SiteContext } from './http/context.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import type { SyncLimits } from './sync/debian-suite-reader.ts';
import { SyncService } from './sync/sync-service.ts';

export const DEFAULT_PORT = 8530;
export const VERSION = '0.1.0';

export interface SiteConfig {
  /** Database, keys, content library and logs live here (default ./patchday-data). */
  dataDir: string;
  /** `postgres://…`; default: SQLite at <dataDir>/patchday.sqlite. */
  db?: string;
  port?: number;
  /** Default 127.0.0.1: a site is reachable from elsewhere only when the administrator says so. */
  host?: string;
  clock?: Clock;
  log?: Logger;
  syncLimits?: Partial<SyncLimits>;
  /** See SiteContext.summaryRecomputeBudgetMs. */
  summaryRecomputeBudgetMs?: number;
}

export interface RunningSite {
  url: string;
  app: FastifyInstance;
  store: Store;
  sync: SyncService;
  /** Committed changes, by kind (the console's event stream listens). */
  events: SiteEvents;
  /** §9 alert evaluation every 15 minutes of site time. */
  alerts: AlertService;
  /** §6.3 runs automatic deployment rules on their schedules. */
  adrs: AdrScheduler;
  clock: Clock;
  /** Path of the first administrator's one-time password when this start created it. */
  initialPasswordFile: string | null;
  close(): Promise<void>;
}

export async function startSite(config: SiteConfig): Promise<RunningSite> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const clock = config.clock ?? systemClock;
  // Synchronous: a line logged just before a long transaction is out before the transaction runs.
  const log = config.log ?? pino({ level: process.env.PATCHDAY_LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: true }));
  const store = await openStore(config.db ?? join(dataDir, 'patchday.sqlite'));
  try {
    const initialPasswordFile = await bootstrapFirstAdministrator(store, dataDir, clock.now());
    const events = new SiteEvents();
    const sync = new SyncService({ store, clock, log, limits: config.syncLimits, events });
    await sync.recoverInterrupted();
    await sync.reschedule();
    const content = new ContentLibrary(join(dataDir, 'content'));
    const context: SiteContext = { store, clock, log, sync, dataDir, version: VERSION, content, events, estimates: new EstimateCache(), summaryRecomputeBudgetMs: config.summaryRecomputeBudgetMs };
    const app = buildApp(context);
    const address = await app.listen({ host: config.host ?? '127.0.0.1', port: config.port ?? DEFAULT_PORT });
    const alerts = new AlertService({ store, clock, log, events });
    alerts.start();
    const adrs = adrSchedulerOf(context);
    // A run the schedule missed while the site was down is due now: it runs once.
    await adrs.reschedule();
    return {
      url: address,
      app,
      store,
      sync,
      events,
      alerts,
      adrs,
      clock,
      initialPasswordFile,
      async close() {
        await adrs.stop();
        await app.close();
        await alerts.stop();
        await sync.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
