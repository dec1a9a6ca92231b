/**
 * The fleet fast path is exact: for every update of the real bookworm-security suite, the state it
 * gives each stored inventory equals the plain evaluator's on the whole inventory — over the real node
 * image and variations that exercise every way a dpkg condition can go (older, newer, removed,
 * patched, held, half-installed, config-files, foreign architecture, another os, no dpkg at all).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluateUpdate, type DetectionState, type Inventory, type UpdateMetadata } from '@patchday/core';
import { inventoriesOf, storeInventories } from '../inventory/inventory-store.ts';
import type { Store } from '../store/store.ts';
import { insertClient, newerVersion, nodeImageInventory, olderVersion, seededRandom, snapshotUpdates, varyInventory } from '../../test/inventories.ts';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../../test/stores.ts';
import { applicabilityOf, EstimateCache, estimateUpdates, evaluateOnClients, loadUniverse, stateOnInventory, type Estimate, type InventoryUniverse } from './fleet-estimate.ts';

const security = snapshotUpdates('debian-security', 'bookworm-security', 'Debian 12');

/** Inventories named for the failure messages. */
function fleet(): Array<[string, Inventory]> {
  const base = nodeImageInventory();
  const random = seededRandom(42);
  const dpkg = base.dpkg!;
  const edit = (name: string, change: (d: NonNullable<Inventory['dpkg']>) => void, os = base.os): [string, Inventory] => {
    const copy = { ...dpkg };
    change(copy);
    return [name, { os, dpkg: copy, facts: {} }];
  };
  /** The dpkg key of a package of the image (`libc6:amd64` for Multi-Arch: same ones). */
  const key = (name: string) => Object.keys(dpkg).find((k) => dpkg[k].name === name)!;
  const libssl = key('libssl3');
  return [
    ['node image', base],
    ...Array.from({ length: 6 }, (_, i): [string, Inventory] => [`variation ${i}`, varyInventory(base, random, { changes: 40, patches: security, patchedShare: 0.3 })]),
    ['fully patched', varyInventory(base, random, { changes: 0, patches: security, patchedShare: 1 })],
    edit('every package newer', (d) => {
      for (const [k, p] of Object.entries(d)) d[k] = { ...p, version: newerVersion(p.version!) };
    }),
    edit('every package older', (d) => {
      for (const [k, p] of Object.entries(d)) d[k] = { ...p, version: olderVersion(p.version!) };
    }),
    edit('held, half-installed, config-files, removed', (d) => {
      d[libssl] = { ...d[libssl], status: 'hold ok installed' };
      d[key('openssl')] = { ...d[key('openssl')], status: 'install reinstreq half-installed' };
      d[key('libc6')] = { ...d[key('libc6')], status: 'deinstall ok config-files' };
      d[key('curl')] = { ...d[key('curl')], status: 'purge ok not-installed', version: null, architecture: null };
      delete d[key('libexpat1')];
    }),
    edit('every package caught mid-install or awaiting triggers', (d) => {
      const states = ['install reinstreq half-installed', 'install ok unpacked', 'install ok half-configured', 'install ok triggers-pending', 'install ok triggers-awaited'];
      Object.keys(d).forEach((k, i) => (d[k] = { ...d[k], status: states[i % states.length] }));
    }),
    edit('every package removed, its configuration kept', (d) => {
      for (const [k, p] of Object.entries(d)) d[k] = { ...p, status: 'deinstall ok config-files' };
    }),
    edit('foreign architecture (i386 libssl3 and libc6)', (d) => {
      d['libssl3:i386'] = { ...d[libssl], architecture: 'i386', multiArch: 'same', version: olderVersion(d[libssl].version!) };
      d['libc6:i386'] = { ...d[key('libc6')], architecture: 'i386', multiArch: 'same' };
    }),
    edit('an unparsable version', (d) => {
      d[libssl] = { ...d[libssl], version: 'not a version!' };
    }),
    edit('arm64 machine', (d) => {
      for (const [k, p] of Object.entries(d)) if (p.architecture === 'amd64') d[k] = { ...p, architecture: 'arm64' };
    }, { ...base.os, architecture: 'arm64' }),
    edit('native architecture unknown', () => {}, { ...base.os, architecture: null }),
    edit('Debian 13 with the same packages', () => {}, { ...base.os, versionId: '13', codename: 'trixie' }),
    edit('Ubuntu', () => {}, { family: 'ubuntu', versionId: '24.04', codename: 'noble', architecture: 'amd64' }),
    edit('empty dpkg database', (d) => {
      for (const k of Object.keys(d)) delete d[k];
    }),
    ['no dpkg at all', { os: base.os, dpkg: null, facts: {} }],
  ];
}

