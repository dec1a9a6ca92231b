import type BetterSqlite3 from 'better-sqlite3';
import { PostgresAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type StoreKind = 'sqlite' | 'postgres';

/** The store `db` (or a transaction of it) runs on, for the few queries written per engine. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export function storeKindOf(db: Kysely<any>): StoreKind {
  return isPostgres(db) ? 'postgres' : 'sqlite';
}

/** One site database: the same schema and queries on SQLite (default) and PostgreSQL. */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  /** Where it lives, without credentials, for logs and `patchday server` output. */
  readonly location: string;
  /** What it was opened with (a PostgreSQL URL may hold credentials: never log it), for a worker thread's own connection. */
  readonly url: string;
  /** Inserts many rows fast inside `trx` (prepared statements on SQLite, JSON record sets on PostgreSQL). */
  insertMany<T extends keyof BulkTables>(trx: Transaction<Database>, table: T, rows: ReadonlyArray<BulkRow<T>>): Promise<void>;
  /**
   * SQLite only (null on PostgreSQL): the connection Kysely's driver holds, for prepared statements
   * run in a loop on a hot path. Use it only inside a `db.transaction()` callback — the driver
   * lends its single connection to one transaction at a time, so the statements run inside it.
   */
  readonly sqliteHandle: BetterSqlite3.Database | null;
  close(): Promise<void>;
}

export type BulkTables = Pick<Database, 'updates' | 'update_revisions'>;
export type BulkRow<T extends keyof BulkTables> = BulkTables[T];

/**
 * SQLite full-text tables kept from a bulk table by an insert trigger (migration 0009). A bulk load
 * drops the trigger and fills the table in one statement instead: three times cheaper than a row
 * at a time.
 */
export const sqliteTextIndexes: Partial<Record<keyof BulkTables, { table: string; insertTrigger: string; columns: string[] }>> = {
  updates: { table: 'updates_text', insertTrigger: 'updates_text_insert', columns: ['title', 'description', 'advisory_id', 'cve_ids'] },
};

/** The bulk tables' columns, in insert order. */
export const bulkColumns: { [T in keyof BulkTables]: Array<keyof BulkTables[T] & string> } = {
  updates: [
    'update_id', 'revision', 'upstream', 'product', 'suite',
    'source', 'version', 'title', 'description', 'vendor',
    'classification', 'severity', 'release_date', 'advisory_id',
    'cve_ids', 'reference_urls', 'language', 'reboot_behaviour',
    'eula', 'present', 'superseded', 'superseded_by', 'superseded_at',
    'expired', 'metadata_sha256', 'first_seen_at', 'last_changed_at',
    'change_seq', 'created_seq', 'binaries',
  ],
  update_revisions: ['update_id', 'revision', 'change_seq', 'at', 'changes'],
};
