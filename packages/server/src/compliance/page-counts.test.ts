/**
 * Counts of a page of updates (`GET /compliance/updates`, the All updates page) once many clients
 * have reported: they are read from the page's own state rows, less those of clients whose scans
 * do not cover them, or by joining the rows to their clients when those clients are many — either
 * way each update's counts must be its own report's. And "required by at least N" counts the
 * Required states of active clients only. An update of another release is estimated without
 * reading its packages, and must still be each inventory's own answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluateUpdate, type UpdateBinary, type UpdateCompliance, type UpdateCountsList, type UpdatePage } from '@patchday/core';
import { startComplianceFixture, type ComplianceFixture } from '../../test/compliance-fixture.ts';
import { insertClient } from '../../test/inventories.ts';
import { describeEachStore } from '../../test/stores.ts';
import { refreshMemberships } from '../collections/memberships.ts';
import { inventoryOf } from '../inventory/inventory-store.ts';
import { applicabilityOf, estimateUpdates, loadUniverse, stateOnInventory } from './fleet-estimate.ts';

const REPORTING = 12;

describeEachStore('counts of a page of updates with many reported states', (kind) => {
  let f: ComplianceFixture;
  let reporting: string[];
  let page: string[];

  before(async () => {
    f = await startComplianceFixture(kind);
    const db = f.t.site.store.db;
    const at = '2026-11-25T10:40:00.000Z';
    const scanned = (product: string, anchor: number) => ({ last_scan_at: at, last_scan_state_id: 3, last_scan_completed_at: at, last_scan_product: product, last_scan_anchor: anchor });
    const states = (clientId: string, rows: Array<[string, number]>) => rows.map(([updateId, stateId]) => ({ client_id: clientId, update_id: updateId, state_id: stateId, revision: 1, state_at: at, received_at: at }));
    // Twelve clients whose scans cover the catalogue: openssl Installed, the two others Required.
    reporting = [];
    for (let i = 0; i < REPORTING; i++) reporting.push(await insertClient(db, `reporting-${String(i).padStart(2, '0')}`));
    await db.updateTable('clients').set(scanned('Debian 12', f.anchor)).where('client_id', 'in', reporting).execute();
    const rows = reporting.flatMap((id) => states(id, [[f.openssl.updateId, 3], [f.reportedRequired.updateId, 2], [f.unreported.updateId, 2]]));
    // Rows no report may count: a pending client's, a client's whose scan predates the catalogue,
    // a client's whose last scan is of another product.
    const stale = await insertClient(db, 'stale-scan');
    await db.updateTable('clients').set(scanned('Debian 12', f.anchor - 1)).where('client_id', '=', stale).execute();
    const trixie = await insertClient(db, 'trixie-scan');
    await db.updateTable('clients').set(scanned('Debian 13', f.anchor + 5)).where('client_id', '=', trixie).execute();
    rows.push(...states(f.clients.p.clientId, [[f.reportedRequired.updateId, 2], [f.openssl.updateId, 3]]));
    rows.push(...states(stale, [[f.openssl.updateId, 3]]), ...states(trixie, [[f.openssl.updateId, 2], [f.unreported.updateId, 3]]));
    await db.insertInto('client_update_states').values(rows).execute();
    // Clients written straight into the store join All Systems as enrolled ones do.
    await refreshMemberships(db);
    page = [f.openssl.updateId, f.reportedRequired.updateId, f.unreported.updateId];
  });
  after(() => f.stop());

  const counts = async (ids: string[], query = '') => {
    const r = await f.t.api<UpdateCountsList>('GET', `/compliance/updates?ids=${ids.join(',')}${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const ownReport = async (updateId: string, query = '') => {
    const r = await f.t.api<UpdateCompliance>('GET', `/updates/${updateId}/compliance${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('a page whose rows outnumber the clients that do not cover it: each update counted as its own report counts it', async () => {
    const r = await counts(page);
    assert.equal(r.clientsCounted, 4 + REPORTING + 2);
    for (const row of r.updates) assert.deepEqual(row.counts, (await ownReport(row.updateId)).counts, row.updateId);
    const openssl = await ownReport(f.openssl.updateId);
    assert.equal(openssl.bySource.reported.Installed, 1 + REPORTING, 'node-b and the twelve; not the pending, stale or trixie clients');
    assert.deepEqual(r.updates[0].counts, { Required: 2, Installed: 1 + REPORTING, 'Not Required': 0, Unknown: 3 });
  });

  test('a page of many updates with few rows each: the same counts', async () => {
    const listed = (await f.t.api<UpdatePage>('GET', '/updates?pageSize=60&sort=title')).body.updates.map((u) => u.updateId);
    const ids = [...new Set([...page, ...listed])];
    const r = await counts(ids);
    assert.equal(r.updates.length, ids.length);
    for (const row of r.updates) assert.deepEqual(row.counts, (await ownReport(row.updateId)).counts, row.updateId);
  });

  test('in a collection: its members only', async () => {
    const members = await f.t.api('POST', `/collections/${f.collectionId}/members`, { clientIds: reporting.slice(0, 5) });
    assert.equal(members.status, 200, JSON.stringify(members.body));
    const r = await counts(page, `&collectionId=${f.collectionId}`);
    assert.equal(r.clientsCounted, 2 + 5);
    for (const row of r.updates) assert.deepEqual(row.counts, (await ownReport(row.updateId, `?collectionId=${f.collectionId}`)).counts, row.updateId);
  });

  test('a listing asked withCounts=true carries its page\'s counts, the same as GET /compliance/updates gives; without it, none', async () => {
    const listed = await f.t.api<UpdatePage>('GET', '/updates?pageSize=60&sort=title&withCounts=true');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const ids = listed.body.updates.map((u) => u.updateId);
    assert.ok(ids.length > 3);
    assert.deepEqual(listed.body.counts, await counts(ids));
    const scoped = await f.t.api<UpdatePage>('GET', `/updates?requiredByAtLeast=5&collectionId=${f.collectionId}&sort=title&withCounts=true`);
    assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
    assert.equal(scoped.body.counts?.collectionId, f.collectionId, 'counted over the collection that scopes requiredByAtLeast');
    assert.deepEqual(scoped.body.counts, await counts(scoped.body.updates.map((u) => u.updateId), `&collectionId=${f.collectionId}`));
    const plain = await f.t.api<UpdatePage>('GET', '/updates?pageSize=5&sort=title');
    assert.equal(plain.body.counts, undefined);
    const tooMany = await f.t.api<{ error: string }>('GET', '/updates?pageSize=500&withCounts=true');
    assert.equal(tooMany.status, 400);
    assert.match(JSON.stringify(tooMany.body), /withCounts counts at most 200 updates: ask for a smaller pageSize/);
  });

  test('required by at least N: reported Required states of active clients, the pending client left out', async () => {
    const required = async (n: number, query = '') => {
      const r = await f.t.api<UpdatePage>('GET', `/updates?requiredByAtLeast=${n}&sort=title${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.total, r.body.updates.length);
      return r.body.updates.map((u) => u.updateId).sort();
    };
    // reportedRequired: node-b and the twelve (the pending client's row would make 14); unreported: the twelve.
    assert.deepEqual(await required(12), [f.reportedRequired.updateId, f.unreported.updateId].sort());
    assert.deepEqual(await required(13), [f.reportedRequired.updateId]);
    assert.deepEqual(await required(14), []);
    // The collection holds node-a, node-b and five of the twelve.
    assert.deepEqual(await required(6, `&collectionId=${f.collectionId}`), [f.reportedRequired.updateId]);
    assert.deepEqual(await required(5, `&collectionId=${f.collectionId}`), [f.reportedRequired.updateId, f.unreported.updateId].sort());
  });

  test('updates for another release or architecture: estimated without their packages, each inventory\'s own answer', async () => {
    const db = f.t.site.store.db;
    const binaries = (await f.t.api<{ binaries: UpdateBinary[] }>('GET', `/updates/${f.openssl.updateId}`)).body.binaries;
    const updates = [
      { updateId: 'debian-12', product: 'Debian 12', binaries },
      { updateId: 'debian-13', product: 'Debian 13', binaries },
      { updateId: 'arm64', product: 'Debian 12', binaries: binaries.map((b) => ({ ...b, architecture: b.architecture === 'all' ? 'all' : 'arm64' })) },
    ];
    const universe = await loadUniverse(db);
    const estimates = await estimateUpdates(db, universe, updates);
    const clients = await db.selectFrom('clients').select(['client_id', 'inventory_sha256']).where('inventory_sha256', 'is not', null).execute();
    assert.ok(clients.length >= 3);
    for (const u of updates) {
      const states = [];
      for (const c of clients) {
        const own = evaluateUpdate(applicabilityOf(u)!, (await inventoryOf(db, c.client_id))!);
        const estimated = stateOnInventory(estimates.get(u.updateId)!, universe, universe.indexOf.get(c.inventory_sha256!)!);
        assert.equal(estimated, own, `${u.updateId} on ${c.client_id}`);
        states.push(own);
      }
      if (u.updateId === 'debian-12') assert.ok(states.includes('Required') && states.includes('Installed'), 'node-b patched openssl, the others need it');
      else assert.ok(states.every((s) => s === 'Not Required'), u.updateId);
    }
  });
});
