/**
 * The read-only routes a catalogue listing uses beside each update: counts for a page of updates in
 * one call (the same numbers as each update's own report), the products, and where an update's
 * files are (§6.1 red: in no package).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CatalogueProducts, DeploymentPackageDetail, UpdateCompliance, UpdateContentStatus, UpdateCountsList } from '@patchday/core';
import { startComplianceFixture, type ComplianceFixture } from '../../../test/compliance-fixture.ts';
import { startContentFixture, type ContentFixture } from '../../../test/content-fixture.ts';
import { describeEachStore, dumpStore } from '../../../test/stores.ts';

describeEachStore('update overview routes: counts and products', (kind) => {
  let f: ComplianceFixture;
  before(async () => {
    f = await startComplianceFixture(kind);
  });
  after(() => f.stop());

  const ownReport = async (updateId: string, query = '') => {
    const r = await f.t.api<UpdateCompliance>('GET', `/updates/${updateId}/compliance${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('counts for a page of updates in one call: in the order asked, each the same as the update\'s own report', async () => {
    const { openssl, reportedRequired, unreported } = f;
    const missing = '8c4b4d6e-0000-5000-8000-000000000000';
    const ids = [openssl.updateId, missing, reportedRequired.updateId, unreported.updateId, openssl.updateId.toUpperCase()];
    const r = await f.t.api<UpdateCountsList>('GET', `/compliance/updates?ids=${ids.join(',')}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.clientsCounted, 4);
    assert.equal(r.body.collectionId, null);
    assert.deepEqual(r.body.updates.map((u) => u.updateId), [openssl.updateId, reportedRequired.updateId, unreported.updateId]);
    for (const row of r.body.updates) {
      const own = await ownReport(row.updateId);
      assert.deepEqual(row.counts, own.counts, row.updateId);
      assert.equal(row.percentCompliant, own.percentCompliant);
      assert.equal(row.withoutContent, true, 'no package holds anything');
    }
    // node-a and node-d (estimated) need openssl, node-b reported it Installed, node-c is Unknown.
    assert.deepEqual(r.body.updates[0].counts, { Required: 2, Installed: 1, 'Not Required': 0, Unknown: 1 });

    const web = await f.t.api<UpdateCountsList>('GET', `/compliance/updates?ids=${openssl.updateId},${reportedRequired.updateId}&collectionId=${f.collectionId}`);
    assert.equal(web.status, 200, JSON.stringify(web.body));
    assert.equal(web.body.clientsCounted, 2);
    for (const row of web.body.updates) assert.deepEqual(row.counts, (await ownReport(row.updateId, `?collectionId=${f.collectionId}`)).counts);
  });

  test('the products of the catalogue with their suites and number of updates', async () => {
    const r = await f.t.api<CatalogueProducts>('GET', '/catalogue/products');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { products: [{ product: 'Debian 12', updates: 414, suites: ['bookworm-security'] }] });
  });
});

describeEachStore('update overview routes: content status', (kind) => {
  let f: ContentFixture;
  before(async () => {
    f = await startContentFixture(kind);
  });
  after(() => f.stop());

  test('content status: red until a package holds every file of the update, then that package is named', async () => {
    const { bar, foo } = f.updates;
    const none = await f.t.api<UpdateContentStatus>('GET', `/updates/${bar.updateId}/content`);
    assert.equal(none.status, 200, JSON.stringify(none.body));
    assert.deepEqual(none.body, { updateId: bar.updateId, hasContent: false, expired: false, packages: [] });

    const pkg = await f.t.api('POST', '/packages', { name: 'Overview content' });
    assert.equal(pkg.status, 201, JSON.stringify(pkg.body));
    const started = await f.t.api('POST', `/packages/${pkg.body.packageId}/content`, { updateIds: [bar.updateId] });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    for (let i = 0; ; i++) {
      const detail = (await f.t.api<DeploymentPackageDetail>('GET', `/packages/${pkg.body.packageId}`)).body;
      if (detail.job?.state !== 'running') break;
      assert.ok(i < 1000, 'the download did not finish');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const held = await f.t.api<UpdateContentStatus>('GET', `/updates/${bar.updateId}/content`);
    assert.equal(held.body.hasContent, true);
    assert.deepEqual(held.body.packages, [{ packageId: pkg.body.packageId, name: 'Overview content', contentVersion: 2, files: bar.files.length, stored: bar.files.length, complete: true }]);
    const counts = await f.t.api<UpdateCountsList>('GET', `/compliance/updates?ids=${bar.updateId},${foo.updateId}`);
    assert.deepEqual(counts.body.updates.map((u) => u.withoutContent), [false, true]);
  });

  test('bad input is refused with a message naming the problem, and changes nothing', async () => {
    const before = await dumpStore(f.t.site.store);
    const many = Array.from({ length: 201 }, (_, i) => `8c4b4d6e-0000-5000-8000-${String(i).padStart(12, '0')}`).join(',');
    const cases: Array<[string, number, RegExp]> = [
      ['/compliance/updates', 400, /ids/],
      ['/compliance/updates?ids=', 400, /name at least one update id/],
      ['/compliance/updates?ids=not-a-uuid', 400, /an update id is a UUID/],
      [`/compliance/updates?ids=${many}`, 400, /at most 200 update ids/],
      [`/compliance/updates?ids=${f.updates.bar.updateId}&collectionId=8c4b4d6e-0000-5000-8000-000000000000`, 404, /collection 8c4b4d6e-0000-5000-8000-000000000000 does not exist/],
      [`/compliance/updates?ids=${f.updates.bar.updateId}&surprise=1`, 400, /Unrecognized key/i],
      ['/updates/not-a-uuid/content', 400, /updateId is a UUID/],
      ['/updates/8c4b4d6e-0000-5000-8000-000000000000/content', 404, /update 8c4b4d6e-0000-5000-8000-000000000000 does not exist/],
    ];
    for (const [path, status, message] of cases) {
      const r = await f.t.api('GET', path);
      assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, message, path);
    }
    assert.equal((await f.t.api('GET', '/catalogue/products', undefined, null)).status, 401);
    assert.equal(await dumpStore(f.t.site.store), before);
  });
});
