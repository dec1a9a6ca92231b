import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../test/site-harness.ts';

/** Two independent sites (one on each store) that sync the same archive agree on every updateId. */
test('two sites syncing the same archive agree on every updateId', async (t) => {
  const mirror: ArchiveServer = await startArchiveServer(snapshotRoot);
  const sites: TestSite[] = [];
  t.after(async () => {
    for (const s of sites) await s.stop();
    await mirror.close();
  });
  const ids: string[][] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const site = await startTestSite(kind, { clock: new VirtualClock('2026-11-25T10:00:00Z') });
    sites.push(site);
    await site.api('POST', '/upstreams', { name: `security-${kind}`, url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    const run = await site.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const page = (await site.api('GET', '/updates?pageSize=1000&sort=title')).body;
    ids.push(page.updates.map((u: { updateId: string }) => u.updateId).sort());
  }
  assert.equal(ids[0].length, 414);
  assert.deepEqual(ids[0], ids[1]);
});
