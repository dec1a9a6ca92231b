import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ALL_SYSTEMS_COLLECTION_ID,
  computeMemberships,
  inventoryOsOf,
  parseDpkgStatus,
  parseOsRelease,
  type CollectionQueryRule,
  type Inventory,
} from '@patchday/core';
import { sharedData } from '../../test/site-harness.ts';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../../test/stores.ts';
import { inventoriesOf, storeInventory } from '../inventory/inventory-store.ts';
import type { Store } from '../store/store.ts';
import { defaultClientSettings } from '../clients/client-policy.ts';
import { effectiveClientSettings } from './client-settings.ts';
import { loadCollections, rowOf, type CollectionRecord } from './collection-rows.ts';
import { lockMemberships, refreshMemberships } from './memberships.ts';

// Three real software inventories: the Debian 12 node image, with openssl upgraded, and with git removed.
const status = readFileSync(join(sharedData, 'dpkg-status/bookworm-node-image.status'), 'utf8');
const stanza = (pkg: string, edit: (s: string) => string) => status.split('\n\n').map((s) => (s.startsWith(`Package: ${pkg}\n`) ? edit(s) : s)).join('\n\n');
const images = [
  parseDpkgStatus(status),
  parseDpkgStatus(stanza('openssl', (s) => s.replace(/^Version: .*$/m, 'Version: 3.0.22-1~deb12u2'))),
  parseDpkgStatus(stanza('git', (s) => s.replace(/^Status: .*$/m, 'Status: deinstall ok config-files'))),
];
const osOf = (version: '12' | '13') => inventoryOsOf(parseOsRelease(`ID=debian\nVERSION_ID="${version}"\n`), 'amd64');

