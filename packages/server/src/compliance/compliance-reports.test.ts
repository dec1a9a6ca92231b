/**
 * The compliance reports through a real site (docs/compliance.md): per client, per update, the fleet
 * summary; reported vs estimated vs none; collection filter; refusals that change nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { evaluateUpdate, type VirtualClock, type ClientCompliance, type ComplianceSummary, type UpdateBinary, type UpdateCompliance } from '@patchday/core';
import { startComplianceFixture, type ComplianceFixture } from '../../test/compliance-fixture.ts';
import { describeEachStore, differingTables, dumpStore } from '../../test/stores.ts';
import { applicabilityOf } from './fleet-estimate.ts';
import { complianceSummary } from './client-compliance.ts';
import { SummaryCache } from './summary-cache.ts';
import { SummaryWorkers } from './summary-worker.ts';

describeEachStore('compliance reports', (kind) => {
  let f: ComplianceFixture;
  before(async () => {
    f = await startComplianceFixture(kind);
  });
  after(() => f.stop());

  const client = async (clientId: string, include: 'all' | 'required' = 'all') => {
    const r = await f.t.api<ClientCompliance>('GET', `/clients/${clientId}/compliance?include=${include}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const update = async (updateId: string, query = '') => {
    const r = await f.t.api<UpdateCompliance>('GET', `/updates/${updateId}/compliance${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const stateIn = (c: ClientCompliance, updateId: string) => {
    const u = c.updates.find((x) => x.updateId === updateId)!;
    return [u.state, u.source];
  };

  test('per client: estimated from the inventory alone, each update its own rules\' answer, upgrades for Required ones', async () => {
    const a = await client(f.clients.a.clientId);
    assert.equal(a.product, 'Debian 12');
    assert.equal(a.updates.length, 414);
    assert.deepEqual(a.sources, { reported: 0, estimated: 414, none: 0 });
    assert.equal(a.lastScan.state, null);
    assert.ok(a.inventoryAt && a.lastPolicyAt === null);
    assert.ok(a.updates.every((u) => typeof u.superseded === 'boolean' && u.source === 'estimated'));
    const { updates: details } = (await f.t.api('GET', '/updates?suite=bookworm-security&pageSize=1000')).body as { updates: Array<{ updateId: string }> };
    assert.equal(details.length, 414);
    for (const u of a.updates) {
      const detail = (await f.t.api('GET', `/updates/${u.updateId}`)).body as { product: string; binaries: UpdateBinary[] };
      assert.equal(u.state, evaluateUpdate(applicabilityOf(detail)!, f.inventories.a), u.title);
      assert.equal(u.upgrades.length > 0, u.state === 'Required', u.title);
    }
    const openssl = a.updates.find((u) => u.updateId === f.openssl.updateId)!;
    assert.deepEqual(openssl.upgrades.find((p) => p.package === 'libssl3'), { package: 'libssl3', architecture: 'amd64', installed: f.inventories.a.dpkg!['libssl3:amd64'].version, target: openssl.title.split(' ')[1] });
    const required = await client(f.clients.a.clientId, 'required');
    assert.deepEqual(required.counts, a.counts);
    assert.deepEqual(required.updates.map((u) => u.updateId), a.updates.filter((u) => u.state === 'Required').map((u) => u.updateId));
  });

  test('per client: a completed scan covering the catalogue decides every update — reported state, else Not Required', async () => {
    const b = await client(f.clients.b.clientId);
    assert.deepEqual(b.sources, { reported: 414, estimated: 0, none: 0 });
    assert.deepEqual(stateIn(b, f.openssl.updateId), ['Installed', 'reported']);
    assert.deepEqual(stateIn(b, f.reportedRequired.updateId), ['Required', 'reported']);
    // Its inventory says Required; its scan did not report it, so the scan's answer wins.
    assert.equal(evaluateUpdate(applicabilityOf((await f.t.api('GET', `/updates/${f.unreported.updateId}`)).body)!, f.inventories.b), 'Required');
    assert.deepEqual(stateIn(b, f.unreported.updateId), ['Not Required', 'reported']);
    assert.deepEqual(b.counts, { Required: 1, Installed: 1, 'Not Required': 412, Unknown: 0 });
    const reportedRequired = b.updates.find((u) => u.updateId === f.reportedRequired.updateId)!;
    assert.ok(reportedRequired.upgrades.length > 0, 'upgrades come from the inventory');
    assert.equal(reportedRequired.reportedAt, '2026-11-25T10:30:00.000Z');
    assert.deepEqual(b.lastScan, { at: '2026-11-25T10:30:00.000Z', stateId: 3, state: 'complete', error: null, completedAt: '2026-11-25T10:30:00.000Z', product: 'Debian 12', anchor: f.anchor });
    assert.ok(b.lastStateMessageAt);
  });

  test('per client: a scan of another product covers nothing here; no inventory and no scan is Unknown', async () => {
    const d = await client(f.clients.d.clientId);
    assert.deepEqual(d.sources, { reported: 0, estimated: 414, none: 0 });
    assert.deepEqual(d.counts, (await client(f.clients.a.clientId)).counts);
    const c = await client(f.clients.c.clientId);
    assert.deepEqual([c.product, c.updates, c.counts], [null, [], { Required: 0, Installed: 0, 'Not Required': 0, Unknown: 0 }]);
  });

  test('per update: counts, % compliant over all active clients, estimated vs reported, pages of clients by name', async () => {
    const r = await update(f.openssl.updateId);
    assert.equal(r.clientsCounted, 4, 'the pending client is not counted');
    assert.deepEqual(r.counts, { Required: 2, Installed: 1, 'Not Required': 0, Unknown: 1 });
    assert.equal(r.percentCompliant, 25);
    assert.deepEqual(r.bySource.reported, { Required: 0, Installed: 1, 'Not Required': 0, Unknown: 0 });
    assert.deepEqual(r.bySource.estimated, { Required: 2, Installed: 0, 'Not Required': 0, Unknown: 0 });
    assert.deepEqual(r.bySource.none, { Required: 0, Installed: 0, 'Not Required': 0, Unknown: 1 });
    assert.deepEqual(r.clients.map((c) => [c.name, c.state, c.source]), [
      ['node-a', 'Required', 'estimated'],
      ['node-b', 'Installed', 'reported'],
      ['node-c', 'Unknown', 'none'],
      ['node-d', 'Required', 'estimated'],
    ]);
    assert.equal(r.superseded, false);
    const required = await update(f.openssl.updateId, '?state=Required');
    assert.deepEqual([required.page, required.clients.map((c) => c.name)], [{ state: 'Required', total: 2, limit: 100, offset: 0 }, ['node-a', 'node-d']]);
    const second = await update(f.openssl.updateId, '?state=Required&limit=1&offset=1');
    assert.deepEqual(second.clients.map((c) => c.name), ['node-d']);
    assert.deepEqual(second.counts, r.counts, 'paging and filters change the page, not the counts');
    const unreported = await update(f.unreported.updateId);
    assert.deepEqual(unreported.clients.map((c) => [c.name, c.state, c.source]), [
      ['node-a', 'Required', 'estimated'],
      ['node-b', 'Not Required', 'reported'],
      ['node-c', 'Unknown', 'none'],
      ['node-d', 'Required', 'estimated'],
    ]);
    assert.equal(unreported.percentCompliant, 25);
  });

  test('per update and summary: a collection counts its members only', async () => {
    const r = await update(f.openssl.updateId, `?collectionId=${f.collectionId}`);
    assert.deepEqual([r.collectionId, r.clientsCounted, r.counts, r.percentCompliant], [f.collectionId, 2, { Required: 1, Installed: 1, 'Not Required': 0, Unknown: 0 }, 50]);
    const s = (await f.t.api<ComplianceSummary>('GET', `/compliance/summary?collectionId=${f.collectionId}`)).body;
    assert.equal(s.clientsCounted, 2);
    const all = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary')).body;
    assert.equal(all.clientsCounted, 4);
  });

  test('summary: per classification and severity, counts of client × update pairs equal the per-update reports', async () => {
    const s = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary')).body;
    assert.equal(s.updatesCounted, 414);
    const total = (c: { Required: number; Installed: number; 'Not Required': number; Unknown: number }) => c.Required + c.Installed + c['Not Required'] + c.Unknown;
    assert.equal(total(s.overall.counts), 4 * 414);
    assert.deepEqual(s.byClassification.map((g) => [g.classification, g.updates]), [['Security Updates', 414]]);
    assert.deepEqual(s.bySeverity.map((g) => [g.severity, g.updates]), [['Unspecified', 414]]);
    assert.deepEqual(s.byClassification[0].counts, s.overall.counts);
    // a and d need the same updates (estimated); b reports one; c is Unknown everywhere.
    const a = await client(f.clients.a.clientId);
    assert.equal(s.overall.counts.Required, 2 * a.counts.Required + 1);
    assert.equal(s.overall.counts.Unknown, 414 + 2 * a.counts.Unknown);
    assert.equal(s.overall.updatesRequired, a.counts.Required);
    assert.deepEqual(s.bySource.reported, { Required: 1, Installed: 1, 'Not Required': 412, Unknown: 0 });
    assert.equal(s.overall.percentCompliant, Math.round((1000 * (s.overall.counts.Installed + s.overall.counts['Not Required'])) / (4 * 414)) / 10);
    assert.equal(s.mostRequired.length, Math.min(20, a.counts.Required));
    assert.deepEqual(s.mostRequired[0], { ...s.mostRequired[0], updateId: f.reportedRequired.updateId, required: 3 });
    for (const top of s.mostRequired.slice(0, 5)) {
      const r = await update(top.updateId);
      assert.deepEqual([top.required, top.percentCompliant], [r.counts.Required, r.percentCompliant], top.title);
    }
    const inForce = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary?superseded=false&product=Debian%2012')).body;
    assert.deepEqual([inForce.superseded, inForce.product], [false, 'Debian 12']);
    const superseded = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary?superseded=true')).body;
    assert.equal(inForce.updatesCounted + superseded.updatesCounted, 414);
    const none = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary?product=Debian%2099')).body;
    assert.deepEqual([none.updatesCounted, none.overall.percentCompliant, none.mostRequired], [0, null, []]);
  });

  test('bad ids and queries are refused with a message and change nothing', async () => {
    const before = await dumpStore(f.t.site.store);
    const refusals: Array<[string, number, RegExp]> = [
      ['/clients/not-a-uuid/compliance', 400, /client id is a UUID/],
      ['/clients/00000000-0000-4000-8000-00000000dead/compliance', 404, /client 00000000-0000-4000-8000-00000000dead does not exist/],
      [`/clients/${f.clients.a.clientId}/compliance?include=everything`, 400, /include/],
      [`/clients/${f.clients.a.clientId}/compliance?bogus=1`, 400, /query/],
      ['/updates/not-a-uuid/compliance', 400, /updateId is a UUID/],
      ['/updates/00000000-0000-5000-8000-000000000000/compliance', 404, /update 00000000-0000-5000-8000-000000000000 does not exist/],
      [`/updates/${f.openssl.updateId}/compliance?limit=0`, 400, /limit/],
      [`/updates/${f.openssl.updateId}/compliance?limit=1001`, 400, /limit/],
      [`/updates/${f.openssl.updateId}/compliance?offset=-1`, 400, /offset/],
      [`/updates/${f.openssl.updateId}/compliance?state=Bogus`, 400, /state/],
      [`/updates/${f.openssl.updateId}/compliance?collectionId=web`, 400, /collection id is a UUID/],
      [`/updates/${f.openssl.updateId}/compliance?collectionId=00000000-0000-4000-8000-00000000beef`, 404, /collection 00000000-0000-4000-8000-00000000beef does not exist/],
      ['/compliance/summary?collectionId=00000000-0000-4000-8000-00000000beef', 404, /collection .* does not exist/],
      ['/compliance/summary?collectionId=x', 400, /collection id is a UUID/],
      ['/compliance/summary?superseded=maybe', 400, /superseded/],
      ['/compliance/summary?bogus=1', 400, /query/],
    ];
    for (const [path, status, message] of refusals) {
      const r = await f.t.api('GET', path);
      assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, message, path);
    }
    const afterwards = await dumpStore(f.t.site.store);
    assert.deepEqual(differingTables(before, afterwards), []);
    assert.equal(afterwards, before);
  });

  test('an update revised after a scan falls back to the estimate for that client; the summary agrees with every per-update report', async () => {
    // As if a later sync revised two updates: node-b's scan anchor no longer covers them.
    const revised = [f.openssl.updateId, f.unreported.updateId];
    await f.t.site.store.db.updateTable('updates').set({ change_seq: f.anchor + 1 }).where('update_id', 'in', revised).execute();
    f.t.site.events.announce('sync'); // as the sync would
    try {
      const b = await client(f.clients.b.clientId);
      assert.deepEqual(stateIn(b, f.openssl.updateId), ['Installed', 'estimated'], 'its inventory has the new openssl');
      assert.deepEqual(stateIn(b, f.unreported.updateId), ['Required', 'estimated']);
      assert.deepEqual(stateIn(b, f.reportedRequired.updateId), ['Required', 'reported']);
      const summary = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary')).body;
      const { updates } = (await f.t.api('GET', '/updates?pageSize=1000')).body as { updates: Array<{ updateId: string }> };
      const sample = [...revised, f.reportedRequired.updateId, ...updates.map((u) => u.updateId).filter((_, i) => i % 10 === 0)];
      const total = { Required: 0, Installed: 0, 'Not Required': 0, Unknown: 0 };
      let sampled = 0;
      for (const updateId of new Set(sample)) {
        const r = await update(updateId);
        const inSummary = summary.mostRequired.find((m) => m.updateId === updateId);
        if (inSummary) assert.equal(inSummary.required, r.counts.Required);
        for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r.counts[k];
        sampled++;
      }
      assert.ok(sampled > 40);
      const opensslNow = await update(f.openssl.updateId);
      assert.deepEqual(opensslNow.bySource.estimated, { Required: 2, Installed: 1, 'Not Required': 0, Unknown: 0 });
      assert.deepEqual(opensslNow.bySource.reported, { Required: 0, Installed: 0, 'Not Required': 0, Unknown: 0 });
      // The summary's pairs are the per-update reports' pairs: Required counts of all updates add up.
      let required = 0;
      for (const u of updates) required += (await f.t.api<UpdateCompliance>('GET', `/updates/${u.updateId}/compliance?limit=1`)).body.counts.Required;
      assert.equal(summary.overall.counts.Required, required);
      assert.deepEqual(summary.bySource.reported.Installed, 0, 'openssl, the one Installed report, is no longer covered');
    } finally {
      await f.t.site.store.db.updateTable('updates').set({ change_seq: f.anchor }).where('update_id', 'in', revised).execute();
      f.t.site.events.announce('sync');
    }
  });

  test('the fleet summary is kept until a client reports or the site changes; a large fleet is served the last one, marked stale, while it is made again', async () => {
    const summary = async (query = '') => {
      const r = await f.t.api<ComplianceSummary>('GET', `/compliance/summary${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    const clock = f.t.site.clock as VirtualClock;
    const first = await summary();
    assert.equal(first.stale, false);
    clock.advance(60_000);
    const kept = await summary();
    assert.deepEqual(kept, first, 'nothing changed: the same summary, made at the same time');

    // node-b's next scan reports the update it had not reported as Required.
    const b = f.clients.b;
    const time = clock.now().toISOString();
    const scan = randomUUID();
    const report = await f.t.mp('POST', `/clients/${b.clientId}/state-messages`, b.credential, {
      messages: [
        { seq: 5, time, topic: 501, stateId: 2, scanId: scan, product: null, anchor: null, error: null },
        { seq: 6, time, topic: 500, stateId: 3, updateId: f.openssl.updateId, revision: 1 },
        { seq: 7, time, topic: 500, stateId: 2, updateId: f.reportedRequired.updateId, revision: 1 },
        { seq: 8, time, topic: 500, stateId: 2, updateId: f.unreported.updateId, revision: 1 },
        { seq: 9, time, topic: 501, stateId: 3, scanId: scan, product: 'Debian 12', anchor: f.anchor, error: null },
      ],
    });
    assert.equal(report.status, 200, JSON.stringify(report.body));
    const afterReport = await summary();
    assert.equal(afterReport.stale, false, 'a small fleet is summarised again at once');
    assert.equal(afterReport.summarizedAt, time);
    assert.equal(afterReport.overall.counts.Required, first.overall.counts.Required + 1);
    assert.equal(afterReport.overall.counts['Not Required'], first.overall.counts['Not Required'] - 1);

    // A fleet whose summary takes longer than the budget (here: any) gets the last one at once.
    const cache = new SummaryCache({ db: f.t.site.store.db, clock, log: pino({ level: 'silent' }), events: f.t.site.events, recomputeBudgetMs: -1 });
    try {
      const made = await cache.summary({});
      assert.deepEqual({ ...made, summarizedAt: afterReport.summarizedAt }, afterReport);
      clock.advance(60_000);
      f.t.site.events.announce('clients');
      const stale = await cache.summary({});
      assert.equal(stale.stale, true);
      assert.equal(stale.summarizedAt, made.summarizedAt);
      const waited = await cache.summary({ fresh: true });
      assert.equal(waited.stale, false);
      assert.equal(waited.summarizedAt, clock.now().toISOString());
      f.t.site.events.announce('alerts'); // alerts count nothing of the summary
      assert.deepEqual(await cache.summary({}), waited);
    } finally {
      await cache.close();
    }
  });

  test('a large fleet is summarised in a worker thread over its own connection: the same counts as in place; a stopping site ends it', async () => {
    const workers = new SummaryWorkers(f.t.site.store.url);
    try {
      for (const query of [{}, { superseded: false }, { collectionId: f.collectionId }]) {
        const apart = await workers.count(query);
        assert.deepEqual(apart.counts, await complianceSummary(f.t.site.store.db, query), JSON.stringify(query));
        assert.ok(apart.tookMs >= 0);
      }
      const cache = new SummaryCache({ db: f.t.site.store.db, clock: f.t.site.clock, log: pino({ level: 'silent' }), events: f.t.site.events, countApart: (q) => workers.count(q) });
      const ended = assert.rejects(cache.summary({ product: 'Debian 12' }), /worker stopped \(exit code \d+\) before it answered/);
      await workers.close();
      await ended;
      await cache.close();
    } finally {
      await workers.close();
    }
  });

  test('removing a client removes its inventory when no other client has it', async () => {
    const count = async () => Number((await f.t.site.store.db.selectFrom('inventories').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    // a and d report the same image under two hostnames: one inventory; b's differs.
    assert.equal(await count(), 2);
    assert.equal((await f.t.api('DELETE', `/clients/${f.clients.d.clientId}`)).status, 200);
    assert.equal(await count(), 2);
    assert.equal((await f.t.api('DELETE', `/clients/${f.clients.a.clientId}`)).status, 200);
    assert.equal(await count(), 1);
  });
});
