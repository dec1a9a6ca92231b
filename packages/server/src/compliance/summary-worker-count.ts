import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../store/schema.ts';
import { complianceSummary } from './client-compliance.ts';
import type { SummaryWork } from './summary-worker.ts';

/**
 * Inside the worker: one fleet summary counted over its own read-only connection to the site's
 * SQLite file (WAL lets it read beside the site's writer), posted back, then the worker ends.
 */
const { file, query } = workerData as SummaryWork;
const handle = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
handle.pragma('busy_timeout = 5000');
handle.pragma('cache_size = -65536');
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
try {
  const started = performance.now();
  const counts = await complianceSummary(db, query);
  parentPort!.postMessage({ counts, tookMs: performance.now() - started });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
} finally {
  await db.destroy();
}
