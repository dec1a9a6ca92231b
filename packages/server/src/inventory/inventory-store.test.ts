import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Inventory } from '@patchday/core';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import * as m0001 from '../store/migrations/0001-site-and-catalogue.ts';
import * as m0002 from '../store/migrations/0002-clients.ts';
import * as m0003 from '../store/migrations/0003-collections.ts';
import * as m0004 from '../store/migrations/0004-state-messages.ts';
import type { Store } from '../store/store.ts';
import { insertClient, nodeImageInventory, olderVersion, seededRandom, varyInventory } from '../../test/inventories.ts';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../../test/stores.ts';
import {
  collectUnreferencedInventories,
  inventoriesOf,
  inventoryOf,
  releaseInventories,
  splitInventory,
  storeInventories,
  storeInventory,
} from './inventory-store.ts';

const at = new Date('2026-11-25T10:00:00Z');

describeEachStore('the inventory store', (kind) => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createTestDatabase(kind);
    store = await database.open();
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  const counts = async () => {
    const inventories = await store.db.selectFrom('inventories').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const packages = await store.db.selectFrom('inventory_packages').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return [Number(inventories.n), Number(packages.n)];
  };

  test('one image, two hostnames: one inventories row and its 710 index rows; each client keeps its own facts', async () => {
    const a = await insertClient(store.db, 'a');
    const b = await insertClient(store.db, 'b');
    await storeInventory(store.db, a, nodeImageInventory({ hostname: 'a' }), at);
    await storeInventory(store.db, b, nodeImageInventory({ hostname: 'b' }), at);
    assert.deepEqual(await counts(), [1, 710]);
    const row = await store.db.selectFrom('inventories').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.product, row.os_family, row.os_version_id, row.os_architecture, row.has_dpkg, row.package_count], ['Debian 12', 'debian', '12', 'amd64', 1, 710]);
    const back = await inventoriesOf(store.db, [a, b]);
    assert.deepEqual(back.get(a), nodeImageInventory({ hostname: 'a' }), 'reads back as reported');
    assert.deepEqual(back.get(b)!.facts, { hostname: 'b' });
    assert.equal(back.get(a)!.dpkg, back.get(b)!.dpkg, 'parsed once, shared');
    const client = await store.db.selectFrom('clients').select(['inventory_sha256', 'last_inventory_at']).where('client_id', '=', a).executeTakeFirstOrThrow();
    assert.deepEqual(client, { inventory_sha256: row.inventory_sha256, last_inventory_at: at.toISOString() });
    assert.equal(await inventoryOf(store.db, await insertClient(store.db, 'no-inventory-yet')), null);
    assert.equal(await inventoryOf(store.db, '00000000-0000-4000-8000-00000000dead'), null);
  });

  test('the hash is of the content, not of the key order; files and command results stay as reported', async () => {
    const inventory = nodeImageInventory();
    const reversed: Inventory = { ...inventory, dpkg: Object.fromEntries(Object.entries(inventory.dpkg!).reverse()) };
    assert.equal(splitInventory(reversed).sha256, splitInventory(inventory).sha256);
    const withMore: Inventory = { ...inventory, files: { '/etc/hosts': { size: 3 }, '/etc/gone': null }, commandResults: { '["true"]': { exitCode: 0 } } };
    const c = await insertClient(store.db, 'c');
    await storeInventory(store.db, c, withMore, at);
    assert.deepEqual(await inventoryOf(store.db, c), withMore);
    assert.deepEqual(await counts(), [1, 710], 'the same software inventory as a and b');
  });

  test('a changed inventory replaces the old one, which goes when no client has it any more', async () => {
    const [a, b, c] = (await store.db.selectFrom('clients').select('client_id').where('name', 'in', ['a', 'b', 'c']).orderBy('name').execute()).map((r) => r.client_id);
    const patched = nodeImageInventory({ hostname: 'a' });
    const key = Object.keys(patched.dpkg!).find((k) => patched.dpkg![k].name === 'libssl3')!;
    patched.dpkg![key] = { ...patched.dpkg![key], version: olderVersion(patched.dpkg![key].version!) };
    await storeInventory(store.db, a, patched, at);
    assert.deepEqual(await counts(), [2, 1420]);
    await storeInventory(store.db, b, patched, at);
    await storeInventory(store.db, c, patched, at);
    assert.deepEqual(await counts(), [1, 710], 'the node image is no longer anyone\'s');
    const versions = await store.db.selectFrom('inventory_packages').select('version').where('name', '=', 'libssl3').execute();
    assert.deepEqual(versions.map((v) => v.version), [patched.dpkg![key].version]);
  });

  test('storing for clients that do not exist keeps nothing; released and unreferenced inventories go', async () => {
    const before = await counts();
    await storeInventory(store.db, '00000000-0000-4000-8000-00000000dead', nodeImageInventory(), at);
    assert.deepEqual(await counts(), before);
    const d = await insertClient(store.db, 'd');
    await storeInventory(store.db, d, { os: nodeImageInventory().os, dpkg: null, facts: {} }, at);
    assert.deepEqual(await counts(), [before[0] + 1, before[1]]);
    const { inventory_sha256 } = await store.db.selectFrom('clients').select('inventory_sha256').where('client_id', '=', d).executeTakeFirstOrThrow();
    assert.equal(await releaseInventories(store.db, [inventory_sha256!]), 0, 'd still has it');
    await store.db.deleteFrom('clients').where('client_id', '=', d).execute();
    assert.equal(await collectUnreferencedInventories(store.db), 1);
    assert.deepEqual(await counts(), before);
  });

  test('a fleet in one call: each distinct inventory once; the same result as one call per client', async () => {
    const random = seededRandom(7);
    const base = nodeImageInventory();
    const images = Array.from({ length: 5 }, () => varyInventory(base, random, { changes: 20 }));
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await insertClient(store.db, `fleet-${i}`));
    const shas = await storeInventories(store.db, ids.map((clientId, i) => ({ clientId, inventory: images[i % 5] })), at);
    assert.equal(new Set(shas).size, 5);
    assert.deepEqual(shas.slice(0, 5), images.map((inv) => splitInventory(inv).sha256));
    const back = await inventoriesOf(store.db, ids);
    ids.forEach((id, i) => assert.deepEqual(back.get(id)!.dpkg, images[i % 5].dpkg));
    const rows = await store.db.selectFrom('clients').select(['client_id', 'inventory_sha256', 'last_inventory_at']).where('client_id', 'in', ids).execute();
    assert.ok(rows.every((r) => r.last_inventory_at === at.toISOString()));
  });

  if (kind === 'postgres') {
    test('concurrent stores of one new inventory, and of swapped ones, leave every client with a stored inventory', async () => {
      const random = seededRandom(11);
      const base = nodeImageInventory();
      const x = varyInventory(base, random, { changes: 5 });
      const y = varyInventory(base, random, { changes: 5 });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(await insertClient(store.db, `race-${i}`));
      await Promise.all(ids.map((id, i) => storeInventory(store.db, id, i % 2 ? x : y, at)));
      await Promise.all(ids.map((id, i) => storeInventory(store.db, id, i % 2 ? y : x, at)));
      const missing = await store.db
        .selectFrom('clients')
        .select('client_id')
        .where('inventory_sha256', 'is not', null)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('inventories').select('inventory_id').whereRef('inventories.inventory_sha256', '=', 'clients.inventory_sha256'))))
        .execute();
      assert.deepEqual(missing, []);
      const back = await inventoriesOf(store.db, ids);
      ids.forEach((id, i) => assert.deepEqual(back.get(id)!.dpkg, (i % 2 ? y : x).dpkg));
    });
  }
});

