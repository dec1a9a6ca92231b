import cluster, { type Worker } from 'node:cluster';
import { systemClock } from '@patchday/core';
import pino, { type Logger } from 'pino';
import { ContentLibrary } from '../content/content-library.ts';
import { buildDpServer } from './dp-http.ts';
import { DpFiles } from './dp-identity.ts';

const WORKER_FLAG = 'PATCHDAY_DP_SERVING_WORKER';

/** What the process that syncs tells its serving workers. */
interface StateMessage {
  type: 'state';
  key: string | null;
  health: Record<string, unknown>;
}

/** Is this process one of a distribution point's serving workers (started by `startServingWorkers`)? */
export function isServingWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_FLAG] === '1';
}

export interface ServingWorkers {
  url: string;
  /** Passes the content-token key and the last pass's outcome to every worker. */
  share(key: Buffer | null, health: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * Serving content is where a distribution point spends its CPU: like nginx's worker processes,
 * `count` processes share the listening port (node:cluster) so downloads use every core, while
 * this process syncs with the site. Each worker is the same program started again (the command
 * line and environment are inherited); it runs `runServingWorker`. A worker that dies is replaced.
 */
export async function startServingWorkers(count: number, log: Logger): Promise<ServingWorkers> {
  let closing = false;
  let last: StateMessage = { type: 'state', key: null, health: {} };
  const workers = new Set<Worker>();
  const fork = () =>
    new Promise<string>((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_FLAG]: '1' });
      let listening = false;
      workers.add(worker);
      worker.on('message', (m: { type?: string; url?: string }) => {
        if (m.type !== 'listening') return;
        listening = true;
        worker.send(last);
        resolve(m.url!);
      });
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        if (!listening) return reject(new Error(`a serving worker exited before it listened (${signal ?? code})`));
        if (closing) return;
        log.error({ code, signal }, 'a serving worker died; starting another');
        void fork().catch((error) => log.error({ err: error }, 'a replacement serving worker did not start'));
      });
    });
  const urls = await Promise.all(Array.from({ length: count }, fork));
  return {
    url: urls[0],
    share(key, health) {
      last = { type: 'state', key: key?.toString('base64url') ?? null, health };
      for (const worker of workers) if (worker.isConnected()) worker.send(last);
    },
    async close() {
      closing = true;
      await Promise.all(
        [...workers].map(async (worker) => {
          const exited = new Promise((r) => worker.once('exit', r));
          worker.kill('SIGTERM');
          await exited;
        }),
      );
    },
  };
}

/** A serving worker: the content of `<dataDir>/content` on host:port, shared with its siblings. */
export async function runServingWorker(config: { dataDir: string; host?: string; port: number; log?: Logger }): Promise<void> {
  const log = config.log ?? pino({ level: process.env.PATCHDAY_LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: true }));
  const files = new DpFiles(config.dataDir);
  const library = new ContentLibrary(files.libraryRoot);
  let key = files.contentTokenKey();
  let health: Record<string, unknown> = {};
  process.on('message', (m: StateMessage) => {
    if (m.type !== 'state') return;
    key = m.key ? Buffer.from(m.key, 'base64url') : key;
    health = m.health;
  });
  const server = buildDpServer({ library, clock: systemClock, log, key: () => key, health: () => health });
  const url = await server.listen(config.host ?? '127.0.0.1', config.port);
  // Downloads in flight end with the process: agents resume them (Range) from the next distribution point or later.
  process.once('SIGTERM', () => process.exit(0));
  process.send!({ type: 'listening', url });
}
