import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, inventoryOsOf, parseDpkgStatus, parseOsRelease } from '@patchday/core';
import { createAptSandbox } from '../../test/support/apt-sandbox.ts';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { debianKeyring, sharedData, snapshotRoot, startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore } from '../../test/stores.ts';

const statusFile = join(sharedData, 'dpkg-status/bookworm-node-image.status');

/**
 * End to end through a real site: sync the bookworm suites, enrol a client, report the node image's
 * inventory — and the site's estimate of what the client needs must be apt's answer, package for package.
 */
describeEachStore("a client's estimated compliance equals apt's upgrades", (kind) => {
  let mirror: ArchiveServer;
  let t: TestSite;
  let aptUpgrades: string[];

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    const apt = await createAptSandbox({
      sources: [
        { url: `${mirror.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring },
        { url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring },
      ],
      statusFile,
    });
    try {
      await apt.update();
      aptUpgrades = (await apt.simulateDistUpgrade()).upgrades.map((u) => `${u.package} ${u.to}`).sort();
    } finally {
      await apt.dispose();
    }
    t = await startTestSite(kind, { clock: new VirtualClock('2026-11-25T10:00:00Z') });
    await t.api('POST', '/upstreams', { name: 'debian', url: `${mirror.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring });
    await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
  });
  after(async () => {
    await t.stop();
    await mirror.close();
  });

  test('the node image needs exactly what apt would upgrade (136 packages)', async () => {
    const token = (await t.api('POST', '/enrolment-tokens', { uses: 1 })).body.token;
    const registered = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrolmentToken: token, name: 'node-1' }) });
    const { clientId, credential } = (await registered.json()) as { clientId: string; credential: string };

    const before = (await t.api('GET', `/clients/${clientId}/compliance`)).body;
    assert.deepEqual([before.product, before.updates.length, before.inventoryAt], [null, 0, null], 'no inventory yet: nothing to estimate');

    const inventory = {
      os: inventoryOsOf(parseOsRelease('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'), 'amd64'),
      dpkg: parseDpkgStatus(readFileSync(statusFile, 'utf8')),
      facts: {},
    };
    const put = await fetch(`${t.url}/mp/v1/clients/${clientId}/inventory`, { method: 'PUT', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: JSON.stringify({ inventory }) });
    assert.equal(put.status, 204);

    const compliance = (await t.api('GET', `/clients/${clientId}/compliance`)).body;
    assert.equal(compliance.product, 'Debian 12');
    assert.equal(compliance.estimated, true);
    const ours = compliance.updates.flatMap((u: { upgrades: Array<{ package: string; target: string }> }) => u.upgrades.map((p) => `${p.package} ${p.target}`));
    assert.equal(aptUpgrades.length, 136);
    assert.deepEqual([...new Set(ours)].sort(), aptUpgrades);
    assert.equal(compliance.counts.Required, compliance.updates.length);
    assert.ok(compliance.counts.Installed > 100 && compliance.counts['Not Required'] > 30_000, JSON.stringify(compliance.counts));
    const openssl = compliance.updates.find((u: { title: string }) => u.title.startsWith('openssl 3.0.22-1~deb12u2'));
    assert.ok(openssl, 'the openssl security update is Required');
    assert.deepEqual(openssl.upgrades.find((p: { package: string }) => p.package === 'libssl3'), { package: 'libssl3', architecture: 'amd64', installed: inventory.dpkg['libssl3:amd64'].version, target: '3.0.22-1~deb12u2' });
  });
});
