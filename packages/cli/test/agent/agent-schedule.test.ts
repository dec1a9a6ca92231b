/**
 * §5/§12 timing on virtual time: the policy poll, scan failures retried every 30 minutes at
 * least 4 times and then on the next update point, and the schedule taking over after that.
 * The site is real (bookworm-security from the snapshot); the network between is a proxy
 * that can refuse connections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { AgentFiles } from '../../../agent/src/data-dir/agent-files.ts';
import type { Agent } from '../../../agent/src/agent.ts';
import { agentOn, fixedRandom, sandboxMachine, type SandboxMachine } from './agent-harness.ts';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-proxy.ts';
import { startArchiveServer, type ArchiveServer } from '../../../server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../../server/test/site-harness.ts';

const MINUTE = 60_000;

describe('agent schedules, retries and failover on virtual time', () => {
  let mirror: ArchiveServer;
  let t: TestSite;
  let proxy: FlakyProxy;
  const machines: SandboxMachine[] = [];
  const agents: Agent[] = [];
  const clock = new VirtualClock('2026-11-25T10:00:00Z');

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite('sqlite', { clock });
    const added = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    proxy = await startFlakyProxy(t.url);
  });
  after(async () => {
    for (const a of agents) a.stop();
    await proxy.close();
    await t.stop();
    await mirror.close();
    for (const m of machines) m.dispose();
  });

  async function enrolledAgent(name: string, server: string): Promise<{ agent: Agent; machine: SandboxMachine }> {
    const machine = sandboxMachine(name);
    machines.push(machine);
    const token = (await t.api('POST', '/enrolment-tokens', { name })).body.token;
    const agent = agentOn(machine, { server, enrolmentToken: token, clock, random: fixedRandom(0.5) });
    agents.push(agent);
    await agent.start();
    return { agent, machine };
  }

  /** Moves virtual time forward in steps, letting the agent finish what each timer started. */
  async function runFor(agent: Agent, ms: number): Promise<void> {
    const end = clock.now().getTime() + ms;
    for (;;) {
      const next = clock.pending().find((d) => d.getTime() <= end);
      if (!next) break;
      // A timer armed for a moment already past fires now.
      clock.advanceTo(next.getTime() < clock.now().getTime() ? clock.now() : next);
      await agent.idle();
    }
    clock.advanceTo(new Date(end));
    await agent.idle();
  }

  test('policy is polled every 60 minutes; an unchanged policy is a 304 and changes nothing', async () => {
    const { agent } = await enrolledAgent('poller', t.url);
    const first = agent.status().lastPolicyPoll!;
    assert.equal(first.error, null);
    const received = agent.status().policy!.receivedAt;
    await runFor(agent, 59 * MINUTE);
    assert.equal(agent.status().lastPolicyPoll!.at, first.at);
    await runFor(agent, MINUTE);
    assert.equal(agent.status().lastPolicyPoll!.at, clock.now().toISOString());
    assert.equal(agent.status().policy!.receivedAt, received, 'a 304 keeps the policy as it was');
    agent.stop();
  });

  test('software updates disabled by a collection: the next policy has no update point, and the agent stops scanning', async () => {
    const { agent } = await enrolledAgent('no-updates', t.url);
    assert.ok(agent.status().nextScanAt);
    const created = await t.api('POST', '/collections', { name: 'No software updates', clientSettings: { softwareUpdatesEnabled: false }, settingsPriority: 1 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const added = await t.api('POST', `/collections/${created.body.collectionId}/members`, { clientIds: [agent.status().clientId] });
    assert.ok(added.status < 300, JSON.stringify(added.body));
    await agent.pollPolicyNow();
    const status = agent.status();
    assert.equal(status.policy?.softwareUpdatesEnabled, false);
    assert.deepEqual(status.policy?.updatePoints, []);
    assert.equal(status.nextScanAt, null, 'nothing is scheduled');
    assert.equal((await agent.scanNow()).result, 'skipped');
    await runFor(agent, 8 * 24 * 60 * MINUTE);
    assert.equal(agent.status().lastScan, null, 'a week later it still has not scanned');

    // Enabled again: the first scan is scheduled within 2 hours of the policy that says so.
    await t.api('DELETE', `/collections/${created.body.collectionId}/members/${agent.status().clientId}`);
    const nextPoll = new Date(new Date(agent.status().lastPolicyPoll!.at).getTime() + 60 * MINUTE);
    await runFor(agent, nextPoll.getTime() - clock.now().getTime());
    assert.equal(agent.status().lastPolicyPoll!.at, nextPoll.toISOString(), 'the hourly poll brought the change');
    assert.equal(agent.status().policy?.softwareUpdatesEnabled, true);
    assert.equal(agent.status().nextScanAt, new Date(nextPoll.getTime() + 60 * MINUTE).toISOString());
    agent.stop();
  });

  test('a failing scan is retried every 30 minutes, 4 times, then waits for the schedule', async () => {
    const { agent } = await enrolledAgent('retrier', proxy.url);
    const firstScan = new Date(agent.status().nextScanAt!);
    proxy.mode = 'refuse';
    await runFor(agent, firstScan.getTime() - clock.now().getTime());
    let status = agent.status();
    assert.equal(status.lastScan?.result, 'pending retry');
    assert.match(status.lastScan!.error!, /cannot reach/);
    assert.equal(status.retryAt, new Date(firstScan.getTime() + 30 * MINUTE).toISOString());

    for (let retry = 1; retry <= 4; retry++) {
      await runFor(agent, 30 * MINUTE);
      status = agent.status();
      assert.equal(status.lastScan?.trigger, 'schedule');
      assert.equal(status.lastScan?.result, retry < 4 ? 'pending retry' : 'failed', `retry ${retry}`);
    }
    assert.equal(status.retryAt, null, 'after the last retry nothing is retried any more');
    await runFor(agent, 6 * 24 * 60 * MINUTE);
    assert.equal(agent.status().lastScan?.result, 'failed', 'no scan until the schedule comes round');

    proxy.mode = 'pass';
    await runFor(agent, 24 * 60 * MINUTE);
    status = agent.status();
    assert.equal(status.lastScan?.result, 'complete', status.lastScan?.error ?? '');
    agent.stop();
  });

  test('an agent restarted while its site is unreachable keeps the schedule it had', async () => {
    const { agent, machine } = await enrolledAgent('restarted-offline', proxy.url);
    const planned = agent.status().nextScanAt!;
    agent.stop();
    proxy.mode = 'refuse';
    const restarted = agentOn(machine, { clock, random: fixedRandom(0.5) });
    agents.push(restarted);
    await restarted.start();
    assert.match(restarted.status().lastPolicyPoll!.error!, /cannot reach/);
    assert.equal(restarted.status().nextScanAt, planned);
    await runFor(restarted, new Date(planned).getTime() - clock.now().getTime());
    assert.equal(restarted.status().lastScan?.trigger, 'schedule', 'the scheduled scan ran at its time');
    assert.equal(restarted.status().lastScan?.result, 'pending retry');
    restarted.stop();
    proxy.mode = 'pass';
  });

  test('after 4 retries on one update point the agent goes to the next one in its policy', async () => {
    const { agent, machine } = await enrolledAgent('failover', t.url);
    agent.stop();
    // Policy with two update points, the first unreachable.
    const files = new AgentFiles(machine.dataDir);
    const record = files.readPolicy()!;
    const good = record.policy.updatePoints[0].url;
    files.writePolicy({ ...record, policy: { ...record.policy, updatePoints: [{ url: `${proxy.url}/up/v1` }, { url: good }] } });
    // Only the retries run in the next hours: the schedule's first scan is moved out of the way.
    files.writeScanRecord({ ...files.readScanRecord(), nextScanAt: '2026-12-31T00:00:00.000Z' });
    proxy.mode = 'refuse';
    const restarted = agentOn(machine, { clock, random: fixedRandom(0.5) });
    agents.push(restarted);

    const first = await restarted.scanFor('schedule');
    assert.equal(first.result, 'pending retry');
    await runFor(restarted, 4 * 30 * MINUTE);
    assert.equal(restarted.status().lastScan?.result, 'pending retry', 'four retries failed on the first; one more is due on the next');
    await runFor(restarted, 30 * MINUTE);
    const status = restarted.status();
    assert.equal(status.lastScan?.result, 'complete', status.lastScan?.error ?? '');
    assert.equal(files.readCatalogue()!.source, good);
    restarted.stop();
    proxy.mode = 'pass';
  });
});