describeEachStore('migration 0005 moves inventories kept inline on client rows', (kind) => {
  test('every clients.inventory is split into the store, then the column goes', async () => {
    const database = await createTestDatabase(kind);
    try {
      // The database as a site before 0005 left it, with two clients of one image and one without.
      const db = new Kysely<any>({
        dialect: kind === 'sqlite' ? new SqliteDialect({ database: new SqliteDatabase(database.url) }) : new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
      });
      const earlier = { '0001-site-and-catalogue': m0001, '0002-clients': m0002, '0003-collections': m0003, '0004-state-messages': m0004 };
      const provider: MigrationProvider = {
        async getMigrations() {
          return Object.fromEntries(Object.entries(earlier).map(([name, m]): [string, Migration] => [name, { up: (d) => m.up(d, kind) }]));
        },
      };
      const migrated = await new Migrator({ db, provider }).migrateToLatest();
      assert.equal(migrated.error, undefined);
      const inventories = [nodeImageInventory({ hostname: 'old-1' }), nodeImageInventory({ hostname: 'old-2' })];
      for (const [i, name] of ['old-1', 'old-2', 'old-3'].entries()) {
        await db
          .insertInto('clients')
          .values({ client_id: `00000000-0000-4000-8000-00000000000${i}`, name, credential_hash: name, status: 'active', enrolled_at: at.toISOString(), last_inventory_at: i < 2 ? '2026-11-01T00:00:00.000Z' : null, inventory: i < 2 ? JSON.stringify(inventories[i]) : null, inventory_sha256: i < 2 ? 'old' : null })
          .execute();
      }
      await db.destroy();

      const store = await database.open();
      try {
        const back = await inventoriesOf(store.db, ['00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
        assert.deepEqual([...back.values()], [...inventories, null]);
        const rows = await store.db.selectFrom('inventories').select(['inventory_sha256', 'package_count']).execute();
        assert.deepEqual(rows, [{ inventory_sha256: splitInventory(inventories[0]).sha256, package_count: 710 }]);
        const clients = await store.db.selectFrom('clients').select(['inventory_sha256', 'last_inventory_at']).orderBy('client_id').execute();
        assert.deepEqual(clients.map((c) => c.last_inventory_at), ['2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', null]);
        const { rows: columns } = await sql<{ name: string }>`select ${sql.raw(kind === 'sqlite' ? "name from pragma_table_info('clients')" : "column_name as name from information_schema.columns where table_name = 'clients'")}`.execute(store.db);
        assert.ok(!columns.some((c) => c.name === 'inventory'), 'clients.inventory is gone');
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
