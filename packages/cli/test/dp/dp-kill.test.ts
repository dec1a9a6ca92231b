/**
 * §6.1: a distribution point killed in the middle of a transfer resumes where it stopped, ends
 * with the package installed, and tells its site so once. A real `patchday dp` process, killed
 * with SIGKILL, against a real site; a proxy between them records what the process asked for.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, type DistributionPointWithCredential, type DpPackageStatus, type PackageDistribution } from '@patchday/core';
import { startTestSite, type TestSite } from '../../../server/test/site-harness.ts';
import { describeEachStore } from '../../../server/test/stores.ts';
import { contentTokenFor } from '../../../server/src/distribution/policy-distribution.ts';
import { addStoredPackage, randomFile, type FixturePackage } from '../../../server/test/support/distribution-fixture.ts';
import { kill9, startDpProcess, until } from './dp-process.ts';
import { startRecordingProxy, type RecordingProxy } from '../../../server/test/support/recording-proxy.ts';

const SIZE = 24 * 1024 * 1024;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeEachStore('a distribution point killed mid-transfer', (kind) => {
  let t: TestSite;
  let proxy: RecordingProxy;
  let dataDir: string;
  let branch: DistributionPointWithCredential;
  let pkg: FixturePackage;
  const children: ChildProcess[] = [];

  const branchState = async (): Promise<DpPackageStatus> => {
    const r = await t.api<PackageDistribution>('GET', `/packages/${pkg.packageId}/distribution`);
    return r.body.distributionPoints.find((d) => d.dpId === branch.dpId)!;
  };

  before(async () => {
    t = await startTestSite(kind, { clock: new VirtualClock('2026-11-25T10:00:00Z') });
    proxy = await startRecordingProxy(t.url);
    dataDir = mkdtempSync(join(tmpdir(), 'patchday-dp-kill-'));
    branch = (await t.api<DistributionPointWithCredential>('POST', '/distribution-points', { name: 'branch', url: 'http://127.0.0.1:8540' })).body;
    pkg = await addStoredPackage(t.site.store, t.dataDir, 'Big', [randomFile(SIZE), randomFile(1000)]);
  });
  after(async () => {
    for (const child of children) await kill9(child);
    await proxy.close();
    await t.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('SIGKILL in the middle of a file: the restart asks only for the rest, installs, and reports it once', async () => {
    const port = String(await freePort());
    proxy.throttle = 4 * 1024 * 1024;
    const { child: first } = await startDpProcess(['--site', proxy.url, '--credential', branch.credential, '--data', dataDir, '--port', port, '--poll-seconds', '1']);
    children.push(first);
    assert.equal((await t.api('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: [branch.dpId] })).status, 200);
    await until('a third of the file to pass', async () => proxy.contentBytes() > SIZE / 3);
    await kill9(first);

    const [big] = pkg.files;
    const partial = join(dataDir, 'partial', big.sha256);
    const kept = statSync(partial).size;
    assert.ok(kept > 0 && kept < SIZE, `a partial file of ${kept} bytes is kept`);
    assert.ok(kept <= proxy.contentBytes());
    assert.equal(existsSync(join(dataDir, 'content', 'sha256', big.sha256.slice(0, 2), big.sha256)), false, 'nothing unverified is content');
    assert.equal((await branchState()).state, 'in-progress');
    const before = proxy.seen.length;

    // The restart needs no --site or --credential: the data directory remembers them.
    proxy.throttle = null;
    const { child: second, url } = await startDpProcess(['--data', dataDir, '--port', port, '--poll-seconds', '1']);
    children.push(second);
    const done = await until('the package to be installed', async () => {
      const s = await branchState();
      return s.state === 'installed' && s;
    });
    assert.deepEqual([done.contentVersion, done.bytesDone, done.bytesTotal], [2, SIZE + 1000, SIZE + 1000]);
    // Let a few more passes run: they must not report again.
    await new Promise((r) => setTimeout(r, 2500));

    const afterRestart = proxy.seen.slice(before).filter((s) => s.path.startsWith('/dpm/v1/content/'));
    assert.deepEqual(afterRestart.filter((s) => s.path.endsWith(big.sha256)).map((s) => s.range), [`bytes=${kept}-`], 'the restart resumed from the partial file');
    assert.deepEqual(afterRestart.filter((s) => s.path.endsWith(big.sha256)).map((s) => s.bytesOut), [SIZE - kept], 'only the rest of the big file travelled');
    const small = proxy.seen.filter((s) => s.path === `/dpm/v1/content/${pkg.files[1].sha256}`);
    assert.deepEqual(small.map((s) => s.bytesOut), [1000], 'the small file travelled once, before or after the kill');

    const reports = proxy.seen.filter((s) => s.path === '/dpm/v1/reports').flatMap((s) => (s.body as { reports: Array<{ state: string; bytesDone: number }> }).reports);
    assert.equal(reports.filter((r) => r.state === 'installed').length, 1, 'installed is reported once');
    for (let i = 1; i < reports.length; i++) assert.notDeepEqual(reports[i], reports[i - 1], 'no report repeats the one before');
    const messages = await t.site.store.db.selectFrom('status_messages').selectAll().where('message_id', '=', 2330).execute();
    assert.equal(messages.length, 1);

    const stored = readFileSync(join(dataDir, 'content', 'sha256', big.sha256.slice(0, 2), big.sha256));
    assert.equal(createHash('sha256').update(stored).digest('hex'), big.sha256);
    assert.deepEqual(readdirSync(join(dataDir, 'partial')), [], 'the partial file is gone');

    // Its serving workers hand the file to agents (the process runs on real time: a token for now).
    const token = await contentTokenFor(t.site.store.db, randomUUID(), new Date());
    const served = await fetch(`${url}/dp/v1/content/${big.sha256}`, { headers: { authorization: `Bearer ${token}`, range: 'bytes=1000-' } });
    assert.equal(served.status, 206);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), big.bytes.subarray(1000));
  });
});
