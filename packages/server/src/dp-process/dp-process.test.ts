import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, type DistributionPointWithCredential, type PackageDistribution } from '@patchday/core';
import pino from 'pino';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore, dumpStore } from '../../test/stores.ts';
import { addFiles, addStoredPackage, markStored, randomFile, removeFile, siteLibrary, type FixtureFile, type FixturePackage } from '../../test/support/distribution-fixture.ts';
import { startRecordingProxy } from '../../test/support/recording-proxy.ts';
import { signContentToken } from '../distribution/content-token.ts';
import { contentTokenFor } from '../distribution/policy-distribution.ts';
import { runDistributionPoint, type RunningDistributionPoint } from './run-distribution-point.ts';

describeEachStore('remote distribution point', (kind) => {
  let t: TestSite;
  let dp: RunningDistributionPoint;
  let branch: DistributionPointWithCredential;
  let dataDir: string;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const clientId = randomUUID();
  const packages: Record<string, FixturePackage> = {};
  const shared = randomFile(150_000);

  const distribution = async (p: FixturePackage) => {
    const r = await t.api<PackageDistribution>('GET', `/packages/${p.packageId}/distribution`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.distributionPoints.find((d) => d.dpId === branch.dpId)!;
  };
  const distribute = async (p: FixturePackage) => {
    const r = await t.api('POST', `/packages/${p.packageId}/distribute`, { dpIds: [branch.dpId] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const held = async (f: FixtureFile) => dp.library.has(f.sha256);
  const statusMessages = async (messageId: number) => t.site.store.db.selectFrom('status_messages').selectAll().where('message_id', '=', messageId).execute();
  const fromDp = (sha256: string, init: { method?: string; token?: string | null; headers?: Record<string, string> } = {}) =>
    fetch(`${dp.url}/dp/v1/content/${sha256}`, { method: init.method ?? 'GET', headers: { ...(init.token === null ? {} : { authorization: `Bearer ${init.token}` }), ...init.headers } });
  const dpm = (method: string, path: string, credential: string | null, body?: unknown) =>
    fetch(`${t.url}/dpm/v1${path}`, { method, headers: { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  before(async () => {
    t = await startTestSite(kind, { clock });
    const added = await t.api<DistributionPointWithCredential>('POST', '/distribution-points', { name: 'branch', url: 'http://127.0.0.1:8540' });
    branch = added.body;
    dataDir = mkdtempSync(join(tmpdir(), 'patchday-dp-'));
    dp = await runDistributionPoint({ dataDir, site: t.url, credential: branch.credential, port: 0, clock, pollSeconds: 3600, log: pino({ level: process.env.PATCHDAY_TEST_LOG ?? 'silent' }) });
  });
  after(async () => {
    await dp.close();
    rmSync(dataDir, { recursive: true, force: true });
    await t.stop();
  });

  test('a package sent to the distribution point is fetched, verified, reported installed once, and served to agents', async () => {
    packages.a = await addStoredPackage(t.site.store, t.dataDir, 'A', [randomFile(2_500_000), shared, randomFile(10)]);
    await distribute(packages.a);
    assert.equal((await distribution(packages.a)).state, 'pending');
    const pass = await dp.syncNow();
    assert.deepEqual(pass, { packages: 1, installed: 1, failed: 0, fetched: 3, removed: 0 });
    const state = await distribution(packages.a);
    assert.deepEqual([state.state, state.contentVersion, state.bytesDone, state.bytesTotal, state.error], ['installed', 2, 2_650_010, 2_650_010, null]);
    for (const f of packages.a.files) assert.equal(await held(f), true);
    assert.equal((await statusMessages(2330)).length, 1);
    assert.match((await statusMessages(2330))[0].text, /Distribution point branch holds package A, content version 2/);
    const seen = (await t.site.store.db.selectFrom('distribution_points').select('last_seen_at').where('dp_id', '=', branch.dpId).executeTakeFirstOrThrow()).last_seen_at;
    assert.equal(seen, clock.now().toISOString());

    const before = await dumpStore(t.site.store, { except: ['distribution_points'] });
    assert.deepEqual(await dp.syncNow(), { packages: 1, installed: 1, failed: 0, fetched: 0, removed: 0 });
    assert.equal(await dumpStore(t.site.store, { except: ['distribution_points'] }), before, 'a pass with nothing new reports nothing');

    const token = await contentTokenFor(t.site.store.db, clientId, clock.now());
    const [big] = packages.a.files;
    const whole = await fromDp(big.sha256, { token });
    assert.equal(whole.status, 200);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), big.bytes);
    const resumed = await fromDp(big.sha256, { token, headers: { range: 'bytes=2000000-' } });
    assert.equal(resumed.status, 206);
    assert.equal(resumed.headers.get('content-range'), `bytes 2000000-2499999/2500000`);
    assert.deepEqual(Buffer.from(await resumed.arrayBuffer()), big.bytes.subarray(2_000_000));
    const head = await fromDp(big.sha256, { token, method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-length'), head.headers.get('etag')], [200, '2500000', `"${big.sha256}"`]);
    assert.equal((await fromDp('f'.repeat(64), { token })).status, 404);
    assert.equal((await fromDp(big.sha256, { token: null })).status, 401);
    const forged = signContentToken(Buffer.alloc(32, 1), clientId, new Date(clock.now().getTime() + 86_400_000));
    assert.equal((await fromDp(big.sha256, { token: forged })).status, 401);
    const health = (await (await fetch(`${dp.url}/dp/v1/health`)).json()) as { status: string; lastPass: { error: string | null } };
    assert.deepEqual([health.status, health.lastPass.error], ['ok', null]);
  });

  test('an agent\'s token expires on the distribution point as on the site (its own clock)', async () => {
    const token = await contentTokenFor(t.site.store.db, clientId, clock.now());
    const sha256 = packages.a.files[0].sha256;
    clock.advance(7 * 86_400_000);
    assert.equal((await fromDp(sha256, { token, method: 'HEAD' })).status, 200);
    clock.advance(86_400_000);
    const expired = await fromDp(sha256, { token });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { error: string }).error, /content token expired/);
  });

  test('single instance: a file already held for another package does not travel again', async () => {
    packages.b = await addStoredPackage(t.site.store, t.dataDir, 'B', [shared, randomFile(40_000)]);
    await distribute(packages.b);
    assert.deepEqual(await dp.syncNow(), { packages: 2, installed: 2, failed: 0, fetched: 1, removed: 0 });
    assert.equal((await distribution(packages.b)).state, 'installed');
  });

  test('a new content version sends the distribution point back to pending; only the new file travels', async () => {
    await addFiles(t.site.store, t.dataDir, packages.a, [randomFile(70_000)]);
    const stale = await distribution(packages.a);
    assert.deepEqual([stale.state, stale.contentVersion, stale.packageContentVersion], ['pending', 2, 3]);
    const pass = await dp.syncNow();
    assert.equal(pass.fetched, 1);
    const fresh = await distribution(packages.a);
    assert.deepEqual([fresh.state, fresh.contentVersion, fresh.bytesDone], ['installed', 3, 2_720_010]);
  });

  test('files no targeted package lists any more leave the library; shared ones stay', async () => {
    const [big] = packages.a.files;
    await removeFile(t.site.store, packages.a, big.sha256);
    await removeFile(t.site.store, packages.a, shared.sha256);
    assert.deepEqual(await dp.syncNow(), { packages: 2, installed: 2, failed: 0, fetched: 0, removed: 1 });
    assert.equal(await held(big), false);
    assert.equal(await held(shared), true, 'B still lists it');
    const token = await contentTokenFor(t.site.store.db, clientId, clock.now());
    assert.equal((await fromDp(big.sha256, { token, method: 'HEAD' })).status, 404);
    assert.equal((await t.api('DELETE', `/packages/${packages.b.packageId}/distribution/${branch.dpId}`)).status, 200);
    assert.equal((await dp.syncNow()).removed, 2);
    assert.equal(await held(shared), false);
    assert.equal(await held(packages.a.files[0]), true);
  });

  test('a package the site does not wholly hold yet waits, then goes', async () => {
    const late = randomFile(3_000);
    packages.c = await addStoredPackage(t.site.store, t.dataDir, 'C', [randomFile(1_000)]);
    await addFiles(t.site.store, t.dataDir, packages.c, [late], { state: 'pending', bump: false });
    await distribute(packages.c);
    await dp.syncNow();
    assert.equal((await distribution(packages.c)).state, 'pending');
    assert.equal(await held(packages.c.files[0]), false);
    await markStored(t.site.store, t.dataDir, packages.c, late);
    await dp.syncNow();
    assert.equal((await distribution(packages.c)).state, 'installed');
    assert.equal(await held(late), true);

    // Listed as stored, gone from the site's disk: this package waits, the pass goes on with the others.
    const vanished = randomFile(2_000);
    const gone = await addStoredPackage(t.site.store, t.dataDir, 'Gone', [vanished]);
    rmSync(siteLibrary(t.dataDir).pathOf(vanished.sha256));
    const later = await addStoredPackage(t.site.store, t.dataDir, 'Later', [randomFile(500)]);
    await distribute(gone);
    await distribute(later);
    await dp.syncNow();
    const stuck = await distribution(gone);
    assert.deepEqual([stuck.state, stuck.bytesDone, stuck.error, (await distribution(later)).state], ['in-progress', 0, null, 'installed']);
    await markStored(t.site.store, t.dataDir, gone, vanished);
    await dp.syncNow();
    assert.equal((await distribution(gone)).state, 'installed');
  });

  test('a tampered file is refused on arrival, reported failed with the reason, and nothing of it is kept', async () => {
    const victim = randomFile(600_000);
    packages.d = await addStoredPackage(t.site.store, t.dataDir, 'D', [victim]);
    const tampered = Buffer.from(victim.bytes);
    tampered[123_456] ^= 0x01;
    writeFileSync(siteLibrary(t.dataDir).pathOf(victim.sha256), tampered);
    await distribute(packages.d);
    const pass = await dp.syncNow();
    assert.equal(pass.failed, 1);
    const failed = await distribution(packages.d);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, new RegExp(`${victim.sha256} refused: the file's sha256 is ${createHash('sha256').update(tampered).digest('hex')}; its metadata says ${victim.sha256}`));
    assert.equal(await held(victim), false);
    assert.deepEqual(existsSync(join(dataDir, 'partial')) ? readdirSync(join(dataDir, 'partial')) : [], [], 'no partial file left');
    assert.deepEqual(readdirSync(join(dataDir, 'content', 'incoming')), []);
    const [message] = await statusMessages(2302);
    assert.match(message.text, /Distribution point branch failed to take package D, content version 2: .*refused/);
    assert.equal(message.severity, 'error');

    // It stays failed (no download loop) until an administrator sends it again.
    const before = await dumpStore(t.site.store, { except: ['distribution_points'] });
    await dp.syncNow();
    assert.equal(await dumpStore(t.site.store, { except: ['distribution_points'] }), before);
    writeFileSync(siteLibrary(t.dataDir).pathOf(victim.sha256), victim.bytes);
    await distribute(packages.d);
    assert.equal((await distribution(packages.d)).state, 'pending');
    await dp.syncNow();
    assert.equal((await distribution(packages.d)).state, 'installed');
    assert.equal(await held(victim), true);
  });

  test('bytes changed on the wire are refused on arrival; the package installs once the network is honest again', async () => {
    const proxy = await startRecordingProxy(t.url);
    const wireDir = mkdtempSync(join(tmpdir(), 'patchday-dp-wire-'));
    const wire = (await t.api<DistributionPointWithCredential>('POST', '/distribution-points', { name: 'wire', url: 'http://127.0.0.1:8541' })).body;
    const other = await runDistributionPoint({ dataDir: wireDir, site: proxy.url, credential: wire.credential, port: 0, clock, pollSeconds: 3600, log: pino({ level: 'silent' }) });
    try {
      const file = randomFile(200_000);
      const pkg = await addStoredPackage(t.site.store, t.dataDir, 'Wire', [file]);
      assert.equal((await t.api('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: [wire.dpId] })).status, 200);
      proxy.corrupt = true;
      assert.equal((await other.syncNow()).failed, 1);
      const state = (await t.api<PackageDistribution>('GET', `/packages/${pkg.packageId}/distribution`)).body.distributionPoints[0];
      assert.equal(state.state, 'failed');
      assert.match(state.error!, /refused: the file's sha256 is [0-9a-f]{64}; its metadata says/);
      assert.equal(await other.library.has(file.sha256), false);
      assert.deepEqual(readdirSync(join(wireDir, 'partial')), []);

      proxy.corrupt = false;
      assert.equal((await t.api('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: [wire.dpId] })).status, 200);
      await other.syncNow();
      assert.equal((await t.api<PackageDistribution>('GET', `/packages/${pkg.packageId}/distribution`)).body.distributionPoints[0].state, 'installed');
      assert.equal(await other.library.has(file.sha256), true);
    } finally {
      await other.close();
      await proxy.close();
      rmSync(wireDir, { recursive: true, force: true });
    }
  });

  test('the DP-facing API: its own credential, only its packages\' files, reports validated and never stale', async () => {
    assert.equal((await dpm('GET', '/targets', null)).status, 401);
    assert.equal((await dpm('GET', '/targets', 'pdd_' + 'x'.repeat(43))).status, 401);
    const other = await addStoredPackage(t.site.store, t.dataDir, 'E', [randomFile(100)]);
    const notSent = await dpm('GET', `/content/${other.files[0].sha256}`, branch.credential);
    assert.equal(notSent.status, 404);
    assert.match(((await notSent.json()) as { error: string }).error, /no package sent to distribution point branch holds/);
    const sent = await dpm('GET', `/content/${packages.c.files[0].sha256}`, branch.credential);
    assert.equal(sent.status, 200);
    await sent.arrayBuffer();

    const before = await dumpStore(t.site.store, { except: ['distribution_points'] });
    const bad = await dpm('POST', '/reports', branch.credential, { reports: [{ packageId: packages.c.packageId, contentVersion: 2, state: 'stolen', bytesDone: 0, bytesTotal: 0 }] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /reports\.0\.state/);
    const stale = await dpm('POST', '/reports', branch.credential, {
      reports: [
        { packageId: packages.a.packageId, contentVersion: 2, state: 'failed', bytesDone: 0, bytesTotal: 1, error: 'old news' },
        { packageId: other.packageId, contentVersion: 2, state: 'installed', bytesDone: 100, bytesTotal: 100 },
      ],
    });
    assert.deepEqual(await stale.json(), { recorded: 0, ignored: 2 });
    assert.equal(await dumpStore(t.site.store, { except: ['distribution_points'] }), before);
  });

  test('a distribution point removed at the site is shut out', async () => {
    assert.equal((await t.api('DELETE', `/distribution-points/${branch.dpId}`)).status, 200);
    await assert.rejects(dp.syncNow(), /401.*distribution point authentication required/);
    assert.match(dp.lastPass()!.error!, /401/);
  });
});
