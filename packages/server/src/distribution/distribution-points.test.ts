import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { SITE_DISTRIBUTION_POINT_ID, VirtualClock, type DistributionPoint, type DistributionPointWithCredential, type PackageDistribution } from '@patchday/core';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore, dumpStore } from '../../test/stores.ts';
import { addFiles, addStoredPackage, markStored, randomFile, type FixturePackage } from '../../test/support/distribution-fixture.ts';
import { signContentToken } from './content-token.ts';
import { contentTokenFor, distributionPointsFor } from './policy-distribution.ts';

describeEachStore('distribution points', (kind) => {
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const clientId = randomUUID();
  let branch: DistributionPointWithCredential;
  let pkg: FixturePackage;

  const unchanged = async (action: () => Promise<void>) => {
    const before = await dumpStore(t.site.store);
    await action();
    assert.equal(await dumpStore(t.site.store), before, 'a refused request changes nothing');
  };
  const list = async () => (await t.api<{ distributionPoints: DistributionPoint[] }>('GET', '/distribution-points')).body.distributionPoints;
  const audit = async (action: string) => t.site.store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
  const content = (sha256: string, init: { method?: string; token?: string | null; headers?: Record<string, string> } = {}) =>
    fetch(`${t.url}/dp/v1/content/${sha256}`, { method: init.method ?? 'GET', headers: { ...(init.token === null ? {} : { authorization: `Bearer ${init.token}` }), ...init.headers } });

  before(async () => {
    t = await startTestSite(kind, { clock });
  });
  after(() => t.stop());

  test('the site is a distribution point of its own: listed first, served at /dp/v1, never removed', async () => {
    const [own] = await list();
    assert.equal(own.dpId, SITE_DISTRIBUTION_POINT_ID);
    assert.equal(own.kind, 'site');
    assert.equal(own.contentUrl, `${t.url}/dp/v1`);
    assert.equal(own.sortOrder, 0);
    assert.equal(own.enabled, true);
    assert.deepEqual(await distributionPointsFor(t.site.store.db, t.url), [{ dpId: SITE_DISTRIBUTION_POINT_ID, name: 'site', url: `${t.url}/dp/v1` }]);
    await unchanged(async () => {
      const removal = await t.api('DELETE', `/distribution-points/${SITE_DISTRIBUTION_POINT_ID}`);
      assert.equal(removal.status, 409);
      assert.match(removal.body.error, /site's own library and cannot be removed; disable it/);
      const url = await t.api('PATCH', `/distribution-points/${SITE_DISTRIBUTION_POINT_ID}`, { url: 'http://127.0.0.1:9/' });
      assert.equal(url.status, 400);
      assert.match(url.body.error, /no URL of its own/);
      assert.equal((await t.api('POST', `/distribution-points/${SITE_DISTRIBUTION_POINT_ID}/credential`)).status, 400);
    });
  });

  test('adding a remote distribution point shows its credential once and keeps only its sha256', async () => {
    const added = await t.api<DistributionPointWithCredential>('POST', '/distribution-points', { name: 'Branch Office', url: 'http://127.0.0.1:8540/' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    branch = added.body;
    assert.match(branch.credential, /^pdd_[A-Za-z0-9_-]{43}$/);
    assert.equal(branch.url, 'http://127.0.0.1:8540', 'the trailing slash is dropped');
    assert.equal(branch.contentUrl, 'http://127.0.0.1:8540/dp/v1');
    assert.equal(branch.sortOrder, 1);
    const row = await t.site.store.db.selectFrom('distribution_points').selectAll().where('dp_id', '=', branch.dpId).executeTakeFirstOrThrow();
    assert.equal(row.credential_hash, createHash('sha256').update(branch.credential).digest('hex'));
    assert.equal(JSON.stringify(await dumpStore(t.site.store)).includes(branch.credential), false, 'the credential itself is stored nowhere');
    const shown = await t.api('GET', `/distribution-points/${branch.dpId}`);
    assert.equal('credential' in shown.body, false);
    assert.deepEqual((await audit('distribution-point.add')).map((a) => JSON.parse(a.details).name), ['Branch Office']);
  });

  test('bad input, clashes and unknown ids get a 4xx naming the problem and change nothing', async () => {
    await unchanged(async () => {
      const cases: Array<[string, string, unknown, number, RegExp]> = [
        ['POST', '/distribution-points', { name: 'branch office', url: 'http://127.0.0.1:8541' }, 409, /named "Branch Office" already exists/],
        ['POST', '/distribution-points', { name: 'Other', url: 'http://127.0.0.1:8540' }, 409, /already distribution point "Branch Office"/],
        ['POST', '/distribution-points', { name: 'Other', url: 'ftp://127.0.0.1/' }, 400, /url: a distribution point URL is http/],
        ['POST', '/distribution-points', { name: 'Other', url: 'http://127.0.0.1/a?b=c' }, 400, /without query or fragment/],
        ['POST', '/distribution-points', { name: 'Other', url: 'http://127.0.0.1/../etc' }, 400, /no "\." or "\.\." path segments/],
        ['POST', '/distribution-points', { name: ' padded', url: 'http://127.0.0.1:1' }, 400, /name: .*white space/],
        ['POST', '/distribution-points', { name: 'Other', url: 'http://127.0.0.1:1', credential: 'x' }, 400, /Unrecognized key/i],
        ['PATCH', `/distribution-points/${randomUUID()}`, { enabled: false }, 404, /distribution point .* does not exist/],
        ['PATCH', `/distribution-points/${SITE_DISTRIBUTION_POINT_ID}`, {}, 400, /names at least one field/],
        ['PATCH', '/distribution-points/not-a-uuid', { enabled: false }, 400, /dpId: a distribution point id is a UUID/],
        ['PUT', '/distribution-points/order', { dpIds: [randomUUID()] }, 404, /does not exist/],
        ['PUT', '/distribution-points/order', { dpIds: [SITE_DISTRIBUTION_POINT_ID, SITE_DISTRIBUTION_POINT_ID] }, 400, /named twice/],
        ['DELETE', `/distribution-points/${randomUUID()}`, undefined, 404, /does not exist/],
        ['POST', `/packages/${randomUUID()}/distribute`, { dpIds: [SITE_DISTRIBUTION_POINT_ID] }, 404, /deployment package .* does not exist/],
        ['GET', `/packages/${randomUUID()}/distribution`, undefined, 404, /does not exist/],
      ];
      for (const [method, path, body, status, message] of cases) {
        const r = await t.api(method, path, body);
        assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.error, message);
      }
    });
  });

  test('a Software Update Manager distributes packages but cannot add or change distribution points', async () => {
    assert.equal((await t.api('POST', '/users', { username: 'sum', password: 'manager-password-1', role: 'Software Update Manager' })).status, 201);
    const manager = (await t.api('POST', '/auth/login', { username: 'sum', password: 'manager-password-1' }, null)).body.token as string;
    const before = await dumpStore(t.site.store, { except: ['api_tokens', 'audit_log'] });
    const add = await t.api('POST', '/distribution-points', { name: 'Rogue', url: 'http://127.0.0.1:9' }, manager);
    assert.equal(add.status, 403);
    assert.equal((await t.api('PATCH', `/distribution-points/${branch.dpId}`, { enabled: false }, manager)).status, 403);
    assert.equal(await dumpStore(t.site.store, { except: ['api_tokens', 'audit_log'] }), before);
    assert.equal((await t.api('GET', '/distribution-points', undefined, manager)).status, 200);
  });

  test('order and enablement decide the list agents get in policy', async () => {
    const second = await t.api<DistributionPointWithCredential>('POST', '/distribution-points', { name: 'Warehouse', url: 'https://dp.warehouse.example:8540/patchday' });
    assert.equal(second.status, 201);
    const ordered = await t.api<{ distributionPoints: DistributionPoint[] }>('PUT', '/distribution-points/order', { dpIds: [second.body.dpId, branch.dpId] });
    assert.equal(ordered.status, 200, JSON.stringify(ordered.body));
    assert.deepEqual(ordered.body.distributionPoints.map((d) => [d.name, d.sortOrder]), [['Warehouse', 0], ['Branch Office', 1], ['site', 2]]);
    const disabled = await t.api<DistributionPoint>('PATCH', `/distribution-points/${branch.dpId}`, { enabled: false });
    assert.equal(disabled.body.enabled, false);
    assert.deepEqual(await distributionPointsFor(t.site.store.db, t.url), [
      { dpId: second.body.dpId, name: 'Warehouse', url: 'https://dp.warehouse.example:8540/patchday/dp/v1' },
      { dpId: SITE_DISTRIBUTION_POINT_ID, name: 'site', url: `${t.url}/dp/v1` },
    ]);
    await t.api('PATCH', `/distribution-points/${branch.dpId}`, { enabled: true });
    await t.api('PUT', '/distribution-points/order', { dpIds: [SITE_DISTRIBUTION_POINT_ID, branch.dpId] });
    const removed = await t.api('DELETE', `/distribution-points/${second.body.dpId}`);
    assert.equal(removed.status, 200);
    assert.deepEqual((await list()).map((d) => d.name), ['site', 'Branch Office']);
    assert.deepEqual((await audit('distribution-point.order')).map((a) => JSON.parse(a.details).order), [['Warehouse', 'Branch Office', 'site'], ['site', 'Branch Office', 'Warehouse']]);
    assert.equal((await audit('distribution-point.update')).length, 2);
    assert.equal((await audit('distribution-point.remove')).length, 1);
  });

  test('distributing a package: the site holds it once every file is in its library; a remote one starts pending', async () => {
    pkg = await addStoredPackage(t.site.store, t.dataDir, 'Patch Tuesday 2026-12', [randomFile(300_000), randomFile(5_000)]);
    const late = randomFile(1_000);
    await addFiles(t.site.store, t.dataDir, pkg, [late], { state: 'pending', bump: false });
    const sent = await t.api<PackageDistribution>('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: [SITE_DISTRIBUTION_POINT_ID, branch.dpId] });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.contentVersion, 2);
    assert.equal(sent.body.bytesTotal, 306_000);
    const state = (d: PackageDistribution) => d.distributionPoints.map((s) => [s.dpName, s.state, s.contentVersion, s.bytesDone, s.bytesTotal]);
    assert.deepEqual(state(sent.body), [['site', 'in-progress', 2, 305_000, 306_000], ['Branch Office', 'pending', 2, 0, 306_000]]);
    await markStored(t.site.store, t.dataDir, pkg, late);
    const now = (await t.api<PackageDistribution>('GET', `/packages/${pkg.packageId}/distribution`)).body;
    assert.deepEqual(state(now), [['site', 'installed', 2, 306_000, 306_000], ['Branch Office', 'pending', 2, 0, 306_000]]);
    const own = (await t.api<DistributionPoint>('GET', `/distribution-points/${SITE_DISTRIBUTION_POINT_ID}`)).body;
    assert.deepEqual(own.summary, { pending: 0, 'in-progress': 0, installed: 1, failed: 0 });
    assert.deepEqual(own.packages.map((p) => p.packageName), ['Patch Tuesday 2026-12']);
    const [entry] = await audit('package.distribute');
    assert.deepEqual(JSON.parse(entry.details), { name: 'Patch Tuesday 2026-12', contentVersion: 2, added: ['site', 'Branch Office'], redistributed: [] });
    await unchanged(async () => {
      const unknown = await t.api('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: [randomUUID()] });
      assert.equal(unknown.status, 404);
      assert.equal((await t.api('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: [] })).status, 400);
      assert.equal((await t.api('DELETE', `/packages/${pkg.packageId}/distribution/${randomUUID()}`)).status, 404);
    });
  });

  test('the site serves the files it holds to agents with a content token: whole, ranges, HEAD', async () => {
    const token = await contentTokenFor(t.site.store.db, clientId, clock.now());
    const [big] = pkg.files;
    const whole = await content(big.sha256, { token });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-length'), String(big.size));
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('etag'), `"${big.sha256}"`);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), big.bytes);

    const resumed = await content(big.sha256, { token, headers: { range: 'bytes=100000-' } });
    assert.equal(resumed.status, 206);
    assert.equal(resumed.headers.get('content-range'), `bytes 100000-${big.size - 1}/${big.size}`);
    assert.deepEqual(Buffer.from(await resumed.arrayBuffer()), big.bytes.subarray(100_000));
    const middle = await content(big.sha256, { token, headers: { range: 'bytes=10-19' } });
    assert.deepEqual(Buffer.from(await middle.arrayBuffer()), big.bytes.subarray(10, 20));
    const tail = await content(big.sha256, { token, headers: { range: 'bytes=-7' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), big.bytes.subarray(big.size - 7));
    const beyond = await content(big.sha256, { token, headers: { range: `bytes=${big.size}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${big.size}`);
    const stale = await content(big.sha256, { token, headers: { range: 'bytes=10-19', 'if-range': '"something else"' } });
    assert.equal(stale.status, 200, 'a Range for another version of the file gets the whole file');
    await stale.arrayBuffer();

    const head = await content(big.sha256, { token, method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(big.size));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  test('no token, a forged or expired token is 401; a file the site does not hold here is 404', async () => {
    const [big] = pkg.files;
    const missing = await content(big.sha256, { token: null });
    assert.equal(missing.status, 401);
    assert.match(((await missing.json()) as { error: string }).error, /content token is required/);
    const forged = signContentToken(Buffer.alloc(32, 7), clientId, new Date(clock.now().getTime() + 86_400_000));
    const refused = await content(big.sha256, { token: forged });
    assert.equal(refused.status, 401);
    assert.match(((await refused.json()) as { error: string }).error, /not signed by this site/);
    assert.equal((await content(big.sha256, { token: 'pdc_an-agent-credential-is-not-a-token' })).status, 401);

    const token = await contentTokenFor(t.site.store.db, clientId, clock.now());
    assert.equal(token, await contentTokenFor(t.site.store.db, clientId, new Date(clock.now().getTime() + 3_600_000)), 'the same token all day: the policy ETag holds');
    assert.equal((await content('0'.repeat(64), { token })).status, 404);
    const bad = await content('not-a-sha256', { token });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /sha256: a file is named by its sha256/);
    // Stored in the library, but in no package sent to the site's distribution point.
    const other = await addStoredPackage(t.site.store, t.dataDir, 'Not distributed', [randomFile(2_000)]);
    const notHere = await content(other.files[0].sha256, { token });
    assert.equal(notHere.status, 404);
    assert.match(((await notHere.json()) as { error: string }).error, /does not hold/);

    clock.advance(7 * 86_400_000);
    assert.equal((await content(big.sha256, { token, method: 'HEAD' })).status, 200, 'still valid 7 days later');
    clock.advance(86_400_000);
    const expired = await content(big.sha256, { token });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { error: string }).error, /content token expired at .*next policy/);
    const renewed = await contentTokenFor(t.site.store.db, clientId, clock.now());
    assert.equal((await content(big.sha256, { token: renewed, method: 'HEAD' })).status, 200);
  });

  test('taking a package off a distribution point', async () => {
    const off = await t.api('DELETE', `/packages/${pkg.packageId}/distribution/${SITE_DISTRIBUTION_POINT_ID}`);
    assert.equal(off.status, 200);
    const token = await contentTokenFor(t.site.store.db, clientId, clock.now());
    assert.equal((await content(pkg.files[0].sha256, { token })).status, 404);
    assert.deepEqual((await t.api<PackageDistribution>('GET', `/packages/${pkg.packageId}/distribution`)).body.distributionPoints.map((d) => d.dpName), ['Branch Office']);
    assert.equal((await audit('package.undistribute')).length, 1);
  });
});
