import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { bulkColumns, sqliteTextIndexes, type BulkRow, type BulkTables, type Store } from './store.ts';
import { migrateToLatest } from './migrate.ts';

/**
 * A bulk insert this large (a first sync of a whole distribution) drops the table's secondary
 * indexes and builds them again afterwards, inside the same transaction: building an index from
 * all rows at once is several times cheaper than growing it row by row.
 */
const BULK_LOAD_ROWS = 20_000;

/** PostgreSQL connections opened when the store opens: as many as a console page's queries at once. */
const WARM_CONNECTIONS = 4;

// int8 (counts, sizes) as JS numbers: every value we store fits in 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Opens (and migrates) the store named by `url`: `postgres://…` or a SQLite file path. */
export async function openStore(url: string): Promise<Store> {
  const store = /^postgres(ql)?:\/\//.test(url) ? openPostgres(url) : openSqlite(url);
  try {
    await migrateToLatest(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openSqlite(path: string): Store {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const handle = new SqliteDatabase(file);
  handle.pragma('journal_mode = WAL');
  // FULL: a committed sync or acknowledged state message survives power loss, not only a crash.
  handle.pragma('synchronous = FULL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  // A sync writes ~100 MB in one transaction; SQLite's 2 MB default cache would spill pages constantly.
  handle.pragma('cache_size = -65536');
  handle.pragma('temp_store = MEMORY');
  // State messages upsert rows at random keys (update ids), dirtying hundreds of index pages per
  // batch; checkpointing every 1,000 WAL pages (the default) would write them back after nearly
  // every commit. 10,000 pages (~40 MB of WAL) lets a page changed by many batches be written once.
  handle.pragma('wal_autocheckpoint = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    kind: 'sqlite',
    db,
    location: file,
    url: file,
    sqliteHandle: handle,
    async insertMany(_trx, table, rows) {
      // Kysely's SQLite driver holds this single connection, so these run inside its transaction.
      const columns: readonly string[] = bulkColumns[table];
      let statement = statements.get(table);
      if (!statement) {
        statement = handle.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        statements.set(table, statement);
      }
      const insert = statement;
      const bulk = rows.length >= BULK_LOAD_ROWS;
      const indexes = bulk
        ? (handle.prepare(`select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null`).all(table) as Array<{ name: string; sql: string }>)
        : [];
      const text = bulk ? sqliteTextIndexes[table] : undefined;
      const trigger = text && (handle.prepare(`select sql from sqlite_master where type = 'trigger' and name = ?`).get(text.insertTrigger) as { sql: string } | undefined);
      const lastRowid = trigger ? (handle.prepare(`select coalesce(max(rowid), 0) as n from ${table}`).get() as { n: number }).n : 0;
      for (const index of indexes) handle.exec(`drop index ${index.name}`);
      if (text && trigger) handle.exec(`drop trigger ${text.insertTrigger}`);
      for (const row of rows) insert.run(columns.map((c) => (row as unknown as Record<string, unknown>)[c] ?? null));
      for (const index of indexes) handle.exec(index.sql);
      if (text && trigger) {
        // A rowid table without deletes numbers new rows after the last one.
        const names = text.columns.join(', ');
        handle.prepare(`insert into ${text.table} (rowid, ${names}) select rowid, ${names} from ${table} where rowid > ?`).run(lastRowid);
        handle.exec(trigger.sql);
      }
      // Statements prepared before the DDL would be re-prepared anyway; keep the cache honest.
      if (indexes.length || trigger) statements.clear();
    },
    async close() {
      await db.destroy();
    },
  };
}

function openPostgres(url: string): Store {
  // Idle connections are kept (pg closes them after 10 s by default): a new one costs a backend's
  // start and cold catalogue caches, which an administrator opening the console after a quiet
  // minute would otherwise pay on every query of the page at once.
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 0 });
  // An idle connection the server ends (a PostgreSQL restart, an administrator's termination)
  // is dropped by the pool and replaced on next use; unhandled, its 'error' would end the site.
  // A query in flight on it still fails, with the error, to its caller.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // A few connections opened at start, so the first page after a start does not open them one per query.
  void Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => pool.connect().then((client) => client.release(), () => undefined)));
  const parsed = new URL(url);
  return {
    kind: 'postgres',
    db,
    sqliteHandle: null,
    location: `postgres://${parsed.host}${parsed.pathname}`,
    url,
    insertMany: (trx, table, rows) => insertFromJson(trx, table, rows),
    async close() {
      await db.destroy();
    },
  };
}

async function insertFromJson<T extends keyof BulkTables>(trx: Transaction<Database>, table: T, rows: ReadonlyArray<BulkRow<T>>) {
  const { rows: indexes } = rows.length >= BULK_LOAD_ROWS
    ? await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
        where schemaname = current_schema() and tablename = ${table} and indexname not like '%_pkey'`.execute(trx)
    : { rows: [] };
  for (const index of indexes) await sql`drop index ${sql.ref(index.indexname)}`.execute(trx);
  const names = bulkColumns[table].join(', ');
  // One JSON parameter per 5,000 rows, expanded by the server (json_populate_recordset, in C):
  // far cheaper than binding tens of thousands of parameters or escaping array literals in JavaScript.
  for (let start = 0; start < rows.length; start += 5_000) {
    const chunk = JSON.stringify(rows.slice(start, start + 5_000));
    await trx.executeQuery(CompiledQuery.raw(`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, $1::json)`, [chunk]));
  }
  for (const index of indexes) await sql.raw(index.indexdef).execute(trx);
}
