import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { binaryStanza, buildTestArchive, makePackagesText, createTestKey, writeKeyring, xzBomb, xzCompress, type TestKey, type TestSuiteSpec } from '../../test/support/test-archive.ts';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore, dumpStore } from '../../test/stores.ts';

const SUITE = 'bookworm-security';
const baseDate = new Date('2026-11-22T19:58:56Z');
const packages = [
  binaryStanza('libfoo1', '1.0-1+deb12u1', { Source: 'foo' }),
  binaryStanza('foo-tools', '1.0-1+deb12u1', { Source: 'foo' }),
  binaryStanza('bar', '2:3.1-2+deb12u1'),
];
/** A publication whose index differs from the last accepted one, so the sync must fetch it. */
const changedPackages = [...packages, binaryStanza('qux', '0.9-1')];

/**
 * Every way an upstream can lie or fail, each refused with a message naming the suite and the
 * reason, and each leaving the catalogue exactly as it was (a dump of the store before and after).
 */
describeEachStore('sync refuses bad upstream data and changes nothing', (kind) => {
  let dir: string;
  let mirror: ArchiveServer;
  let t: TestSite;
  let archiveKey: TestKey;
  let strangerKey: TestKey;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');

  const publish = (overrides: Partial<TestSuiteSpec> = {}) =>
    buildTestArchive(join(dir, 'archive'), { suites: [{ suite: SUITE, version: '12', date: baseDate, validUntil: new Date('2026-11-29T19:58:56Z'), packages, signers: [archiveKey], ...overrides }] });

  /** The catalogue: what must not change when a sync is refused (run bookkeeping and logs may). */
  const catalogue = () => dumpStore(t.site.store, { except: ['status_messages', 'sync_runs', 'audit_log', 'api_tokens'] });

  async function expectRefusal(reason: RegExp, upstream = 'archive') {
    const before = await catalogue();
    const run = await t.site.sync.run('test', { upstream });
    assert.equal(run.status, 'failed', `expected a refusal matching ${reason}`);
    assert.match(run.error!, new RegExp(`^${upstream}(/[a-z-]+)?: `));
    assert.match(run.error!, reason);
    assert.equal(await catalogue(), before, 'the catalogue changed although the sync was refused');
    const failed = (await t.api('GET', '/status-messages?messageId=6703&limit=1')).body.messages[0];
    assert.match(failed.text, reason);
    return run;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patchday-refusals-'));
    archiveKey = await createTestKey('Patchday Test Archive');
    strangerKey = await createTestKey('Someone Else');
    await writeKeyring(join(dir, 'keyring.gpg'), [archiveKey]);
    await publish();
    mirror = await startArchiveServer(join(dir, 'archive'));
    t = await startTestSite(kind, { clock, syncLimits: { retries: 1, timeoutMs: 2000 } });
    const add = await t.api('POST', '/upstreams', { name: 'archive', url: mirror.url, suites: [SUITE], keyring: join(dir, 'keyring.gpg') });
    assert.equal(add.status, 201);
    const baseline = await t.site.sync.run('test');
    assert.equal(baseline.status, 'succeeded', baseline.error ?? '');
    assert.equal(baseline.added, 2);
  });
  after(async () => {
    await t.stop();
    await mirror.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a newer, correctly signed publication is accepted (the baseline for every refusal below)', async () => {
    await publish({ date: new Date('2026-11-23T00:00:00Z'), packages: [...packages, binaryStanza('baz', '1.0-1')] });
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.added, 1);
  });

  test('bad signature (a signed byte changed)', async () => {
    const built = await publish({ date: new Date('2026-11-24T00:00:00Z') });
    mirror.serveOverlay(`/dists/${SUITE}/InRelease`, built.suites[0].inRelease.replace('Patchday test archive', 'Patchday test archivE'));
    try {
      await expectRefusal(/bad signature by key/);
    } finally {
      mirror.removeOverlay(`/dists/${SUITE}/InRelease`);
    }
  });

  test('signature by a key not in the keyring', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), signers: [strangerKey] });
    await expectRefusal(/signed only by keys not in the keyring/);
  });

  test('one good signature suffices even beside an unknown signer, as with apt', async () => {
    await publish({ date: new Date('2026-11-23T06:00:00Z'), signers: [strangerKey, archiveKey] });
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
  });

  test('unsigned file, for a suite that was signed before', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), signers: [] });
    await expectRefusal(/not signed, but it was signed at the last accepted sync/);
  });

  test('extra unsigned lines before or after the signed part (CVE-2013-1051)', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), extraBefore: 'Origin: Evil\n\n' });
    await expectRefusal(/before|outside|leading/i);
    await publish({ date: new Date('2026-11-24T00:00:00Z'), extraAfter: '\nPackage: evil\nVersion: 99\n' });
    await expectRefusal(/after|outside|trailing/i);
  });

  test('stale Valid-Until, unless the upstream accepts stale metadata', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), validUntil: new Date('2026-11-25T09:00:00Z') });
    await expectRefusal(/expired at 2026-11-25T09:00:00.000Z \(Valid-Until\)/);
  });

  test('a replayed older Date', async () => {
    await publish({ date: new Date('2026-11-22T00:00:00Z') });
    await expectRefusal(/older than the last accepted 2026-11-23T06:00:00.000Z/);
  });

  test('Packages.xz whose sha256 does not match InRelease', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), overrideSha256: 'a'.repeat(64) });
    await expectRefusal(/main\/binary-amd64\/Packages\.xz does not match the sha256 in InRelease/);
  });

  test('Packages.xz of another size than InRelease says', async () => {
    const built = await publish({ date: new Date('2026-11-24T00:00:00Z'), packages: changedPackages });
    mirror.serveOverlay(`/dists/${SUITE}/main/binary-amd64/Packages.xz`, Buffer.concat([built.suites[0].packagesXz, Buffer.from('junk')]));
    try {
      await expectRefusal(/Packages\.xz/);
    } finally {
      mirror.removeOverlay(`/dists/${SUITE}/main/binary-amd64/Packages.xz`);
    }
  });

  test('truncated or corrupt xz (signed truthfully, so only decompression can tell)', async () => {
    const good = xzCompress(makePackagesText(packages));
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packagesXz: good.subarray(0, good.length - 20) });
    await expectRefusal(/corrupt or truncated xz/);
    const corrupt = Buffer.from(good);
    corrupt.fill(0x41, 40, 80);
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packagesXz: corrupt });
    await expectRefusal(/corrupt or truncated xz/);
  });

  test('an xz bomb and an oversized index', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packagesXz: xzBomb(200 * 1024 * 1024) });
    await expectRefusal(/decompression ratio exceeds 50:1/);
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packages: changedPackages, overrideSize: 2 ** 40 });
    await expectRefusal(/Packages\.xz is 1099511627776 bytes, larger than the limit/);
  });

  test('a malformed stanza', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packages: 'Package: ok\nVersion: 1.0\nthis line has no colon\n' });
    await expectRefusal(/Packages\.xz: .*line 3/);
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packages: [binaryStanza('evil', '1.0', { Filename: '../../../etc/passwd' })] });
    await expectRefusal(/Packages\.xz: .*Filename/i);
  });

  test('upstream answering 404 or 500 mid-way, cutting a transfer, or unreachable', async () => {
    await publish({ date: new Date('2026-11-24T00:00:00Z'), packages: changedPackages });
    const clear404 = mirror.fault('Packages.xz', { status: 404 });
    await expectRefusal(/answered HTTP 404/);
    clear404();
    const clear500 = mirror.fault('Packages.xz', { status: 500 });
    await expectRefusal(/answered HTTP 500/);
    clear500();
    const clearCut = mirror.fault('Packages.xz', { truncateAt: 10 });
    await expectRefusal(/Packages\.xz/);
    clearCut();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const add = await t.api('POST', '/upstreams', { name: 'nowhere', url: `http://127.0.0.1:${port}/debian`, suites: ['trixie'], keyring: join(dir, 'keyring.gpg') });
    assert.equal(add.status, 201);
    await expectRefusal(/unreachable \(ECONNREFUSED\)/, 'nowhere');
    assert.equal((await t.api('DELETE', '/upstreams/nowhere')).status, 200);
  });

  test('a retried request is verified like the first one (CVE-2014-0488)', async () => {
    const built = await publish({ date: new Date('2026-11-24T00:00:00Z') });
    mirror.fault('InRelease', { once: true, status: 503 });
    mirror.serveOverlay(`/dists/${SUITE}/InRelease`, built.suites[0].inRelease.replace('Patchday test archive', 'Patchday test archivE'));
    try {
      await expectRefusal(/bad signature/);
    } finally {
      mirror.removeOverlay(`/dists/${SUITE}/InRelease`);
      mirror.clearFaults();
    }
  });

  test('an unconditional request answered 304 is refused (CVE-2018-0501): nothing unverified is reused', async () => {
    const add = await t.api('POST', '/upstreams', { name: 'fresh', url: mirror.url, suites: ['trixie-security'], keyring: join(dir, 'keyring.gpg') });
    assert.equal(add.status, 201);
    const clear = mirror.fault('trixie-security/InRelease', { status: 304 });
    await expectRefusal(/304 Not Modified to an unconditional request/, 'fresh');
    clear();
    assert.equal((await t.api('DELETE', '/upstreams/fresh')).status, 200);
  });

  test('a mirror without conditional-request support costs a download but no parse when InRelease is unchanged', async () => {
    await publish({ date: new Date('2026-11-24T12:00:00Z') });
    const first = await t.site.sync.run('test');
    assert.equal(first.status, 'succeeded', first.error ?? '');
    const clear = mirror.fault('InRelease', { ignoreConditional: true });
    mirror.requests.length = 0;
    const run = await t.site.sync.run('test');
    clear();
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(mirror.requests.map((r) => [r.path, r.status]), [[`/dists/${SUITE}/InRelease`, 200]]);
    assert.equal(run.unchanged, 2);
  });
});
