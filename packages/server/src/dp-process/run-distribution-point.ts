import { systemClock, type Clock } from '@patchday/core';
import pino, { type Logger } from 'pino';
import { ContentLibrary } from '../content/content-library.ts';
import { buildDpServer } from './dp-http.ts';
import { DpFiles } from './dp-identity.ts';
import { DpSync, type SyncPassResult } from './dp-sync.ts';
import { PartialDownloads } from './partial-downloads.ts';
import { startServingWorkers, type ServingWorkers } from './serving-workers.ts';
import { SiteLink } from './site-link.ts';

export const DEFAULT_DP_PORT = 8540;
export const DEFAULT_DP_POLL_SECONDS = 60;

export interface DistributionPointConfig {
  /** Content library, partial downloads, identity and key live here. */
  dataDir: string;
  /** The site's URL and this distribution point's credential: needed the first time, remembered after. */
  site?: string;
  credential?: string;
  port?: number;
  /** Default 127.0.0.1: reachable from elsewhere only when the administrator says so. */
  host?: string;
  /** How often to ask the site what to hold (default 60 s). */
  pollSeconds?: number;
  clock?: Clock;
  log?: Logger;
  progressIntervalMs?: number;
  /**
   * Processes that serve content (node:cluster, sharing the port), like nginx's worker processes;
   * 0 (the default) serves from this process. `patchday dp` uses one per CPU.
   */
  workers?: number;
}

export interface LastPass {
  at: string;
  result: SyncPassResult | null;
  error: string | null;
}

export interface RunningDistributionPoint {
  url: string;
  site: string;
  library: ContentLibrary;
  /** Runs a pass over the site's targets now (after the one running, if any) and returns its result. */
  syncNow(): Promise<SyncPassResult>;
  lastPass(): LastPass | null;
  close(): Promise<void>;
}

/** `patchday dp`: a remote distribution point with its own content library, kept in step with its site. */
export async function runDistributionPoint(config: DistributionPointConfig): Promise<RunningDistributionPoint> {
  const clock = config.clock ?? systemClock;
  const log = config.log ?? pino({ level: process.env.PATCHDAY_LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: true }));
  const files = new DpFiles(config.dataDir);
  const identity = files.identity({ site: config.site, credential: config.credential });
  const library = new ContentLibrary(files.libraryRoot);
  await library.clearIncoming();
  const stopping = new AbortController();
  const link = new SiteLink(identity.site, identity.credential, stopping.signal);
  let key = files.contentTokenKey();
  let last: LastPass | null = null;
  const health = () => ({ site: identity.site, lastPass: last });
  let serving: ServingWorkers;
  if (config.workers) {
    serving = await startServingWorkers(config.workers, log);
  } else {
    const server = buildDpServer({ library, clock, log, key: () => key, health });
    serving = { url: await server.listen(config.host ?? '127.0.0.1', config.port ?? DEFAULT_DP_PORT), share: () => undefined, close: () => server.close() };
  }

  const sync = new DpSync(
    link,
    library,
    new PartialDownloads(files.partialDir),
    log,
    async (fresh) => {
      if (key?.toString('base64url') === fresh) return;
      files.saveContentTokenKey(fresh);
      key = Buffer.from(fresh, 'base64url');
      serving.share(key, health());
    },
    config.progressIntervalMs,
  );

  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const pollMs = (config.pollSeconds ?? DEFAULT_DP_POLL_SECONDS) * 1000;

  const runPass = async (): Promise<SyncPassResult> => {
    try {
      const result = await sync.pass();
      last = { at: clock.now().toISOString(), result, error: null };
      return result;
    } catch (error) {
      last = { at: clock.now().toISOString(), result: null, error: (error as Error).message };
      if (!stopping.signal.aborted) log.warn({ err: error }, 'the pass over the site\'s targets failed; the next one retries');
      throw error;
    } finally {
      serving.share(key, health());
    }
  };
  const syncNow = (): Promise<SyncPassResult> => {
    const pass = chain.then(runPass);
    chain = pass.catch(() => undefined);
    return pass;
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void syncNow().catch(() => undefined).finally(schedule), pollMs);
  };
  void syncNow().catch(() => undefined).finally(schedule);

  return {
    url: serving.url,
    site: identity.site,
    library,
    syncNow,
    lastPass: () => last,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      stopping.abort();
      await chain;
      await serving.close();
    },
  };
}
