import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, compareDebianVersions, inventoryOsOf, parseDpkgStatus, parseOsRelease, type ClientCompliance } from '@patchday/core';
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

    const compliance = (await t.api('GET', `/clients/${clientId}/compliance`)).body as ClientCompliance;
    assert.equal(compliance.product, 'Debian 12');
    assert.ok(compliance.updates.every((u) => u.source === 'estimated'), 'no scan yet: every state is estimated');
    // Superseded updates are Required too (each update is its own rules' answer); installing every
    // Required update brings each package to the highest version among them — apt's candidate.
    const best = new Map<string, string>();
    for (const u of compliance.updates) {
      for (const p of u.upgrades) if (!best.has(p.package) || compareDebianVersions(p.target, best.get(p.package)!) > 0) best.set(p.package, p.target);
    }
    const ours = [...best].map(([name, target]) => `${name} ${target}`).sort();
    assert.equal(aptUpgrades.length, 136);
    assert.deepEqual(ours, aptUpgrades);
    assert.ok(compliance.updates.some((u) => u.superseded), 'superseded updates are listed, flagged');
    assert.equal(compliance.counts.Required, compliance.updates.length);
    assert.ok(compliance.counts.Installed > 100 && compliance.counts['Not Required'] > 30_000, JSON.stringify(compliance.counts));
    const openssl = compliance.updates.find((u) => u.title.startsWith('openssl 3.0.22-1~deb12u2'));
    assert.ok(openssl, 'the openssl security update is Required');
    assert.deepEqual(openssl.upgrades.find((p) => p.package === 'libssl3'), { package: 'libssl3', architecture: 'amd64', installed: inventory.dpkg['libssl3:amd64'].version, target: '3.0.22-1~deb12u2' });
  });

  test("one update across the fleet: Required, Installed and Unknown clients, estimated from stored inventories", async () => {
    const enrol = async (name: string) => {
      const token = (await t.api('POST', '/enrolment-tokens', { uses: 1 })).body.token;
      const r = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrolmentToken: token, name }) });
      return (await r.json()) as { clientId: string; credential: string };
    };
    const openssl = (await t.api('GET', '/updates?source=openssl&suite=bookworm-security')).body.updates[0];
    const detail = (await t.api('GET', `/updates/${openssl.updateId}`)).body;
    // node-3 runs the node image with every installed binary of this openssl upload already at its version.
    const dpkg = parseDpkgStatus(readFileSync(statusFile, 'utf8'));
    for (const b of detail.binaries as Array<{ package: string; version: string; architecture: string }>) {
      for (const key of [b.package, `${b.package}:${b.architecture}`]) if (dpkg[key]) dpkg[key] = { ...dpkg[key], version: b.version };
    }
    const node3 = await enrol('node-3');
    const inventory = { os: inventoryOsOf(parseOsRelease('ID=debian\nVERSION_ID="12"\n'), 'amd64'), dpkg, facts: {} };
    const put = await fetch(`${t.url}/mp/v1/clients/${node3.clientId}/inventory`, { method: 'PUT', headers: { authorization: `Bearer ${node3.credential}`, 'content-type': 'application/json' }, body: JSON.stringify({ inventory }) });
    assert.equal(put.status, 204);
    await enrol('node-2');

    const fleet = (await t.api('GET', `/updates/${openssl.updateId}/compliance`)).body;
    assert.deepEqual(fleet.clients.map((c: { name: string; state: string; source: string }) => [c.name, c.state, c.source]), [['node-1', 'Required', 'estimated'], ['node-2', 'Unknown', 'none'], ['node-3', 'Installed', 'estimated']]);
    assert.deepEqual(fleet.counts, { Unknown: 1, 'Not Required': 0, Required: 1, Installed: 1 });
    assert.equal(fleet.percentCompliant, 33.3);
    assert.equal((await t.api('GET', '/updates/00000000-0000-5000-8000-000000000000/compliance')).status, 404);
  });
});
