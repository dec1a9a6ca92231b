/**
 * The README's "enrolling an agent in two commands", as a user runs them: `patchday
 * enrolment-tokens create --json` on the site, `patchday agent …` on the machine (a sandbox
 * root with the real node-image dpkg status), then the local actions and the site's report.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../test/run-cli.ts';
import { VirtualClock } from '@patchday/core';
import { sandboxMachine, type SandboxMachine } from '../test/agent/agent-harness.ts';
import { startArchiveServer, type ArchiveServer } from '../../server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../server/test/site-harness.ts';
import { describeEachStore } from '../../server/test/stores.ts';

const bin = new URL('../bin/patchday.js', import.meta.url).pathname;

describeEachStore('enrolling and driving an agent from the command line', (kind) => {
  let t: TestSite;
  let mirror: ArchiveServer;
  let home: string;
  let machine: SandboxMachine;
  let agent: ChildProcess | null = null;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');

  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: t.url, PATCHDAY_TOKEN: t.token });

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock });
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-home-'));
    machine = sandboxMachine('cli-node-1');
    await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
  });
  after(async () => {
    agent?.kill('SIGKILL');
    await t.stop();
    await mirror.close();
    rmSync(home, { recursive: true, force: true });
    machine.dispose();
  });

  test('two commands: a token on the site, the agent on the machine; it enrols and reports active', async () => {
    const created = await patchday(['enrolment-tokens', 'create', '--name', 'cli', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { token } = JSON.parse(created.stdout);
    assert.match(token, /^pde_/);

    agent = spawn(process.execPath, [bin, 'agent', '--server', t.url, '--enrol-token', token, '--root', machine.root, '--data-dir', machine.dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let status: { code: number; stdout: string; stderr: string };
    for (let i = 0; ; i++) {
      status = await patchday(['agent', 'status', '--data-dir', machine.dataDir, '--json']);
      if (status.code === 0 && JSON.parse(status.stdout).ranBy === 'running agent' && JSON.parse(status.stdout).policy) break;
      assert.ok(i < 200, `the agent did not come up: ${status.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const shown = JSON.parse(status.stdout);
    assert.equal(shown.registration, 'active');
    assert.equal(shown.name, 'cli-node-1');
    const clients = JSON.parse((await patchday(['clients', 'list', '--json'])).stdout);
    assert.deepEqual(clients.clients?.map?.((c: { name: string }) => c.name) ?? clients.map((c: { name: string }) => c.name), ['cli-node-1']);
  });

  test('scan-now and send-now go through the running agent; the site\'s report is the client\'s own', async () => {
    const scan = await patchday(['agent', 'scan-now', '--data-dir', machine.dataDir, '--json']);
    assert.equal(scan.code, 0, scan.stderr);
    const scanned = JSON.parse(scan.stdout);
    assert.equal(scanned.ranBy, 'running agent');
    assert.equal(scanned.result, 'complete');
    assert.ok(scanned.counts.Required > 0);

    const human = await patchday(['agent', 'status', '--data-dir', machine.dataDir]);
    assert.match(human.stdout, /queued messages:\s+\d+/);

    const send = await patchday(['agent', 'send-now', '--data-dir', machine.dataDir, '--json']);
    assert.equal(send.code, 0, send.stderr);
    assert.deepEqual([JSON.parse(send.stdout).remaining, JSON.parse(send.stdout).error], [0, null]);

    const report = await patchday(['compliance', 'client', 'cli-node-1', '--json']);
    assert.equal(report.code, 0, report.stderr);
    const compliance = JSON.parse(report.stdout);
    assert.equal(compliance.counts.Required, scanned.counts.Required);
    const openssl = compliance.updates.find((u: { title: string }) => u.title.startsWith('openssl '));
    assert.equal(openssl.state, 'Required');
    assert.equal(openssl.source, 'reported');
    assert.ok(openssl.upgrades.some((u: { package: string; target: string }) => u.package === 'libssl3' && u.target === '3.0.22-1~deb12u2'));
  });

  test('with the agent stopped, the local actions do the work once themselves', async () => {
    agent!.kill('SIGTERM');
    await new Promise((r) => agent!.once('exit', r));
    agent = null;
    const status = await patchday(['agent', 'status', '--data-dir', machine.dataDir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).ranBy, 'this command');
    const scan = await patchday(['agent', 'scan-now', '--data-dir', machine.dataDir, '--root', machine.root, '--json']);
    assert.equal(scan.code, 0, scan.stderr);
    assert.deepEqual([JSON.parse(scan.stdout).ranBy, JSON.parse(scan.stdout).result], ['this command', 'complete']);
  });

  test('a bad enrolment token: the agent says why on stderr and exits 3', async () => {
    const other = sandboxMachine('cli-node-2');
    try {
      const r = await patchday(['agent', '--server', t.url, '--enrol-token', 'pde_wrong', '--root', other.root, '--data-dir', other.dataDir]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /unknown or revoked enrolment token/);
    } finally {
      other.dispose();
    }
  });
});
