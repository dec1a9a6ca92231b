import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type StoreKind = 'sqlite' | 'postgres';

/** One site database: the same schema and queries on SQLite (default) and PostgreSQL. */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  /** Where it lives, without credentials, for logs and `patchday server` output. */
  readonly location: string;
  /** Inserts many rows fast inside `trx` (prepared statements on SQLite, JSON record sets on PostgreSQL). */
  insertMany<T extends keyof BulkTables>(trx: Transaction<Database>, table: T, rows: ReadonlyArray<BulkRow<T>>): Promise<void>;
  close(): Promise<void>;
}

export type BulkTables = Pick<Database, 'updates' | 'update_revisions'>;
export type BulkRow<T extends keyof BulkTables> = BulkTables[T];

/** The bulk tables' columns, in insert order (with their PostgreSQL types, for reference). */
export const bulkColumns: { [T in keyof BulkTables]: Array<[keyof BulkTables[T] & string, string]> } = {
  updates: [
    ['update_id', 'text'], ['revision', 'int'], ['upstream', 'text'], ['product', 'text'], ['suite', 'text'],
    ['source', 'text'], ['version', 'text'], ['title', 'text'], ['description', 'text'], ['vendor', 'text'],
    ['classification', 'text'], ['severity', 'text'], ['release_date', 'text'], ['advisory_id', 'text'],
    ['cve_ids', 'text'], ['reference_urls', 'text'], ['language', 'text'], ['reboot_behaviour', 'text'],
    ['eula', 'int'], ['present', 'int'], ['superseded', 'int'], ['superseded_by', 'text'], ['superseded_at', 'text'],
    ['expired', 'int'], ['metadata_sha256', 'text'], ['first_seen_at', 'text'], ['last_changed_at', 'text'],
    ['change_seq', 'int'], ['created_seq', 'int'], ['binaries', 'text'],
  ],
  update_revisions: [['update_id', 'text'], ['revision', 'int'], ['change_seq', 'int'], ['at', 'text'], ['changes', 'text']],
};
