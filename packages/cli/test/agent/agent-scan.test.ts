/**
 * The agent end to end against a real site that synced the real Debian 12 snapshot: it enrols,
 * gets policy, scans a sandbox root holding the real node-image dpkg status at the random time
 * policy allows, and reports. What it finds Required is exactly what apt would upgrade.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { binariesLeftBehind, pendingDebianUpgrades, VirtualClock } from '@patchday/core';
import { readInventory } from '../../../agent/src/machine/read-inventory.ts';
import { AgentFiles } from '../../../agent/src/data-dir/agent-files.ts';
import type { Agent } from '../../../agent/src/agent.ts';
import { agentOn, fixedRandom, sandboxMachine, type SandboxMachine } from './agent-harness.ts';
import { createAptSandbox } from '../../../server/test/support/apt-sandbox.ts';
import { startArchiveServer, type ArchiveServer } from '../../../server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../../server/test/site-harness.ts';
import { describeEachStore } from '../../../server/test/stores.ts';

const HOUR = 3_600_000;

describeEachStore('an agent scanning the real node image against the real Debian 12 catalogue', (kind) => {
  let mirror: ArchiveServer;
  let t: TestSite;
  let machine: SandboxMachine;
  let agent: Agent;
  const siteClock = new VirtualClock('2026-11-25T10:00:00Z');
  const agentClock = new VirtualClock('2026-11-25T10:00:00Z');

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock: siteClock });
    for (const upstream of [
      { name: 'debian', url: `${mirror.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring },
      { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring },
    ]) {
      const added = await t.api('POST', '/upstreams', upstream);
      assert.equal(added.status, 201, JSON.stringify(added.body));
    }
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    machine = sandboxMachine('node-image-1');
  });
  after(async () => {
    agent?.stop();
    await t.stop();
    await mirror.close();
    machine.dispose();
  });

  test('enrols with a token, gets policy, and schedules its first scan at a random time within 2 hours', async () => {
    const token = (await t.api('POST', '/enrolment-tokens', { name: 'fleet' })).body.token;
    agent = agentOn(machine, { server: t.url, enrolmentToken: token, clock: agentClock, random: fixedRandom(0.2) });
    await agent.start();
    const status = agent.status();
    assert.equal(status.registration, 'active');
    assert.equal(status.name, 'node-image-1', 'the name comes from the root\'s /etc/hostname');
    assert.equal(status.policy?.softwareUpdatesEnabled, true);
    // 0.2 of the 120-minute window.
    assert.equal(status.nextScanAt, '2026-11-25T10:24:00.000Z');
    assert.equal(status.lastScan, null);
    const clients = (await t.api('GET', '/clients')).body.clients;
    assert.deepEqual(clients.map((c: { name: string; status: string }) => [c.name, c.status]), [['node-image-1', 'active']]);
  });

  test('nothing scans before that time; at it, the scan evaluates every Debian 12 update and queues its state messages', async () => {
    agentClock.advance(23 * 60_000);
    await agent.idle();
    assert.equal(agent.status().lastScan, null);
    agentClock.advance(60_000);
    await agent.idle();
    const { lastScan, catalogue, queuedMessages } = agent.status();
    assert.equal(lastScan?.result, 'complete', lastScan?.error ?? '');
    assert.equal(lastScan?.trigger, 'schedule');
    const total = (await t.api('GET', '/updates?pageSize=1&product=Debian%2012')).body.total;
    assert.equal(catalogue?.updates, total, 'the agent holds every Debian 12 update of the site');
    assert.equal(Object.values(lastScan!.counts).reduce((a, b) => a + b, 0), total);
    assert.equal(lastScan!.counts.Unknown, 0);
    assert.ok(lastScan!.counts.Required > 0 && lastScan!.counts.Installed > 0);
    // running + one per update that is not Not Required + complete
    assert.equal(queuedMessages, lastScan!.counts.Required + lastScan!.counts.Installed + 2);
    // the schedule: 7 days after the planned first scan, plus 0.2 of 120 minutes
    assert.equal(agent.status().nextScanAt, '2026-12-02T10:48:00.000Z');
  });

  test('the Required updates it found upgrade exactly the packages apt dist-upgrade upgrades, to the same versions', async () => {
    const files = new AgentFiles(machine.dataDir);
    const cache = files.readCatalogue()!;
    const reported = files.readScanRecord().reported;
    const inventory = readInventory({ root: machine.root });
    const verdicts = new Map(cache.updates.map((u) => [u.updateId, { superseded: u.superseded }]));
    const leftBehind = binariesLeftBehind(cache.updates.filter((u) => u.present).map((u) => ({ ...u, product: cache.product })), verdicts);
    const required = cache.updates.filter((u) => reported[u.updateId]?.stateId === 2 && (!u.superseded || leftBehind.has(u.updateId)));
    const ours = new Map(pendingDebianUpgrades(required.map((u) => (u.superseded ? { ...u, binaries: leftBehind.get(u.updateId)! } : u)), inventory).map((u) => [u.package, u.to]));

    const apt = await createAptSandbox({
      sources: [
        { url: `${mirror.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring },
        { url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring },
      ],
      arch: 'amd64',
      statusFile: machine.statusFile,
    });
    try {
      const update = await apt.update();
      assert.deepEqual(update.errors, [], update.stderr);
      const sim = await apt.simulateDistUpgrade();
      const apts = new Map(sim.upgrades.map((u) => [u.package, u.to]));
      const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
      assert.deepEqual(sorted(ours), sorted(apts));
      assert.equal(ours.size, 136);
    } finally {
      await apt.dispose();
    }
  });

  test('the batch goes out at the next 15-minute tick; the site stores the scan and every reported state', async () => {
    const queued = agent.status().queuedMessages;
    // Batches leave at 10:15, 10:30, …: the scan's messages (10:24) wait for 10:30.
    agentClock.advance(5 * 60_000);
    await agent.idle();
    assert.equal(agent.status().queuedMessages, queued, 'not before the batch tick');
    agentClock.advance(60_000);
    await agent.idle();
    const status = agent.status();
    assert.equal(status.queuedMessages, 0, status.lastSend?.error ?? '');
    const client = (await t.api('GET', `/clients/${status.clientId}`)).body;
    assert.equal(client.lastScan.stateId, 3, 'complete');
    assert.equal(client.lastScan.anchor, status.catalogue!.anchor);
    assert.equal(client.lastScan.product, 'Debian 12');
    assert.equal(client.lastStateMessageAt, siteClock.now().toISOString());
    // The site's per-client report now comes from the client's own scan, and agrees with it.
    const report = (await t.api('GET', `/clients/${status.clientId}/compliance`)).body;
    assert.equal(report.counts.Required, status.lastScan!.counts.Required, JSON.stringify(report.counts));
    assert.ok(report.updates.every((u: { source: string }) => u.source === 'reported'), 'every row is the client\'s own answer');
  });

  test('a non-forced scan inside the metadata TTL does not contact the update point; past it, it fetches only the delta', async () => {
    const before = agent.status().catalogue!;
    agentClock.advance(HOUR);
    const summary = await agent.scanFor('deploymentReevaluation');
    assert.equal(summary.result, 'complete');
    assert.equal(agent.status().catalogue!.fetchedAt, before.fetchedAt, 'inside 24 h the cached metadata is used');
    assert.equal(summary.messages, 2, 'nothing changed: only running and complete');

    agentClock.advance(24 * HOUR);
    await agent.scanFor('deploymentReevaluation');
    assert.equal(agent.status().catalogue!.fetchedAt, agentClock.now().toISOString(), 'past the TTL it contacts the update point');
    assert.equal(agent.status().catalogue!.updates, before.updates);

    // A forced online scan always contacts it, and resets the TTL.
    agentClock.advance(HOUR);
    await agent.scanNow();
    assert.equal(agent.status().catalogue!.fetchedAt, agentClock.now().toISOString());
  });

  test('an offline scan never contacts the update point: it works with the site unreachable', async () => {
    const fetched = agent.status().catalogue!.fetchedAt;
    await t.site.close();
    agentClock.advance(48 * HOUR);
    const summary = await agent.scanFor('afterInstall');
    assert.equal(summary.result, 'complete', summary.reason ?? '');
    assert.equal(agent.status().catalogue!.fetchedAt, fetched);
  });
});