describeEachStore('the fleet estimate equals the evaluator on whole inventories', (kind) => {
  let database: TestDatabase;
  let store: Store;
  const inventories = fleet();
  const clientIds: string[] = [];
  /** The inventory hash of each client. */
  let shas: string[] = [];

  before(async () => {
    database = await createTestDatabase(kind);
    store = await database.open();
    for (const [name] of inventories) clientIds.push(await insertClient(store.db, name.replace(/[^a-z0-9]+/gi, '-')));
    shas = await storeInventories(store.db, inventories.map(([, inventory], i) => ({ clientId: clientIds[i], inventory })), new Date('2026-11-25T10:00:00Z'));
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  test(`every one of the ${security.length} bookworm-security updates, on ${inventories.length} inventories`, async () => {
    assert.equal(security.length, 414);
    const universe = await loadUniverse(store.db);
    assert.equal(universe.shas.length, inventories.length, 'every inventory is distinct');
    const estimates = await estimateUpdates(store.db, universe, security);
    const stored = await inventoriesOf(store.db, clientIds);
    const tally = new Map<DetectionState, number>();
    let compared = 0;
    for (const update of security) {
      const estimate = estimates.get(update.updateId)!;
      assert.equal(estimate.kind, 'inventory', 'Debian rules read only os and dpkg');
      const rules = applicabilityOf(update)!;
      inventories.forEach(([name, inventory], i) => {
        const expected = evaluateUpdate(rules, inventory);
        const actual = stateOnInventory(estimate, universe, universe.indexOf.get(shas[i])!);
        if (actual !== expected) assert.fail(`${update.title} on ${name}: fast path ${actual}, evaluator ${expected}`);
        // The stored inventory reads back as reported: the same answer again.
        assert.equal(evaluateUpdate(rules, stored.get(clientIds[i])!), expected, `${update.title} on stored ${name}`);
        tally.set(expected, (tally.get(expected) ?? 0) + 1);
        compared++;
      });
    }
    assert.equal(compared, 414 * inventories.length);
    // Every state occurs, so the comparison covered each branch of the evaluator.
    for (const state of ['Required', 'Installed', 'Not Required', 'Unknown'] as const) assert.ok((tally.get(state) ?? 0) > 0, `${state}: ${JSON.stringify([...tally])}`);
  });

  test('kept estimates answer as new ones would: over the same inventories, after a new inventory joins, after an update is revised', async () => {
    const cache = new EstimateCache();
    const revised = (list: readonly UpdateMetadata[], changeSeq = 1) => list.map((u) => ({ ...u, changeSeq }));
    const page = revised(security.filter((u, i) => i < 60 || u.source === 'openssl'));
    const states = (universe: InventoryUniverse, estimates: Map<string, Estimate>) =>
      page.map((u) => universe.shas.map((_, index) => stateOnInventory(estimates.get(u.updateId)!, universe, index)));

    const universe = await loadUniverse(store.db);
    const first = await cache.estimate(store.db, universe, page);
    assert.deepEqual(states(universe, first), states(universe, await estimateUpdates(store.db, universe, page)));
    const again = await cache.estimate(store.db, await loadUniverse(store.db), page);
    assert.ok(page.every((u) => again.get(u.updateId) === first.get(u.updateId)), 'the same universe read again: the kept estimates');

    // A client's software changes: a new distinct inventory, with every package of the page older.
    const [, base] = inventories[0];
    const older = Object.fromEntries(Object.entries(base.dpkg!).map(([k, p]) => [k, { ...p, version: p.version && olderVersion(p.version) }]));
    // (Distinct from the fleet's "every package older": one more package.)
    older['patchday-newcomer'] = { name: 'patchday-newcomer', architecture: 'all', version: '1.0', status: 'install ok installed', multiArch: null };
    const newcomer = await insertClient(store.db, 'newcomer');
    await storeInventories(store.db, [{ clientId: newcomer, inventory: { os: base.os, dpkg: older, facts: {} } }], new Date('2026-11-26T10:00:00Z'));
    const grown = await loadUniverse(store.db);
    assert.equal(grown.shas.length, universe.shas.length + 1);
    const afterJoin = await cache.estimate(store.db, grown, page);
    assert.deepEqual(states(grown, afterJoin), states(grown, await estimateUpdates(store.db, grown, page)));
    assert.ok(page.some((u) => stateOnInventory(afterJoin.get(u.updateId)!, grown, grown.shas.length - 1) === 'Required'), 'the newcomer needs some of them');

    // An update revised to name packages no inventory has: its new estimate, not the kept one.
    const openssl = page.find((u) => u.source === 'openssl')!;
    const renamed = { ...openssl, changeSeq: 2, binaries: openssl.binaries.map((b) => ({ ...b, package: `${b.package}-renamed` })) };
    const revisedAnswer = (await cache.estimate(store.db, grown, [renamed])).get(openssl.updateId)!;
    assert.ok(grown.shas.some((_, i) => stateOnInventory(afterJoin.get(openssl.updateId)!, grown, i) === 'Required'));
    assert.ok(grown.shas.every((_, i) => stateOnInventory(revisedAnswer, grown, i) !== 'Required'), 'no inventory has the renamed packages');
  });

  test('a rule that reads facts is evaluated on each client\'s whole inventory', async () => {
    const update: UpdateMetadata = security.find((u) => u.source === 'openssl')!;
    const universe = await loadUniverse(store.db);
    const [estimate] = (await estimateUpdates(store.db, universe, [update])).values();
    assert.equal(estimate.kind, 'inventory');
    const rules = applicabilityOf(update)!;
    const withFact = { ...rules, prerequisites: { and: [rules.prerequisites, { fact: { key: 'hostname', matches: '^node' } }] } };
    const states = await evaluateOnClients(store.db, withFact, clientIds);
    // No inventory here reports a hostname fact: the prerequisite is unknown, never true.
    assert.deepEqual(new Set(states.values()), new Set(['Unknown', 'Not Required']));
  });
});
