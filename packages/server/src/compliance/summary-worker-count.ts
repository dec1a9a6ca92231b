import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../store/schema.ts';
import { complianceSummary } from './client-compliance.ts';
import type { SummaryWork } from './summary-worker.ts';

/**
 * Inside the worker: one fleet summary counted over the worker's own connection to the site's
 * store (on SQLite read-only: WAL lets it read beside the site's writer), posted back, then the
 * worker ends.
 */
const { url, query } = workerData as SummaryWork;
const db = new Kysely<Database>({ dialect: /^postgres(ql)?:\/\//.test(url) ? postgresDialect(url) : sqliteDialect(url) });

function postgresDialect(connectionString: string) {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 2 }) });
}

function sqliteDialect(file: string) {
  const handle = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  handle.pragma('busy_timeout = 5000');
  handle.pragma('cache_size = -65536');
  return new SqliteDialect({ database: handle });
}

try {
  const started = performance.now();
  const counts = await complianceSummary(db, query);
  parentPort!.postMessage({ counts, tookMs: performance.now() - started });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
} finally {
  await db.destroy();
}
