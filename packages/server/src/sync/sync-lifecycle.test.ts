import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { binaryStanza, buildTestArchive, createTestKey, writeKeyring, type PackagesInput, type TestKey } from '../../test/support/test-archive.ts';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore } from '../../test/stores.ts';

const SUITE = 'trixie-security';
const DAY = 86_400_000;

/** Revisions, supersedence, history, expiry, retries and the schedule, over virtual months. */
describeEachStore('catalogue lifecycle across syncs', (kind) => {
  let dir: string;
  let mirror: ArchiveServer;
  let t: TestSite;
  let key: TestKey;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let published = new Date('2026-11-20T00:00:00Z');

  /** Publishes a new signed trixie-security with these packages, dated one hour after the last. */
  const publish = (packages: PackagesInput) => {
    published = new Date(published.getTime() + 3_600_000);
    return buildTestArchive(join(dir, 'archive'), { suites: [{ suite: SUITE, version: '13', date: published, packages, signers: [key] }] });
  };
  const update = async (source: string, version: string) => {
    const page = (await t.api('GET', `/updates?source=${source}&pageSize=100`)).body.updates as Array<{ version: string; updateId: string }>;
    const summary = page.find((u) => u.version === version);
    assert.ok(summary, `${source} ${version} is in the catalogue`);
    return (await t.api('GET', `/updates/${summary.updateId}`)).body;
  };
  /** Lets timers the virtual clock fired run their (asynchronous) sync to the end. */
  const settle = async (runsBefore: number) => {
    for (let i = 0; i < 500; i++) {
      const runs = await t.site.sync.listRuns(1);
      if (runs.length && runs[0].runId > runsBefore && runs[0].status !== 'running') return runs[0];
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no scheduled sync ran');
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patchday-lifecycle-'));
    key = await createTestKey('Lifecycle Archive');
    await writeKeyring(join(dir, 'keyring.gpg'), [key]);
    await publish([binaryStanza('libfoo1', '1.0-1', { Source: 'foo' }), binaryStanza('foo-tools', '1.0-1', { Source: 'foo' }), binaryStanza('bar', '1.0-1')]);
    mirror = await startArchiveServer(join(dir, 'archive'));
    t = await startTestSite(kind, { clock, syncLimits: { retries: 0 } });
    assert.equal((await t.api('PUT', '/sync/schedule', { enabled: false, cron: '0 3 * * *', timezone: 'UTC' })).status, 200);
    assert.equal((await t.api('POST', '/upstreams', { name: 'archive', url: mirror.url, suites: [SUITE], keyring: join(dir, 'keyring.gpg') })).status, 201);
    const first = await t.site.sync.run('test');
    assert.equal(first.status, 'succeeded', first.error ?? '');
    assert.equal(first.added, 2);
  });
  after(async () => {
    await t.stop();
    await mirror.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('changed metadata of the same upload makes a new revision that names what changed', async () => {
    await publish([
      binaryStanza('libfoo1', '1.0-1', { Source: 'foo', Description: 'foo library, now described better' }),
      binaryStanza('foo-tools', '1.0-1', { Source: 'foo' }),
      binaryStanza('bar', '1.0-1'),
    ]);
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual([run.added, run.revised, run.unchanged], [0, 1, 1]);
    const foo = await update('foo', '1.0-1');
    assert.equal(foo.revision, 2);
    assert.deepEqual(foo.revisions.map((r: { revision: number; changes: string[] }) => [r.revision, r.changes]), [[1, ['created']], [2, ['binaries']]]);
    assert.equal(foo.binaries.find((b: { package: string }) => b.package === 'libfoo1').summary, 'foo library, now described better');
    assert.equal((await update('bar', '1.0-1')).revision, 1);
  });

  test('a newer upload supersedes the older one; an upload the archive drops stays as history, superseded', async () => {
    await publish([binaryStanza('libfoo1', '1.1-1', { Source: 'foo' }), binaryStanza('foo-tools', '1.1-1', { Source: 'foo' })]);
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual([run.added, run.superseded], [1, 2]);
    const newFoo = await update('foo', '1.1-1');
    const oldFoo = await update('foo', '1.0-1');
    assert.equal(newFoo.superseded, false);
    assert.deepEqual(newFoo.supersedes.map((s: { updateId: string }) => s.updateId), [oldFoo.updateId]);
    assert.equal(oldFoo.supersededBy, newFoo.updateId);
    assert.equal(oldFoo.present, false);
    const bar = await update('bar', '1.0-1');
    assert.deepEqual([bar.present, bar.superseded, bar.supersededBy, bar.expired], [false, true, null, false]);
  });

  test('superseded updates expire three months after they were superseded (§12)', async () => {
    clock.advance(89 * DAY);
    const early = await t.site.sync.run('test');
    assert.equal(early.expired, 0);
    clock.advance(3 * DAY);
    const due = await t.site.sync.run('test');
    await t.relogin();
    assert.equal(due.status, 'succeeded', due.error ?? '');
    assert.equal(due.expired, 2);
    const expired = (await t.api('GET', '/updates?expired=true')).body.updates.map((u: { source: string; version: string }) => `${u.source} ${u.version}`);
    assert.deepEqual(expired.sort(), ['bar 1.0-1', 'foo 1.0-1']);
    assert.equal((await update('foo', '1.1-1')).expired, false);
  });

  test('with expiry set to "immediately", a newly superseded update expires in the same sync', async () => {
    assert.equal((await t.api('PUT', '/sync/supersedence', { expireAfterMonths: 0 })).status, 200);
    await publish([binaryStanza('libfoo1', '1.2-1', { Source: 'foo' }), binaryStanza('foo-tools', '1.2-1', { Source: 'foo' })]);
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual([run.added, run.superseded, run.expired], [1, 1, 1]);
    assert.equal((await update('foo', '1.1-1')).expired, true);
    assert.equal((await update('foo', '1.2-1')).expired, false);
    assert.equal((await t.api('PUT', '/sync/supersedence', { expireAfterMonths: 3 })).status, 200);
    assert.equal((await t.api('PUT', '/sync/supersedence', { expireAfterMonths: -1 })).status, 400);
  });

  test('a failed sync raises 6703 and retries 60 minutes later on its own', async () => {
    const clear = mirror.fault('InRelease', { status: 500 });
    const failed = await t.site.sync.run('test');
    assert.equal(failed.status, 'failed');
    const status = (await t.api('GET', '/sync/status')).body;
    assert.equal(status.schedule.retryAt, new Date(clock.now().getTime() + 60 * 60_000).toISOString());
    clear();
    clock.advance(59 * 60_000);
    assert.equal((await t.site.sync.listRuns(1))[0].runId, failed.runId, 'no retry before 60 minutes');
    clock.advance(60_000);
    const retry = await settle(failed.runId);
    assert.equal(retry.trigger, 'retry');
    assert.equal(retry.status, 'succeeded', retry.error ?? '');
    assert.equal((await t.api('GET', '/sync/status')).body.schedule.retryAt, null);
  });

  test('a manual sync that succeeds before the retry falls due cancels the retry', async () => {
    const clear = mirror.fault('InRelease', { status: 500 });
    const failed = await t.site.sync.run('test');
    clear();
    assert.equal(failed.status, 'failed');
    assert.ok((await t.api('GET', '/sync/status')).body.schedule.retryAt);
    const manual = await t.site.sync.run('test');
    assert.equal(manual.status, 'succeeded', manual.error ?? '');
    assert.equal((await t.api('GET', '/sync/status')).body.schedule.retryAt, null);
    clock.advance(61 * 60_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await t.site.sync.listRuns(1))[0].runId, manual.runId, 'no retry ran after the successful manual sync');
  });

  test('the schedule runs the sync daily at the configured time', async () => {
    const set = await t.api('PUT', '/sync/schedule', { enabled: true, cron: '30 4 * * *', timezone: 'Europe/Amsterdam' });
    assert.equal(set.status, 200);
    const next = new Date(set.body.nextRunAt);
    assert.equal(next.getUTCHours(), 3);
    assert.equal(next.getUTCMinutes(), 30);
    const before = (await t.site.sync.listRuns(1))[0].runId;
    clock.advanceTo(next);
    const run = await settle(before);
    assert.equal(run.trigger, 'schedule');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    // The service arms the next occurrence just after the run is recorded; give it those moments.
    let after = (await t.api('GET', '/sync/schedule')).body;
    for (let i = 0; i < 100 && new Date(after.nextRunAt).getTime() === next.getTime(); i++) {
      await new Promise((r) => setTimeout(r, 10));
      after = (await t.api('GET', '/sync/schedule')).body;
    }
    assert.equal(new Date(after.nextRunAt).getTime() - next.getTime(), DAY);
  });
});
