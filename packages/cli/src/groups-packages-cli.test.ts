import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startContentFixture, type ContentFixture } from '../../server/test/content-fixture.ts';
import { describeEachStore } from '../../server/test/stores.ts';
import { runCli } from '../test/run-cli.ts';

describeEachStore('patchday groups and packages', (kind) => {
  let f: ContentFixture;
  let home: string;
  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: f.t.url, PATCHDAY_TOKEN: f.t.token });

  before(async () => {
    f = await startContentFixture(kind);
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-groups-'));
  });
  after(async () => {
    await f.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('updates list previews the filter a group will use', async () => {
    const r = await patchday(['updates', 'list', '--required-by-at-least', '2', '--collection', 'web', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).updates.map((u: { title: string }) => u.title), [f.updates.bar.title]);
    const bad = await patchday(['updates', 'list', '--required-by-at-least', 'many']);
    assert.deepEqual([bad.code, bad.stderr], [2, 'patchday: --required-by-at-least is a whole number, not "many"\n']);
  });

  test('groups create, list, show, add, remove, update and delete', async () => {
    const created = await patchday(['groups', 'create', '--name', 'Needed', '--classification', 'Security Updates', '--required-by-at-least', '2']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created update group Needed \([0-9a-f-]{36}\): 2 added; now 2 updates, 2 without content$/m);
    const foo = await patchday(['groups', 'create', '--name', 'Foo', '--source', 'foo', '--json']);
    assert.deepEqual(JSON.parse(foo.stdout).skippedExpired, 1);

    const list = await patchday(['groups', 'list']);
    assert.match(list.stdout, /^GROUP ID\s+NAME\s+UPDATES\s+EXPIRED\s+WITHOUT CONTENT\s+DEPLOYMENTS$/m);
    assert.match(list.stdout, /Needed\s+2\s+0\s+2\s+0/);

    const added = await patchday(['groups', 'add', 'needed', '--update', f.updates.baz.updateId]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^Update group Needed: 1 added; now 3 updates, 3 without content$/m);
    const show = await patchday(['groups', 'show', 'Needed']);
    assert.match(show.stdout, /^Without content:\s+3 \(their files are in no deployment package\)$/m);
    assert.match(show.stdout, new RegExp(`${f.updates.baz.updateId}\\s+baz 1\\.0-1.*NO CONTENT`));
    assert.match(show.stdout, /1–3 of 3 updates/);

    const removed = await patchday(['groups', 'remove', 'Needed', '--source', 'baz']);
    assert.match(removed.stdout, /^Update group Needed: 1 removed; now 2 updates, 2 without content$/m);
    const expired = await patchday(['groups', 'add', 'Needed', '--update', f.updates.oldFoo.updateId]);
    assert.equal(expired.code, 2);
    assert.equal(expired.stderr, `patchday: expired updates cannot be deployed, so they cannot be added: ${f.updates.oldFoo.title} (${f.updates.oldFoo.updateId})\n`);
    const nothing = await patchday(['groups', 'add', 'Needed']);
    assert.deepEqual([nothing.code, nothing.stderr], [2, 'patchday: name updates with --update, or give filter options (see --help)\n']);

    const renamed = await patchday(['groups', 'update', 'Foo', '--name', 'Foo only', '--json']);
    assert.equal(JSON.parse(renamed.stdout).name, 'Foo only');
    const deleted = await patchday(['groups', 'delete', 'foo only']);
    assert.match(deleted.stdout, /^Deleted update group Foo only/);
    const missing = await patchday(['groups', 'show', 'Foo only']);
    assert.deepEqual([missing.code, missing.stderr], [4, 'patchday: no update group Foo only\n']);
  });

  test('packages create, download (waiting for it), show, list, remove-content and delete', async () => {
    const created = await patchday(['packages', 'create', '--name', 'Patch Tuesday', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const pkg = JSON.parse(created.stdout);
    assert.equal(pkg.contentVersion, 1);

    const download = await patchday(['packages', 'download', 'patch tuesday', '--group', 'Needed']);
    assert.equal(download.code, 0, download.stderr);
    assert.match(download.stdout, /^Download:\s+succeeded from upstream$/m);
    assert.match(download.stdout, /^Files:\s+3 stored, 0 failed, of 3 \(0 were stored already\)$/m);
    assert.match(download.stdout, /^Content version:\s+2$/m);
    const group = await patchday(['groups', 'show', 'Needed', '--json']);
    assert.equal(JSON.parse(group.stdout).counts.withoutContent, 0);

    const show = await patchday(['packages', 'show', 'Patch Tuesday']);
    assert.match(show.stdout, /^Content version:\s+2$/m);
    assert.match(show.stdout, /^Updates:\s+2 \(2 with every file stored\)$/m);
    assert.match(show.stdout, new RegExp(`${f.updates.bar.updateId}\\s+bar 2\\.0-1.*\\s1\\s+1\\s+0\\s+`));
    const list = await patchday(['packages', 'list']);
    assert.match(list.stdout, /^PACKAGE ID\s+NAME\s+VERSION\s+UPDATES\s+FILES\s+FAILED\s+SIZE\s+DOWNLOAD$/m);
    assert.match(list.stdout, /Patch Tuesday\s+2\s+2\s+3\/3\s+0\s+\d+(\.\d)? (B|KiB)\s+succeeded/);

    const removed = await patchday(['packages', 'remove-content', 'Patch Tuesday', '--update', f.updates.bar.updateId]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'Removed 1 file from Patch Tuesday, content version 3 (1 left the content library)\n');
    const deleted = await patchday(['packages', 'delete', 'Patch Tuesday', '--json']);
    assert.deepEqual(JSON.parse(deleted.stdout), { packageId: pkg.packageId, deleted: true, releasedFiles: 2, keptFiles: 0 });
    assert.deepEqual(f.library(), []);
  });

  test('a tampered file from a folder fails the download with exit code 1 and the reason', async () => {
    const folder = join(home, 'handed over');
    mkdirSync(folder);
    const [bar] = f.updates.bar.files;
    const bytes = readFileSync(bar!.path);
    bytes[bytes.length - 50] ^= 0x10;
    writeFileSync(join(folder, 'bar_2.0-1_amd64.deb'), bytes);
    assert.equal((await patchday(['packages', 'create', '--name', 'Hand made'])).code, 0);
    const r = await patchday(['packages', 'download', 'Hand made', '--update', f.updates.bar.updateId, '--from-folder', folder]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Download:\s+failed from .*handed over$/m);
    assert.match(r.stdout, /bar_2\.0-1_amd64\.deb\s+refused by the content library: the file's sha256 is [0-9a-f]{64}; its metadata says/);
    assert.equal(r.stderr, 'patchday: 1 file could not be stored (see above)\n');
    assert.deepEqual(f.library(), []);
    const usage = await patchday(['packages', 'download', 'Hand made']);
    assert.deepEqual([usage.code, usage.stderr], [2, 'patchday: give either --update (repeatable) or --group\n']);
    const noSuch = await patchday(['packages', 'show', 'Nope']);
    assert.equal(noSuch.code, 4);
  });
});
