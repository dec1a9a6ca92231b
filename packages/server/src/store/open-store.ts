import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { bulkColumns, type BulkRow, type BulkTables, type Store } from './store.ts';
import { migrateToLatest } from './migrate.ts';

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    kind: 'sqlite',
    db,
    location: file,
    async insertMany(_trx, table, rows) {
      // Kysely's SQLite driver holds this single connection, so these run inside its transaction.
      const columns = bulkColumns[table].map(([name]) => name);
      let statement = statements.get(table);
      if (!statement) {
        statement = handle.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        statements.set(table, statement);
      }
      for (const row of rows) statement.run(columns.map((c) => (row as unknown as Record<string, unknown>)[c] ?? null));
    },
    async close() {
      await db.destroy();
    },
  };
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return {
    kind: 'postgres',
    db,
    location: `postgres://${parsed.host}${parsed.pathname}`,
    insertMany: (trx, table, rows) => insertWithUnnest(trx, table, rows),
    async close() {
      await db.destroy();
    },
  };
}

/** One statement per 20,000 rows with one array parameter per column: far cheaper than VALUES lists. */
async function insertWithUnnest<T extends keyof BulkTables>(trx: Transaction<Database>, table: T, rows: ReadonlyArray<BulkRow<T>>) {
  const columns = bulkColumns[table];
  for (let start = 0; start < rows.length; start += 20_000) {
    const chunk = rows.slice(start, start + 20_000);
    const arrays = columns.map(([name]) => chunk.map((row) => (row as unknown as Record<string, unknown>)[name] ?? null));
    const selects = columns.map(([, type], i) => sql`${arrays[i]}::${sql.raw(type)}[]`);
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map(([name]) => sql.ref(name)))})
      select * from unnest(${sql.join(selects)})`.execute(trx);
  }
}
