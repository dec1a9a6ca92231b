import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore } from '../../test/stores.ts';

/** The real Debian snapshot, served as a mirror; the clock sits before its Valid-Until (2026-11-29). */
describeEachStore('sync from the real Debian archive snapshot', (kind) => {
  let mirror: ArchiveServer;
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock });
  });
  after(async () => {
    await t.stop();
    await mirror.close();
  });

  test('bookworm-security alone yields 414 updates, one per source upload, with 6701 and 6702', async () => {
    const add = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.added, 414);
    assert.deepEqual(run.suites, [{ upstream: 'security', suite: 'bookworm-security', product: 'Debian 12', result: 'updated', updates: 414 }]);

    const page = await t.api('GET', '/updates?pageSize=1&classification=Security%20Updates&product=Debian%2012');
    assert.equal(page.body.total, 414);

    const ids = (await t.api('GET', '/status-messages?component=update-point')).body.messages.map((m: { messageId: number }) => m.messageId);
    assert.deepEqual(ids, [6702, 6701]);
    const completed = (await t.api('GET', '/status-messages?messageId=6702')).body.messages[0];
    assert.match(completed.text, /414 added, 0 revised, \d+ superseded, 0 expired, 0 unchanged/);
    // The index still lists binaries of older uploads of some sources (kernel ABIs): those are superseded.
    const superseded = (await t.api('GET', '/updates?superseded=true&pageSize=1')).body.total;
    assert.ok(superseded > 0);
    assert.equal(run.superseded, superseded);
  });

  test('an update carries every binary of its source upload with version, size and sha256', async () => {
    const list = await t.api('GET', '/updates?source=openssl&suite=bookworm-security');
    assert.equal(list.body.total, 1);
    const summary = list.body.updates[0];
    assert.equal(summary.title, 'openssl 3.0.22-1~deb12u2 (Debian 12 security update)');
    assert.equal(summary.classification, 'Security Updates');
    assert.equal(summary.revision, 1);
    const detail = (await t.api('GET', `/updates/${summary.updateId}`)).body;
    const names = detail.binaries.map((b: { package: string }) => b.package);
    assert.ok(names.includes('libssl3') && names.includes('openssl'), names.join(','));
    const libssl = detail.binaries.find((b: { package: string }) => b.package === 'libssl3');
    assert.equal(libssl.version, '3.0.22-1~deb12u2');
    assert.match(libssl.sha256, /^[0-9a-f]{64}$/);
    assert.match(libssl.filename, /^pool\/updates\/main\/o\/openssl\/libssl3_3\.0\.22-1~deb12u2_amd64\.deb$/);
    assert.deepEqual(detail.revisions.map((r: { revision: number; changes: string[] }) => [r.revision, r.changes]), [[1, ['created']]]);
  });

  test('a resync with nothing new sends conditional requests, downloads no index and changes no update', async () => {
    mirror.requests.length = 0;
    const before = (await t.api('GET', '/sync/status')).body.catalogueSeq;
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.added + run.revised + run.superseded, 0);
    assert.equal(run.unchanged, 414);
    assert.deepEqual(mirror.requests.map((r) => [r.path, r.status, r.conditional]), [['/debian-security/dists/bookworm-security/InRelease', 304, true]]);
    assert.equal((await t.api('GET', '/sync/status')).body.catalogueSeq, before);
  });

  test('adding the main suites: a newer upload in the same product supersedes the older ones', async () => {
    const add = await t.api('POST', '/upstreams', { name: 'debian', url: `${mirror.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring });
    assert.equal(add.status, 201);
    const run = await t.site.sync.run('test', { upstream: 'debian' });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.ok(run.added > 30_000, `added ${run.added}`);

    const openssl = (await t.api('GET', '/updates?source=openssl&sort=title&pageSize=10')).body.updates as Array<{ suite: string; version: string; superseded: boolean; supersededBy: string | null; updateId: string }>;
    const bySuite = Object.fromEntries(openssl.map((u) => [u.suite, u]));
    assert.deepEqual(Object.keys(bySuite).sort(), ['bookworm', 'bookworm-security', 'bookworm-updates']);
    // 3.0.22 (security) > 3.0.20 (12.15 point release) > 3.0.17 (stale bookworm-updates entry).
    assert.equal(bySuite['bookworm-security'].superseded, false);
    assert.equal(bySuite['bookworm'].supersededBy, bySuite['bookworm-security'].updateId);
    assert.equal(bySuite['bookworm-updates'].supersededBy, bySuite['bookworm-security'].updateId);
    // glibc: the point release (2.36-9+deb12u14) is newer than the security upload (…u7).
    const glibc = (await t.api('GET', '/updates?source=glibc')).body.updates as typeof openssl;
    const security = glibc.find((u) => u.suite === 'bookworm-security')!;
    const main = glibc.find((u) => u.suite === 'bookworm')!;
    assert.equal(main.superseded, false);
    assert.equal(security.supersededBy, main.updateId);

    const detail = (await t.api('GET', `/updates/${bySuite['bookworm-security'].updateId}`)).body;
    assert.deepEqual(detail.supersedes.map((s: { updateId: string }) => s.updateId).sort(), [bySuite['bookworm'].updateId, bySuite['bookworm-updates'].updateId].sort());
  });

  test('catalogue filters: product, classification, superseded, text, released since, paging', async () => {
    const notSuperseded = (await t.api('GET', '/updates?superseded=false&classification=Security%20Updates&pageSize=1')).body.total;
    const superseded = (await t.api('GET', '/updates?superseded=true&classification=Security%20Updates&pageSize=1')).body.total;
    assert.equal(notSuperseded + superseded, 414);
    assert.ok(superseded > 0);
    const text = (await t.api('GET', '/updates?text=OPENSSL%203.0&pageSize=100')).body;
    assert.equal(text.updates.filter((u: { source: string }) => u.source === 'openssl').length, 3);
    for (const u of text.updates) {
      const detail = (await t.api('GET', `/updates/${u.updateId}`)).body;
      assert.match(`${detail.title} ${detail.description}`, /openssl 3\.0/i);
    }
    assert.equal((await t.api('GET', '/updates?text=no_such%25package')).body.total, 0);
    const page2 = (await t.api('GET', '/updates?page=2&pageSize=10&sort=title')).body;
    const page1 = (await t.api('GET', '/updates?page=1&pageSize=10&sort=title')).body;
    assert.equal(page2.updates.length, 10);
    assert.ok(page1.updates[9].title <= page2.updates[0].title);
    assert.equal((await t.api('GET', '/updates?releasedSince=2027-01-01')).body.total, 0);
    assert.equal((await t.api('GET', '/updates?product=Debian%2013')).body.total, 0);
  });
});