function record(name: string, overrides: Partial<CollectionRecord> = {}): CollectionRecord {
  return {
    collectionId: randomUUID(),
    name,
    description: '',
    builtIn: false,
    limitingCollectionId: ALL_SYSTEMS_COLLECTION_ID,
    queryRules: [],
    includeCollectionIds: [],
    excludeCollectionIds: [],
    clientSettings: {},
    settingsPriority: null,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}
const rule = (name: string, r: unknown): CollectionQueryRule => ({ name, rule: r as CollectionQueryRule['rule'] });

describeEachStore('refreshMemberships', (kind) => {
  let database: TestDatabase;
  let store: Store;
  const clientIds: string[] = [];
  const collections: Record<string, CollectionRecord> = {};

  /** The stored membership, as collection id → sorted client ids. */
  async function stored(): Promise<Record<string, string[]>> {
    const rows = await store.db.selectFrom('collection_members').select(['collection_id', 'client_id']).execute();
    const out: Record<string, string[]> = {};
    for (const c of await loadCollections(store.db)) out[c.collectionId] = [];
    for (const r of rows) out[r.collection_id].push(r.client_id);
    for (const k of Object.keys(out)) out[k].sort();
    return out;
  }

  /** What the pure core function says membership must be, from what is stored now. */
  async function oracle(): Promise<Record<string, string[]>> {
    const definitions = await loadCollections(store.db);
    const active = await store.db.selectFrom('clients').select(['client_id', 'name']).where('status', '=', 'active').execute();
    const inventories = await inventoriesOf(store.db, active.map((c) => c.client_id));
    const direct = new Map<string, string[]>();
    for (const r of await store.db.selectFrom('collection_direct_members').select(['collection_id', 'client_id']).execute()) {
      direct.set(r.collection_id, [...(direct.get(r.collection_id) ?? []), r.client_id]);
    }
    const result = computeMemberships(definitions, active.map((c) => ({ clientId: c.client_id, name: c.name, inventory: inventories.get(c.client_id) ?? null })), direct);
    return Object.fromEntries([...result].map(([id, set]) => [id, [...set].sort()]));
  }

  async function addClient(name: string, state: 'active' | 'pending', inventory: Inventory | null): Promise<string> {
    const clientId = randomUUID();
    await store.db.insertInto('clients').values({ client_id: clientId, name, credential_hash: `hash-${clientId}`, status: state, enrolment_token_id: null, enrolled_at: '2026-11-25T10:00:00.000Z', last_policy_at: null, last_inventory_at: null, inventory_sha256: null, inventory_local: null }).execute();
    if (inventory) await storeInventory(store.db, clientId, inventory, new Date('2026-11-25T10:00:00Z'));
    clientIds.push(clientId);
    return clientId;
  }

  before(async () => {
    database = await createTestDatabase(kind);
    store = await database.open();
    for (let i = 0; i < 60; i++) {
      const inventory: Inventory | null = i % 10 === 9 ? null : { os: osOf(i % 4 === 0 ? '13' : '12'), dpkg: images[i % 3], facts: { role: i % 2 ? 'web' : 'db', rack: `r${i % 5}` } };
      await addClient(`${i % 2 ? 'web' : 'db'}-${i}`, i % 7 === 6 ? 'pending' : 'active', inventory);
    }
    const add = (r: CollectionRecord) => {
      collections[r.name] = r;
      return store.db.insertInto('collections').values(rowOf(r)).execute();
    };
    await add(record('debian12', { queryRules: [rule('os', { os: { family: 'debian', versionId: '12' } })] }));
    await add(record('old-openssl', { queryRules: [rule('v', { dpkg: { package: 'openssl', version: { op: 'lt', value: '3.0.22-1~deb12u2' } } })] }));
    await add(record('git', { queryRules: [rule('git', { dpkg: { package: 'git' } })] }));
    await add(record('libc', { queryRules: [rule('multi-arch', { and: [{ dpkg: { package: 'libc6', architecture: 'amd64', version: { op: 'ge', value: '2.36' } } }, { not: { dpkg: { package: 'nginx' } } }, { dpkg: { package: 'zlib1g', installed: true } }] })] }));
    await add(record('web-names', { queryRules: [rule('h', { fact: { key: 'hostname', matches: '^web-' } }), rule('rack', { fact: { key: 'rack', equals: 'r0' } })] }));
    await add(record('servers', { includeCollectionIds: [collections['web-names'].collectionId, collections.git.collectionId], excludeCollectionIds: [collections['old-openssl'].collectionId] }));
    await add(record('ring', { limitingCollectionId: collections.debian12.collectionId, includeCollectionIds: [collections.servers.collectionId], clientSettings: { scanScheduleDays: 2 }, settingsPriority: 2 }));
    await add(record('direct', { clientSettings: { scanScheduleDays: 5, policyPollingMinutes: 20 }, settingsPriority: 1 }));
    await store.db.insertInto('collection_direct_members').values(clientIds.slice(0, 8).map((c) => ({ collection_id: collections.direct.collectionId, client_id: c, added_at: '2026-11-25T10:00:00.000Z', added_by: 'test' }))).execute();
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  test('a full refresh writes exactly what the pure membership function computes, and a second one changes nothing', async () => {
    const first = await refreshMemberships(store.db);
    assert.equal(first.clients, 60);
    assert.ok(first.added > 100);
    const expected = await oracle();
    assert.deepEqual(await stored(), expected);
    assert.equal(expected[ALL_SYSTEMS_COLLECTION_ID].length, 52, 'pending clients are members of nothing');
    assert.ok(expected[collections.libc.collectionId].length > 0, 'stanzas keyed name:arch are found');
    assert.ok(expected[collections.ring.collectionId].length > 0 && expected[collections.ring.collectionId].length < expected[collections.debian12.collectionId].length);
    assert.deepEqual(await refreshMemberships(store.db), { clients: 60, added: 0, removed: 0 });
  });

  test('changed inventories: refreshing those clients only gives what a full refresh gives', async () => {
    const changed = clientIds.slice(10, 16);
    for (const [i, clientId] of changed.entries()) await storeInventory(store.db, clientId, { os: osOf('12'), dpkg: images[(i + 1) % 3], facts: { role: 'web', rack: 'r0' } }, new Date('2026-11-26T10:00:00Z'));
    const partial = await refreshMemberships(store.db, { clientIds: changed });
    assert.equal(partial.clients, 6);
    assert.ok(partial.added + partial.removed > 0);
    assert.deepEqual(await stored(), await oracle());
    assert.deepEqual(await refreshMemberships(store.db), { clients: 60, added: 0, removed: 0 });
  });

  test('a changed rule: refreshing that collection (and its dependants) only gives what a full refresh gives', async () => {
    const git = collections.git;
    await store.db.updateTable('collections').set({ query_rules: JSON.stringify([rule('no git', { dpkg: { package: 'git', installed: false } })]) }).where('collection_id', '=', git.collectionId).execute();
    const partial = await refreshMemberships(store.db, { collectionIds: [git.collectionId] });
    assert.ok(partial.added + partial.removed > 0);
    assert.deepEqual(await stored(), await oracle(), 'servers and ring (which depend on git) were re-evaluated too');
    assert.deepEqual(await refreshMemberships(store.db), { clients: 60, added: 0, removed: 0 });
  });

  test('a changed collection without query rules evaluates only its candidates (direct members, members of what it includes)', async () => {
    const servers = collections.servers;
    await store.db.updateTable('collections').set({ include_ids: JSON.stringify([collections.git.collectionId]), exclude_ids: '[]' }).where('collection_id', '=', servers.collectionId).execute();
    const partial = await refreshMemberships(store.db, { collectionIds: [servers.collectionId] });
    assert.ok(partial.clients < 52, `evaluated ${partial.clients} clients`);
    assert.ok(partial.added + partial.removed > 0);
    assert.deepEqual(await stored(), await oracle(), 'ring (limited to debian12, includes servers) followed');
    assert.deepEqual(await refreshMemberships(store.db), { clients: 60, added: 0, removed: 0 });
  });

  test('approving a client and refreshing it brings it into its collections; settings follow membership', async () => {
    const pending = (await store.db.selectFrom('clients').select('client_id').where('status', '=', 'pending').execute()).map((r) => r.client_id);
    assert.ok(pending.some((id) => clientIds.slice(0, 8).includes(id)), 'a pending client has a direct rule');
    const target = pending.find((id) => clientIds.slice(0, 8).includes(id))!;
    assert.deepEqual(await effectiveClientSettings(store.db, target), defaultClientSettings, 'a client in no collection has the defaults');
    await store.db.updateTable('clients').set({ status: 'active' }).where('client_id', '=', target).execute();
    await refreshMemberships(store.db, { clientIds: [target] });
    assert.deepEqual(await stored(), await oracle());
    const settings = await effectiveClientSettings(store.db, target);
    assert.deepEqual([settings.scanScheduleDays, settings.policyPollingMinutes], [5, 20], 'priority 1 wins over ring (2)');
  });

  test('concurrent changes (a rule and an inventory), each taking the membership lock first as the routes do, end consistent', async () => {
    const client = clientIds[21];
    const debian12 = collections.debian12;
    await Promise.all([
      store.db.transaction().execute(async (trx) => {
        await lockMemberships(trx);
        await trx.updateTable('collections').set({ query_rules: JSON.stringify([rule('os', { os: { family: 'debian', versionRange: { min: '12' } } })]) }).where('collection_id', '=', debian12.collectionId).execute();
        await refreshMemberships(trx, { collectionIds: [debian12.collectionId] });
      }),
      store.db.transaction().execute(async (trx) => {
        await lockMemberships(trx);
        await storeInventory(trx, client, { os: osOf('13'), dpkg: images[0], facts: { role: 'db' } }, new Date('2026-11-27T10:00:00Z'));
        await refreshMemberships(trx, { clientIds: [client] });
      }),
    ]);
    assert.deepEqual(await stored(), await oracle());
    assert.deepEqual(await refreshMemberships(store.db), { clients: 60, added: 0, removed: 0 });
  });
});
