/**
 * §5: nothing a client reported is lost — not when the agent is killed mid-batch, not when the
 * site is down for hours, not when the network loses a response. Real processes are killed
 * with SIGKILL: a `patchday server` process over the store under test, `patchday agent`
 * processes on sandbox roots, and a proxy between them that fails like a network.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { askRunningAgent } from '../../../agent/src/control/control-socket.ts';
import { AgentFiles } from '../../../agent/src/data-dir/agent-files.ts';
import { Outbox } from '../../../agent/src/data-dir/outbox.ts';
import { agentOn, sandboxMachine, type SandboxMachine } from './agent-harness.ts';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-proxy.ts';
import { startSiteProcess, type SiteProcess } from '../../../../bench/lib/site-process.ts';
import { startArchiveServer, type ArchiveServer } from '../../../server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot } from '../../../server/test/site-harness.ts';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../../../server/test/stores.ts';
import type { Store } from '../../../server/src/store/store.ts';

const cli = new URL('../../bin/patchday.js', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real `patchday agent` process; ready once it has policy. */
async function startAgentProcess(machine: SandboxMachine, server: string, token?: string): Promise<ChildProcess> {
  const args = [cli, 'agent', '--server', server, '--root', machine.root, '--data-dir', machine.dataDir, ...(token ? ['--enrol-token', token] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.once('exit', (code, signal) => {
    if (code !== null && code !== 0) process.stderr.write(`agent exited ${code}: ${stderr}\n`);
    void signal;
  });
  await until('the agent process to get policy', async () => (await askRunningAgent(machine.dataDir, 'status'))?.policy);
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describeEachStore('state messages survive killed processes', (kind) => {
  let mirror: ArchiveServer;
  let database: TestDatabase;
  let store: Store;
  let siteDir: string;
  let port: number;
  let site: SiteProcess;
  let proxy: FlakyProxy;
  const machines: SandboxMachine[] = [];
  const children: ChildProcess[] = [];

  /** What the site holds for a client: its highest stored seq and its reported states. */
  async function stored(clientId: string) {
    const client = await store.db.selectFrom('clients').select(['last_message_seq']).where('client_id', '=', clientId).executeTakeFirstOrThrow();
    const states = await store.db.selectFrom('client_update_states').select(['update_id', 'state_id']).where('client_id', '=', clientId).execute();
    return { lastSeq: Number(client.last_message_seq), states: new Map(states.map((s) => [s.update_id, Number(s.state_id)])) };
  }

  async function token(): Promise<string> {
    return (await site.api('POST', '/enrolment-tokens', { name: 'kill tests' })).token;
  }

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    database = await createTestDatabase(kind);
    siteDir = mkdtempSync(join(tmpdir(), 'patchday-kill-site-'));
    port = await freePort();
    site = await startSiteProcess(siteDir, database.url, { port });
    // The site runs on the real clock: accept the snapshot whatever today's date is.
    await site.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring, allowStale: true });
    const started = await site.api('POST', '/sync/runs', {});
    const run = await until('the sync', async () => {
      const r = await site.api('GET', `/sync/runs/${started.runId}`);
      return r.status === 'running' ? null : r;
    });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    proxy = await startFlakyProxy(site.url);
    store = await database.open();
  });
  after(async () => {
    for (const child of children) await kill9(child);
    await proxy.close();
    await store.close();
    await site.stop().catch(() => undefined);
    await database.drop();
    await mirror.close();
    rmSync(siteDir, { recursive: true, force: true });
    for (const m of machines) m.dispose();
  });

  async function scannedAgent(name: string): Promise<{ machine: SandboxMachine; child: ChildProcess; clientId: string; queued: number; reported: Map<string, number> }> {
    const machine = sandboxMachine(name);
    machines.push(machine);
    const child = await startAgentProcess(machine, proxy.url, await token());
    children.push(child);
    const scan = (await askRunningAgent(machine.dataDir, 'scan-now'))!;
    assert.equal(scan.result, 'complete', scan.reason ?? '');
    const status = (await askRunningAgent(machine.dataDir, 'status'))!;
    const reported = new Map(Object.entries(new AgentFiles(machine.dataDir).readScanRecord().reported).map(([id, r]) => [id, r.stateId]));
    assert.ok(status.queuedMessages > 2);
    return { machine, child, clientId: status.clientId!, queued: status.queuedMessages, reported };
  }

  /** Restarts a killed agent, has it send everything, and checks the site holds each message once. */
  async function restartAndDrain(a: { machine: SandboxMachine; clientId: string; queued: number; reported: Map<string, number> }): Promise<void> {
    // The restarted agent sends its queue at start; send-now then finds it empty.
    const child = await startAgentProcess(a.machine, proxy.url);
    children.push(child);
    const send = (await askRunningAgent(a.machine.dataDir, 'send-now'))!;
    assert.deepEqual([send.remaining, send.error], [0, null]);
    const final = await stored(a.clientId);
    assert.equal(final.lastSeq, a.queued);
    assert.deepEqual(final.states, a.reported);
    await kill9(child);
  }

  test('the agent is killed after the site stored a batch but before the answer arrived: the resend is recognised, nothing doubles', async () => {
    const a = await scannedAgent('killed-mid-batch');
    proxy.mode = 'hold-response';
    const sending = askRunningAgent(a.machine.dataDir, 'send-now').catch(() => null);
    await until('the site to answer the batch', async () => proxy.held > 0);
    await kill9(a.child);
    await sending;
    proxy.mode = 'pass';
    const afterKill = await stored(a.clientId);
    assert.equal(afterKill.lastSeq, a.queued, 'the site had stored the whole batch');

    assert.equal(new Outbox(a.machine.dataDir).pendingCount(), a.queued, 'the killed agent\'s queue still holds every unacknowledged message');

    await restartAndDrain(a);
  });

  test('the agent is killed with messages queued and nothing sent: after restart they all arrive', async () => {
    const a = await scannedAgent('killed-before-send');
    await kill9(a.child);
    assert.equal(new Outbox(a.machine.dataDir).pendingCount(), a.queued);
    assert.equal((await stored(a.clientId)).lastSeq, 0, 'nothing reached the site');
    await restartAndDrain(a);
  });

  test('the network loses the response: the messages stay queued, and the resend changes nothing on the site', async () => {
    const a = await scannedAgent('lossy-network');
    proxy.mode = 'drop-response';
    const lost = (await askRunningAgent(a.machine.dataDir, 'send-now'))!;
    assert.ok(lost.error, 'the agent saw the failure');
    assert.equal(lost.remaining, a.queued);
    proxy.mode = 'pass';
    const stateAfterLoss = await stored(a.clientId);
    assert.equal(stateAfterLoss.lastSeq, a.queued, 'the site did store them');
    const resend = (await askRunningAgent(a.machine.dataDir, 'send-now'))!;
    assert.deepEqual([resend.sent, resend.duplicates, resend.remaining], [0, a.queued, 0]);
    assert.deepEqual(await stored(a.clientId), stateAfterLoss);
    await kill9(a.child);
  });

  test('the site is killed and stays down for hours of batches: the queue waits, and arrives whole when it is back', async () => {
    const machine = sandboxMachine('patient');
    machines.push(machine);
    const clock = new VirtualClock(new Date());
    const agent = agentOn(machine, { server: proxy.url, enrolmentToken: await token(), clock });
    await agent.start();
    const scan = await agent.scanNow();
    assert.equal(scan.result, 'complete', scan.reason ?? '');
    const queued = agent.status().queuedMessages;
    const clientId = agent.status().clientId!;

    await kill9(site.child);
    let waiting = queued;
    for (let batch = 0; batch < 5 * 4; batch++) {
      clock.advance(15 * 60_000);
      await agent.idle();
      // Nothing leaves the queue while the site is down (the scheduled first scan adds to it).
      assert.ok(agent.status().queuedMessages >= waiting, `batch ${batch}`);
      waiting = agent.status().queuedMessages;
    }
    assert.ok(waiting > queued, 'the schedule scanned while the site was down, offline from its cache');
    assert.match(agent.status().lastSend!.error!, /cannot reach/);

    site = await startSiteProcess(siteDir, database.url, { port, password: site.password });
    clock.advance(15 * 60_000);
    await agent.idle();
    assert.equal(agent.status().queuedMessages, 0, agent.status().lastSend?.error ?? '');
    const final = await stored(clientId);
    assert.equal(final.lastSeq, waiting, 'every message numbered by the agent is on the site, once');
    assert.equal(agent.status().acknowledgedSeq, waiting);
    const reported = new Map(Object.entries(new AgentFiles(machine.dataDir).readScanRecord().reported).map(([id, r]) => [id, r.stateId]));
    assert.deepEqual(final.states, reported);
    agent.stop();
  });
});
