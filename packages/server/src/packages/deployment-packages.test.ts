import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ContentDownloadStarted, DeploymentPackage, DeploymentPackageDetail, UpdateGroupDetail } from '@patchday/core';
import { startContentFixture, type ContentFixture } from '../../test/content-fixture.ts';
import type { BuiltDeb } from '../../test/support/deb-archive.ts';
import { describeEachStore, differingTables, dumpStore } from '../../test/stores.ts';
import { contentFlagsOf } from './content-flags.ts';

describeEachStore('deployment packages', (kind) => {
  let f: ContentFixture;
  let scratch: string;
  const ids = () => Object.fromEntries(Object.entries(f.updates).map(([k, v]) => [k, v.updateId])) as Record<keyof ContentFixture['updates'], string>;
  const sourceFolders = () => join(f.t.dataDir, 'package-sources');
  const dirsIn = (path: string) => (existsSync(path) ? readdirSync(path).sort() : []);

  /** Runs `attempt` and proves it changed nothing: not the store, not the library, not the source folders. */
  const unchanged = async (attempt: () => Promise<void>) => {
    const before = { store: await dumpStore(f.t.site.store), library: f.library(), sources: dirsIn(sourceFolders()) };
    await attempt();
    const afterwards = { store: await dumpStore(f.t.site.store), library: f.library(), sources: dirsIn(sourceFolders()) };
    assert.deepEqual(differingTables(before.store, afterwards.store), []);
    assert.equal(afterwards.store, before.store);
    assert.deepEqual(afterwards.library, before.library);
    assert.deepEqual(afterwards.sources, before.sources);
  };
  const createPackage = async (name: string, extra: Record<string, unknown> = {}): Promise<DeploymentPackage> => {
    const r = await f.t.api('POST', '/packages', { name, ...extra });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const download = async (packageId: string, body: unknown): Promise<ContentDownloadStarted> => {
    const r = await f.t.api('POST', `/packages/${packageId}/content`, body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body;
  };
  /** Polls the package as the CLI does until its download has finished. */
  const finished = async (packageId: string): Promise<DeploymentPackageDetail> => {
    for (let i = 0; i < 1000; i++) {
      const pkg: DeploymentPackageDetail = (await f.t.api('GET', `/packages/${packageId}`)).body;
      if (pkg.job?.state !== 'running') return pkg;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the download did not finish');
  };
  const sha = (files: BuiltDeb[]) => files.map((d) => d.sha256).sort();
  const urlPath = (deb: BuiltDeb) => `/${deb.filename}`;
  const groupOf = async (name: string, updateIds: string[]) => {
    const r = await f.t.api('POST', '/update-groups', { name, updateIds });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.group.groupId as string;
  };

  before(async () => {
    f = await startContentFixture(kind);
    scratch = mkdtempSync(join(tmpdir(), 'patchday-package-folders-'));
  });
  after(async () => {
    await f.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a new package has content version 1 and its own empty source folder (default under the data directory)', async () => {
    const pkg = await createPackage('Empty');
    assert.equal(pkg.contentVersion, 1);
    assert.equal(pkg.sourceFolder, join(f.t.dataDir, 'package-sources', pkg.packageId));
    assert.deepEqual(readdirSync(pkg.sourceFolder), []);
    assert.deepEqual([pkg.files, pkg.bytes, pkg.updates, pkg.job], [{ total: 0, stored: 0, pending: 0, failed: 0 }, { total: 0, stored: 0 }, { total: 0, complete: 0 }, null]);
    const own = join(scratch, 'own source');
    const mine = await createPackage('Own folder', { sourceFolder: `${own}/`, description: 'kept by hand' });
    assert.deepEqual([mine.sourceFolder, mine.description], [own, 'kept by hand']);
    assert.ok(existsSync(own));
    const renamed = await f.t.api('PATCH', `/packages/${mine.packageId}`, { name: 'Own' });
    assert.deepEqual([renamed.status, renamed.body.name, renamed.body.contentVersion], [200, 'Own', 1]);
    const list = (await f.t.api('GET', '/packages')).body.packages.map((p: DeploymentPackage) => p.name);
    assert.deepEqual(list, ['Empty', 'Own']);
  });

  test('source folders that are shared, nested, relative, inside the library or around the data are refused, and nothing changes', async () => {
    const own = join(scratch, 'own source');
    const full = join(scratch, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'someone-elses.txt'), 'x');
    await unchanged(async () => {
      const cases: Array<[unknown, number, RegExp]> = [
        [{ name: 'Same', sourceFolder: own }, 409, /is already the source folder of package "Own"; each package has its own/],
        [{ name: 'Inside', sourceFolder: join(own, 'sub') }, 409, /it lies inside the source folder of package "Own"/],
        [{ name: 'Around', sourceFolder: scratch }, 409, /it holds the source folder of package "Own"/],
        [{ name: 'Library', sourceFolder: join(f.t.dataDir, 'content', 'mine') }, 400, /it overlaps the site's content library/],
        [{ name: 'Data', sourceFolder: dirname(f.t.dataDir) }, 400, /it would hold the site's data directory/],
        [{ name: 'Root', sourceFolder: '/' }, 400, /it would hold the site's data directory/],
        [{ name: 'Full', sourceFolder: full }, 400, /it is not empty; a package's source folder holds only that package's files/],
        [{ name: 'Relative', sourceFolder: 'packages/x' }, 400, /sourceFolder: a folder is an absolute path/],
        [{ name: 'Dots', sourceFolder: `${scratch}/a/../b` }, 400, /sourceFolder: a folder path has no "\.", "\.\." or empty segments/],
        [{ name: 'empty' }, 409, /a deployment package named "Empty" already exists/],
        [{ name: '' }, 400, /^invalid deployment package: name: /],
      ];
      for (const [body, status, message] of cases) {
        const r = await f.t.api('POST', '/packages', body);
        assert.equal(r.status, status, JSON.stringify([body, r.body]));
        assert.match(r.body.error, message);
      }
      assert.equal((await f.t.api('PATCH', `/packages/${randomUUID()}`, { name: 'x' })).status, 404);
    });
    assert.deepEqual(readdirSync(scratch).sort(), ['full', 'own source']);
  });

  test('files come from the upstream into the source folder, are verified into the library, and the content version becomes 2', async () => {
    const pkg = await createPackage('From upstream');
    const libraryBefore = f.library();
    const started = await download(pkg.packageId, { updateIds: [ids().foo] });
    assert.deepEqual([started.queued, started.alreadyStored, started.skippedExpired], [2, 0, 0]);
    assert.equal(started.package.job?.state, 'running');
    assert.equal(started.package.job?.files.total, 2);
    const done = await finished(pkg.packageId);
    assert.equal(done.job!.state, 'succeeded', JSON.stringify(done.job));
    assert.deepEqual(done.job!.files, { total: 2, stored: 2, failed: 0 });
    const bytes = f.updates.foo.files.reduce((s, d) => s + d.size, 0);
    assert.deepEqual(done.job!.bytes, { total: bytes, done: bytes });
    assert.equal(done.contentVersion, 2);
    assert.deepEqual([done.files, done.bytes, done.updates], [{ total: 2, stored: 2, pending: 0, failed: 0 }, { total: bytes, stored: bytes }, { total: 1, complete: 1 }]);
    assert.deepEqual(done.content.updates.map((u) => [u.updateId, u.files.stored, u.bytes]), [[ids().foo, 2, bytes]]);
    assert.deepEqual(f.library(), [...libraryBefore, ...sha(f.updates.foo.files)].sort());
    for (const deb of f.updates.foo.files) {
      assert.deepEqual(readFileSync(join(f.t.dataDir, 'content', 'sha256', deb.sha256.slice(0, 2), deb.sha256)), readFileSync(deb.path));
      assert.ok(existsSync(join(pkg.sourceFolder, deb.filename.split('/').at(-1)!)), 'the source folder holds the file');
    }
    const indexed = await f.t.site.store.db.selectFrom('content_files').select(['sha256', 'size']).where('sha256', 'in', sha(f.updates.foo.files)).execute();
    assert.deepEqual(indexed.map((r) => [r.sha256, Number(r.size)]).sort(), f.updates.foo.files.map((d) => [d.sha256, d.size]).sort());
    const flags = await contentFlagsOf(f.t.site.store.db, [ids().foo, ids().bar]);
    assert.deepEqual([flags.get(ids().foo), flags.get(ids().bar)], [{ expired: false, withoutContent: false }, { expired: false, withoutContent: true }]);
  });

  test('a transfer cut off mid-file resumes with a Range request for the rest', async () => {
    const pkg = await createPackage('Resumed');
    const [baz, libbaz] = f.updates.baz.files;
    const cut = Math.floor(baz!.size / 2);
    f.mirror.fault(urlPath(baz!), { truncateAt: cut, once: true });
    f.mirror.requests.length = 0;
    await download(pkg.packageId, { updateIds: [ids().baz] });
    const done = await finished(pkg.packageId);
    assert.equal(done.job!.state, 'succeeded', JSON.stringify(done.job));
    const asked = f.mirror.requests.filter((r) => r.path === urlPath(baz!));
    assert.deepEqual(asked.map((r) => [r.status, r.fault ?? null, r.headers.range ?? null]), [[200, 'truncate', null], [206, null, `bytes=${cut}-`]]);
    assert.equal(f.mirror.requests.filter((r) => r.path === urlPath(libbaz!)).length, 1);
    assert.equal(done.contentVersion, 2);
    assert.ok(f.library().includes(baz!.sha256));
    assert.deepEqual(readdirSync(pkg.sourceFolder).sort(), [baz!, libbaz!].map((d) => d.filename.split('/').at(-1)!).sort(), 'no .part file is left');
  });

  test('a file the upstream tampered with is refused at the library, recorded on the file and reported; a later download gets it', async () => {
    const pkg = await createPackage('Tampered upstream');
    const [bar] = f.updates.bar.files;
    const bad = readFileSync(bar!.path);
    bad[bad.length - 100] ^= 0xff;
    const clear = f.mirror.fault(urlPath(bar!), { body: bad });
    const libraryBefore = f.library();
    const indexBefore = await dumpStore(f.t.site.store, { except: ['package_files', 'audit_log', 'deployment_packages'] });
    await download(pkg.packageId, { updateIds: [ids().bar] });
    const done = await finished(pkg.packageId);
    assert.equal(done.job!.state, 'failed');
    assert.equal(done.job!.failures.length, 1);
    const failure = done.job!.failures[0]!;
    assert.deepEqual([failure.updateId, failure.fileName, failure.sha256], [ids().bar, 'bar_2.0-1_amd64.deb', bar!.sha256]);
    assert.match(failure.error, new RegExp(`^refused by the content library: the file's sha256 is [0-9a-f]{64}; its metadata says ${bar!.sha256}$`));
    assert.deepEqual(done.content.updates[0]!.failures, [failure]);
    const row = await f.t.site.store.db.selectFrom('package_files').selectAll().where('package_id', '=', pkg.packageId).executeTakeFirstOrThrow();
    assert.deepEqual([row.state, row.error], ['failed', failure.error]);
    assert.equal(done.contentVersion, 1, 'nothing was stored, so the content did not change');
    assert.deepEqual(f.library(), libraryBefore, 'no bad bytes entered the library');
    assert.equal(await dumpStore(f.t.site.store, { except: ['package_files', 'audit_log', 'deployment_packages'] }), indexBefore);
    assert.deepEqual(readdirSync(pkg.sourceFolder), [], 'the bad download is not kept');

    clear();
    await download(pkg.packageId, { updateIds: [ids().bar] });
    const retried = await finished(pkg.packageId);
    assert.equal(retried.job!.state, 'succeeded', JSON.stringify(retried.job));
    assert.deepEqual([retried.contentVersion, retried.files.failed, retried.files.stored], [2, 0, 1]);
    assert.ok(f.library().includes(bar!.sha256));
  });

  test('a file from an administrator folder is matched by name and verified: a tampered one is refused, the good one stored', async () => {
    const pkg = await createPackage('From a folder');
    const folder = join(scratch, 'handed over');
    mkdirSync(folder);
    const [libfoo, fooTools] = f.updates.foo.files;
    // foo's files are in the library already: the folder test needs files it does not hold yet.
    await f.t.api('DELETE', `/packages/${(await f.t.api('GET', '/packages')).body.packages.find((p: DeploymentPackage) => p.name === 'From upstream').packageId}`);
    assert.equal(f.library().includes(libfoo!.sha256), false);
    const tampered = readFileSync(libfoo!.path);
    tampered[200] ^= 0x01;
    writeFileSync(join(folder, libfoo!.filename.split('/').at(-1)!), tampered);
    copyFileSync(fooTools!.path, join(folder, fooTools!.filename.split('/').at(-1)!));
    f.mirror.requests.length = 0;
    await download(pkg.packageId, { updateIds: [ids().foo], from: { folder } });
    const done = await finished(pkg.packageId);
    assert.equal(done.job!.from, folder);
    assert.deepEqual(done.job!.files, { total: 2, stored: 1, failed: 1 });
    assert.match(done.job!.failures[0]!.error, /^refused by the content library: the file's sha256 is/);
    assert.equal(done.job!.failures[0]!.fileName, libfoo!.filename.split('/').at(-1));
    assert.deepEqual([f.library().includes(libfoo!.sha256), f.library().includes(fooTools!.sha256)], [false, true]);
    assert.equal(done.contentVersion, 2);
    assert.equal(f.mirror.requests.length, 0, 'nothing was fetched from the upstream');
    assert.deepEqual(readFileSync(join(folder, libfoo!.filename.split('/').at(-1)!)), tampered, "the administrator's folder is left as it was");

    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const missing = await createPackage('Missing files');
    await download(missing.packageId, { updateIds: [ids().foo], from: { folder: empty } });
    const none = await finished(missing.packageId);
    assert.deepEqual(none.job!.failures.map((x) => x.error), [`no file named ${libfoo!.filename.split('/').at(-1)} in ${empty}`]);
    assert.deepEqual(none.job!.files, { total: 2, stored: 1, failed: 1 }, 'foo-tools is in the library already: it needs no file');
    assert.equal((await f.t.api('DELETE', `/packages/${missing.packageId}`)).body.releasedFiles, 0, 'package "From a folder" still holds foo-tools');

    copyFileSync(libfoo!.path, join(folder, libfoo!.filename.split('/').at(-1)!));
    const again = await download(pkg.packageId, { updateIds: [ids().foo], from: { folder } });
    assert.deepEqual([again.queued, again.alreadyStored], [1, 1]);
    const fixed = await finished(pkg.packageId);
    assert.deepEqual([fixed.job!.state, fixed.contentVersion, fixed.updates], ['succeeded', 3, { total: 1, complete: 1 }]);
  });

  test('content versions: +1 for each download that stored files and each removal, not for one that changed nothing', async () => {
    const pkg = await createPackage('Versions');
    await download(pkg.packageId, { updateIds: [ids().baz] });
    assert.equal((await finished(pkg.packageId)).contentVersion, 2);
    const bar = await download(pkg.packageId, { updateIds: [ids().bar] });
    assert.equal(bar.queued, 1, "bar's file is in the library already: it is referenced, not fetched");
    assert.equal((await finished(pkg.packageId)).contentVersion, 3);
    const again = await download(pkg.packageId, { updateIds: [ids().bar, ids().baz] });
    assert.deepEqual([again.queued, again.alreadyStored], [0, 3]);
    assert.equal((await finished(pkg.packageId)).contentVersion, 3);
    const removed = await f.t.api('DELETE', `/packages/${pkg.packageId}/content`, { updateIds: [ids().baz] });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.deepEqual([removed.body.removedFiles, removed.body.releasedFiles, removed.body.package.contentVersion], [2, 0, 4], "baz's files stay: package Resumed holds them");
    assert.deepEqual((await f.t.api('GET', `/packages/${pkg.packageId}`)).body.content.updates.map((u: { updateId: string }) => u.updateId), [ids().bar]);
  });

  test('a file two packages share is stored once and stays when one package is deleted; updates left in no package are flagged', async () => {
    const groupId = await groupOf('Everything current', [ids().foo, ids().bar, ids().baz]);
    const counts = async () => ((await f.t.api('GET', `/update-groups/${groupId}`)).body as UpdateGroupDetail).counts;
    assert.equal((await counts()).withoutContent, 0);
    const packages = (await f.t.api('GET', '/packages')).body.packages as DeploymentPackage[];
    const holders = packages.filter((p) => p.bytes.stored > 0).map((p) => p.name).sort();
    assert.deepEqual(holders, ['From a folder', 'Resumed', 'Tampered upstream', 'Versions']);
    const [bar] = f.updates.bar.files;
    assert.equal(f.library().filter((s) => s === bar!.sha256).length, 1, 'bar is in two packages and stored once');

    const byName = (name: string) => packages.find((p) => p.name === name)!;
    const tampered = byName('Tampered upstream');
    const gone = await f.t.api('DELETE', `/packages/${tampered.packageId}`);
    assert.deepEqual([gone.status, gone.body.releasedFiles, gone.body.keptFiles], [200, 0, 1]);
    assert.ok(f.library().includes(bar!.sha256), 'package Versions still carries bar');
    assert.equal(existsSync(tampered.sourceFolder), false, 'the source folder went with the package');
    assert.equal((await f.t.api('GET', `/packages/${tampered.packageId}`)).status, 404);

    const folderPackage = byName('From a folder');
    const folderGone = await f.t.api('DELETE', `/packages/${folderPackage.packageId}`);
    assert.deepEqual([folderGone.body.releasedFiles, folderGone.body.keptFiles], [2, 0]);
    for (const deb of f.updates.foo.files) assert.equal(f.library().includes(deb.sha256), false, 'no package references foo any more');
    const flagged = await counts();
    assert.deepEqual([flagged.updates, flagged.withoutContent], [3, 1]);
    const red = (await f.t.api('GET', `/update-groups/${groupId}?flag=withoutContent`)).body as UpdateGroupDetail;
    assert.deepEqual(red.members.updates.map((u) => u.updateId), [ids().foo]);
    const gotContent = await f.t.site.store.db.selectFrom('content_files').select('sha256').execute();
    assert.deepEqual(gotContent.map((r) => r.sha256).sort(), f.library(), 'the library index and the library agree');
  });

  test("a group's files download into a package; expired updates, unknown ids and path tricks are refused, and nothing changes", async () => {
    const pkg = await createPackage('Group content');
    const groupId = await groupOf('Foo only', [ids().foo]);
    // A link planted in the source folder where a partial download would be is never written through.
    const victim = join(scratch, 'victim');
    writeFileSync(victim, 'not to be touched');
    symlinkSync(victim, join(pkg.sourceFolder, `${f.updates.foo.files[0]!.filename.split('/').at(-1)}.part`));
    const started = await download(pkg.packageId, { groupId });
    assert.equal(started.queued, 2);
    const done = await finished(pkg.packageId);
    assert.deepEqual([done.job!.state, done.contentVersion], ['succeeded', 2]);
    assert.deepEqual(readdirSync(pkg.sourceFolder).sort(), f.updates.foo.files.map((d) => d.filename.split('/').at(-1)!).sort());
    assert.equal(readFileSync(victim, 'utf8'), 'not to be touched');

    const { db } = f.t.site.store;
    const template = await db.selectFrom('updates').selectAll().where('update_id', '=', ids().bar).executeTakeFirstOrThrow();
    const crafted = async (filename: string) => {
      const updateId = randomUUID();
      const binaries = JSON.parse(template.binaries).map((b: { filename: string }) => ({ ...b, filename }));
      await db.insertInto('updates').values({ ...template, update_id: updateId, title: `crafted ${filename}`, binaries: JSON.stringify(binaries) }).execute();
      return updateId;
    };
    const traversal = await crafted('../../etc/passwd');
    const absolute = await crafted('/etc/passwd');
    await unchanged(async () => {
      const expect = async (path: string, body: unknown, status: number, message: RegExp) => {
        const r = await f.t.api('POST', path, body);
        assert.equal(r.status, status, JSON.stringify([body, r.body]));
        assert.match(r.body.error, message);
      };
      const content = `/packages/${pkg.packageId}/content`;
      const expired = await f.t.api('POST', content, { updateIds: [ids().oldFoo] });
      assert.deepEqual([expired.status, expired.body.error], [409, `expired updates cannot be deployed, so their files are not downloaded: ${f.updates.oldFoo.title} (${ids().oldFoo})`]);
      await expect(content, { updateIds: [traversal] }, 400, /names its file "\.\.\/\.\.\/etc\/passwd": path has a "\.\." segment; it is not downloaded/);
      await expect(content, { updateIds: [absolute] }, 400, /names its file "\/etc\/passwd": path is absolute/);
      const nobody = randomUUID();
      await expect(content, { updateIds: [ids().bar, nobody] }, 404, new RegExp(`^update ${nobody} does not exist$`));
      await expect(content, { groupId: nobody }, 404, /^update group .* does not exist$/);
      await expect(`/packages/${nobody}/content`, { updateIds: [ids().bar] }, 404, /^deployment package .* does not exist$/);
      await expect(content, { updateIds: [ids().bar], from: { folder: 'relative/dir' } }, 400, /from\.folder: a folder is an absolute path/);
      await expect(content, { updateIds: [ids().bar], from: { folder: join(scratch, 'no such folder') } }, 400, /is not a directory on the site/);
      await expect(content, { updateIds: [ids().bar], groupId }, 400, /give either updateIds or a groupId/);
      await expect(content, {}, 400, /give either updateIds or a groupId/);
      const notCarried = await f.t.api('DELETE', content, { updateIds: [ids().bar] });
      assert.equal(notCarried.status, 404);
      assert.match(notCarried.body.error, /^update .* in package "Group content" does not exist$/);
      assert.equal((await f.t.api('DELETE', content, { updateIds: [nobody] })).status, 404);
      assert.equal((await f.t.api('DELETE', `/packages/${nobody}`)).status, 404);
      assert.equal((await f.t.api('GET', `/packages/${nobody}`)).status, 404);
      assert.equal((await f.t.api('GET', '/packages/not-a-uuid')).status, 400);
    });
    await db.deleteFrom('updates').where('update_id', 'in', [traversal, absolute]).execute();

    const removed = await f.t.api('DELETE', `/packages/${pkg.packageId}/content`, { updateIds: [ids().foo] });
    assert.deepEqual([removed.body.removedFiles, removed.body.releasedFiles, removed.body.package.contentVersion], [2, 2, 3]);
    assert.deepEqual(readdirSync(pkg.sourceFolder), [], 'the removed files left the source folder');
    for (const deb of f.updates.foo.files) assert.equal(f.library().includes(deb.sha256), false, 'and the library, since no other package holds them');
  });

  test('while a download runs the package cannot be changed under it; a site that stops ends the job and records what it did', async () => {
    const pkg = await createPackage('Busy');
    const [bar] = f.updates.bar.files;
    await f.t.api('DELETE', `/packages/${(await f.t.api('GET', '/packages')).body.packages.find((p: DeploymentPackage) => p.name === 'Versions').packageId}`);
    assert.equal(f.library().includes(bar!.sha256), false);
    f.mirror.fault(urlPath(bar!), { hang: true });
    await download(pkg.packageId, { updateIds: [ids().bar] });
    await f.mirror.waitForRequest((r) => r.path === urlPath(bar!));
    await unchanged(async () => {
      for (const [method, path, body] of [['POST', `/packages/${pkg.packageId}/content`, { updateIds: [ids().baz] }], ['DELETE', `/packages/${pkg.packageId}`, undefined], ['DELETE', `/packages/${pkg.packageId}/content`, { updateIds: [ids().bar] }]] as const) {
        const r = await f.t.api(method, path, body);
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.match(r.body.error, /^a download into package "Busy" is running; wait until it has finished/);
      }
    });
    assert.equal((await f.t.api('GET', `/packages/${pkg.packageId}`)).body.job.state, 'running');
    await f.t.site.app.close();
    const row = await f.t.site.store.db.selectFrom('package_files').select(['state']).where('package_id', '=', pkg.packageId).executeTakeFirstOrThrow();
    assert.equal(row.state, 'pending', 'an interrupted file stays pending for the next download');
    const audit = await f.t.site.store.db.selectFrom('audit_log').select(['action', 'details']).where('target', '=', pkg.packageId).orderBy('audit_id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['package.create', 'package.content-download', 'package.content-downloaded']);
    assert.equal(JSON.parse(audit[2]!.details).stopped, true);
  });
});
