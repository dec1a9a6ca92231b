import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SITE_DISTRIBUTION_POINT_ID, VirtualClock, type DistributionPoint, type PackageDistribution } from '@patchday/core';
import { kill9, startDpProcess, until, type DpProcess } from '../test/dp/dp-process.ts';
import { runCli } from '../test/run-cli.ts';
import { startTestSite, type TestSite } from '../../server/test/site-harness.ts';
import { describeEachStore } from '../../server/test/stores.ts';
import { addStoredPackage, randomFile, type FixturePackage } from '../../server/test/support/distribution-fixture.ts';

describeEachStore('patchday dp', (kind) => {
  let t: TestSite;
  let home: string;
  let dpData: string;
  let dp: DpProcess | null = null;
  let pkg: FixturePackage;
  let credential: string;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');

  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: t.url, PATCHDAY_TOKEN: t.token });

  before(async () => {
    t = await startTestSite(kind, { clock });
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-dp-'));
    dpData = mkdtempSync(join(tmpdir(), 'patchday-cli-dp-data-'));
    pkg = await addStoredPackage(t.site.store, t.dataDir, 'December security', [randomFile(3_000_000), randomFile(4_000)]);
  });
  after(async () => {
    if (dp) await kill9(dp.child);
    await t.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(dpData, { recursive: true, force: true });
  });

  test('add prints the one-time credential and the command that starts the distribution point', async () => {
    const added = await patchday(['dp', 'add', '--name', 'Branch', '--url', 'http://127.0.0.1:8540']);
    assert.equal(added.code, 0, added.stderr);
    const match = /credential \(shown once; the site keeps only a hash\): (pdd_\S+)/.exec(added.stdout);
    assert.ok(match, added.stdout);
    credential = match[1];
    assert.match(added.stdout, new RegExp(`patchday dp --site ${t.url} --credential ${credential} --data \\S+ --host 0\\.0\\.0\\.0 --port 8540`));
    const list = await patchday(['dp', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trim().split('\n').slice(2);
    assert.match(rows[0], /^1\s+site\s+site\s+http:\/\/127\.0\.0\.1:\d+\/dp\/v1\s+yes\s+0\s+0\s+0\s+0\s+-/);
    assert.match(rows[1], /^2\s+Branch\s+remote\s+http:\/\/127\.0\.0\.1:8540\/dp\/v1\s+yes\s+0\s+0\s+0\s+0\s+never/);
    const json = JSON.parse((await patchday(['dp', 'list', '--json'])).stdout) as DistributionPoint[];
    assert.deepEqual(json.map((d) => d.name), ['site', 'Branch']);
  });

  test('distribute --wait follows the package until every distribution point holds it', async () => {
    dp = await startDpProcess(['--site', t.url, '--credential', credential, '--data', dpData, '--port', '0', '--poll-seconds', '1', '--workers', '1']);
    const result = await patchday(['dp', 'distribute', pkg.packageId, 'branch', SITE_DISTRIBUTION_POINT_ID, '--wait', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const distribution = JSON.parse(result.stdout) as PackageDistribution;
    assert.deepEqual(distribution.distributionPoints.map((d) => [d.dpName, d.state, d.contentVersion, d.bytesDone]), [['site', 'installed', 2, 3_004_000], ['Branch', 'installed', 2, 3_004_000]]);

    const status = await patchday(['dp', 'status', 'branch']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Branch\s+December security\s+installed\s+2\s+2\.9 MB \/ 2\.9 MB/);
    const byPackage = await patchday(['dp', 'status', '--package', pkg.packageId]);
    assert.match(byPackage.stdout, /Content version:\s+2/);
    assert.match(byPackage.stdout, /December security\s+site\s+installed/);
  });

  test('order, disable, enable, remove — and refusals with their exit codes', async () => {
    const order = await patchday(['dp', 'order', 'Branch']);
    assert.equal(order.code, 0, order.stderr);
    assert.match(order.stdout.split('\n')[2], /^1\s+Branch/);
    assert.equal((await patchday(['dp', 'disable', 'branch'])).stdout, 'Disabled distribution point Branch\n');
    assert.equal((JSON.parse((await patchday(['dp', 'list', '--json'])).stdout) as DistributionPoint[])[0].enabled, false);
    assert.equal((await patchday(['dp', 'enable', 'branch'])).code, 0);

    const site = await patchday(['dp', 'remove', 'site']);
    assert.equal(site.code, 2);
    assert.match(site.stderr, /site's own library and cannot be removed/);
    const unknown = await patchday(['dp', 'status', 'nowhere']);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /no distribution point nowhere/);
    const badUrl = await patchday(['dp', 'add', '--name', 'x', '--url', 'ftp://x']);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /url: a distribution point URL is http/);

    const renewed = await patchday(['dp', 'credential', 'Branch', '--json']);
    assert.match(JSON.parse(renewed.stdout).credential, /^pdd_/);
    const refused = await until('the distribution point to be refused', async () => {
      const health = (await (await fetch(`${dp!.url}/dp/v1/health`)).json()) as { lastPass: { error: string | null } | null };
      return health.lastPass?.error?.includes('401') && health.lastPass.error;
    });
    assert.match(refused, /distribution point authentication required/, 'the old credential stops working');

    const removed = await patchday(['dp', 'remove', 'Branch']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual((JSON.parse((await patchday(['dp', 'list', '--json'])).stdout) as DistributionPoint[]).map((d) => d.name), ['site']);
  });
});
