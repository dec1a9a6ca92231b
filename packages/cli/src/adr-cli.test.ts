import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startContentFixture, type ContentFixture } from '../../server/test/content-fixture.ts';
import { describeEachStore } from '../../server/test/stores.ts';
import { runCli } from '../test/run-cli.ts';

describeEachStore('patchday adr', (kind) => {
  let f: ContentFixture;
  let home: string;
  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: f.t.url, PATCHDAY_TOKEN: f.t.token });

  before(async () => {
    f = await startContentFixture(kind);
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-adr-'));
  });
  after(async () => {
    await f.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('create a patch-Tuesday rule, preview it, run it now, change and disable it', async () => {
    const created = await patchday([
      'adr', 'create', '--name', 'Patch Tuesday', '--classification', 'Security Updates', '--required-by-at-least', '2',
      '--cron', '0 22 * * TUE#2', '--time-zone', 'Europe/Amsterdam', '--deploy-to', 'web', '--available-after', '1h', '--deadline-after', '7d', '--alert-below', '90', '--alert-after-days', '10',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Schedule:\s+0 22 \* \* TUE#2 \(Europe\/Amsterdam\)$/m);
    assert.match(created.stdout, /^Next run:\s+2026-12-08T21:00:00\.000Z$/m);
    assert.match(created.stdout, /required\s+1h\s+7d\s+utc\s+restart\s+created at the next run/);

    const preview = await patchday(['adr', 'preview', 'patch tuesday']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, new RegExp(`${f.updates.bar.updateId}\\s+${f.updates.bar.title.replace(/[.+()]/g, '\\$&')}`));
    assert.match(preview.stdout, /^2 updates would be in group Patch Tuesday: 2 added, 0 removed$/m);

    const run = await patchday(['adr', 'run', 'Patch Tuesday', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.deepEqual([result.status, result.updates, result.deploymentsCreated, result.filesQueued], ['succeeded', 2, 1, 3]);
    const pkg = JSON.parse((await patchday(['packages', 'show', 'Patch Tuesday', '--json'])).stdout);
    assert.equal(pkg.files.stored, 3, 'run waited for the download to finish');

    const list = await patchday(['adr', 'list']);
    assert.match(list.stdout, /Patch Tuesday\s+yes\s+deploy\s+0 22 \* \* TUE#2 Europe\/Amsterdam\s+2026-12-08T21:00:00\.000Z\s+2026-11-25T10:00:00\.000Z succeeded\s+1/);

    const set = await patchday(['adr', 'set', 'Patch Tuesday', '--source', 'bar', '--json']);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout).criteria, { source: 'bar' });
    const disabled = await patchday(['adr', 'disable', 'Patch Tuesday']);
    assert.equal(disabled.stdout, 'Patch Tuesday: disabled\n');
    const show = JSON.parse((await patchday(['adr', 'show', 'Patch Tuesday', '--json'])).stdout);
    assert.deepEqual([show.enabled, show.nextRunAt], [false, null]);
  });

  test('mistakes are refused with a message and exit code', async () => {
    const noCriteria = await patchday(['adr', 'create', '--name', 'x', '--deploy-to', 'web']);
    assert.deepEqual([noCriteria.code, noCriteria.stderr], [2, 'patchday: give the rule its criteria with filter options, e.g. --classification "Security Updates" --severity Critical\n']);
    const noCollection = await patchday(['adr', 'create', '--name', 'x', '--source', 'bar', '--deploy-to', 'nowhere']);
    assert.deepEqual([noCollection.code, noCollection.stderr], [4, 'patchday: no collection nowhere\n']);
    const badDuration = await patchday(['adr', 'create', '--name', 'x', '--source', 'bar', '--deploy-to', 'web', '--deadline-after', 'soon']);
    assert.deepEqual([badDuration.code, badDuration.stderr], [2, 'patchday: --deadline-after is a duration such as 90m, 36h or 7d, not "soon"\n']);
    const badCron = await patchday(['adr', 'create', '--name', 'x', '--source', 'bar', '--deploy-to', 'web', '--cron', '0 25 * * TUE']);
    assert.equal(badCron.code, 2);
    assert.match(badCron.stderr, /schedule\.cron: "0 25 \* \* TUE" is not a cron expression/);
    const unknown = await patchday(['adr', 'run', 'No such rule']);
    assert.deepEqual([unknown.code, unknown.stderr], [4, 'patchday: no automatic deployment rule No such rule (see patchday adr list)\n']);
    assert.match((await patchday(['adr', 'list'])).stdout, /^ADR ID/);
    assert.doesNotMatch((await patchday(['adr', 'list'])).stdout, /\bx\b/);
  });
});
