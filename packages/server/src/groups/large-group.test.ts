import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, type UpdateGroupChange, type UpdateGroupDetail } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { binaryStanza, buildTestArchive, createTestKey, writeKeyring } from '../../test/support/test-archive.ts';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore } from '../../test/stores.ts';

const UPDATES = 10_000;

/** §12 no cap on group size: 10,000 updates go in, show and come out without per-update round trips. */
describeEachStore('an update group of 10,000 updates', (kind) => {
  let dir: string;
  let mirror: ArchiveServer;
  let t: TestSite;
  let ids: string[];
  /** Measured times, printed as test diagnostics only: speed is judged by benchmarks, not by a loaded test machine. */
  const timings: string[] = [];

  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    const ms = performance.now() - started;
    timings.push(`${what}: ${Math.round(ms)} ms`);
    return result;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patchday-large-group-'));
    const key = await createTestKey('Large Archive');
    await writeKeyring(join(dir, 'keyring.gpg'), [key]);
    const packages = Array.from({ length: UPDATES }, (_, i) => binaryStanza(`pkg${String(i).padStart(5, '0')}`, '1.0-1'));
    await buildTestArchive(join(dir, 'archive'), { suites: [{ suite: 'bookworm-security', version: '12', packages, signers: [key] }] });
    mirror = await startArchiveServer(join(dir, 'archive'));
    t = await startTestSite(kind, { clock: new VirtualClock('2026-11-25T10:00:00Z') });
    assert.equal((await t.api('POST', '/upstreams', { name: 'large', url: mirror.url, suites: ['bookworm-security'], keyring: join(dir, 'keyring.gpg') })).status, 201);
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.added, UPDATES);
    ids = (await t.site.store.db.selectFrom('updates').select('update_id').execute()).map((r) => r.update_id);
  });
  after(async () => {
    await t.stop();
    await mirror.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('made from a filter, shown with its counts and a page of members, emptied by a filter, deleted', async (context) => {
    timings.length = 0;
    const made = await timed('creating the group from a filter', () => t.api('POST', '/update-groups', { name: 'Everything', filter: { classification: 'Security Updates' } }));
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const change = made.body as UpdateGroupChange;
    assert.equal(change.added, UPDATES);
    assert.deepEqual(change.group.counts, { updates: UPDATES, expired: 0, superseded: 0, withoutContent: UPDATES });
    const groupId = change.group.groupId;

    const page: UpdateGroupDetail = (await timed('showing the group', () => t.api('GET', `/update-groups/${groupId}?pageSize=1000&page=10`))).body;
    assert.equal(page.members.total, UPDATES);
    assert.equal(page.members.updates.length, 1000);
    assert.equal(page.members.updates.at(-1)!.title.startsWith('pkg09999'), true, page.members.updates.at(-1)!.title);
    const red: UpdateGroupDetail = (await timed('listing the members without content', () => t.api('GET', `/update-groups/${groupId}?flag=withoutContent&pageSize=1`))).body;
    assert.equal(red.members.total, UPDATES);
    await timed('listing every group', () => t.api('GET', '/update-groups'));

    const again = (await timed('adding the same 10,000 again by filter', () => t.api('POST', `/update-groups/${groupId}/updates`, { filter: { product: 'Debian 12' } }))).body as UpdateGroupChange;
    assert.deepEqual([again.added, again.alreadyMembers], [0, UPDATES]);

    const emptied = (await timed('removing them by filter', () => t.api('DELETE', `/update-groups/${groupId}/updates`, { filter: { product: 'Debian 12' } }))).body as UpdateGroupChange;
    assert.deepEqual([emptied.removed, emptied.group.counts.updates], [UPDATES, 0]);
    assert.equal((await timed('deleting the group', () => t.api('DELETE', `/update-groups/${groupId}`))).status, 200);
    for (const line of timings) context.diagnostic(line);
  });

  test('10,000 ids in one request go in and come out', async (context) => {
    timings.length = 0;
    const made = await timed('creating a group from 10,000 ids', () => t.api('POST', '/update-groups', { name: 'By id', updateIds: ids }));
    assert.equal(made.status, 201, JSON.stringify(made.body).slice(0, 300));
    assert.equal(made.body.group.counts.updates, UPDATES);
    const groupId = made.body.group.groupId;
    const removed = await timed('removing 10,000 ids', () => t.api('DELETE', `/update-groups/${groupId}/updates`, { updateIds: ids }));
    assert.deepEqual([removed.body.removed, removed.body.group.counts.updates], [UPDATES, 0]);
    const added = await timed('adding 10,000 ids', () => t.api('POST', `/update-groups/${groupId}/updates`, { updateIds: ids }));
    assert.equal(added.body.added, UPDATES);
    const tooMany = await t.api('POST', `/update-groups/${groupId}/updates`, { updateIds: [...ids, ...ids.slice(0, 1)].map((id, i) => (i === UPDATES ? '00000000-0000-4000-8000-000000000000' : id)) });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error, /at most 10000 update ids per request \(a filter selects any number\)/);
    for (const line of timings) context.diagnostic(line);
  });
});
