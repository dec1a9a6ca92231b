import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { createTestDatabase, postgresAdminUrl } from '../../test/stores.ts';

test('PostgreSQL ending the site\'s idle connections (a restart, an administrator) does not end the site; the next query reconnects', async () => {
  const database = await createTestDatabase('postgres');
  const store = await database.open();
  try {
    await sql`select 1`.execute(store.db);
    const name = new URL(database.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    const { rowCount } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    await admin.end();
    assert.ok((rowCount ?? 0) > 0, 'the pool had an idle connection to end');
    // The pool's idle client learns of it asynchronously; without a handler this would be an uncaught error.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(store.db);
    assert.equal(Number(rows[0].one), 1);
  } finally {
    await store.close();
    await database.drop();
  }
});
