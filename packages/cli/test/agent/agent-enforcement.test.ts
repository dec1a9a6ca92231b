/**
 * §6.4–§6.8 on the agent, on virtual time: a required deployment downloads at once from the DP
 * that holds its files, waits for its deadline and a maintenance window, installs with dpkg
 * into a sandbox root (real .deb files), rescans, restarts with a countdown and reports — each
 * state message once. No site is involved: the agent runs on the policy and catalogue it holds.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { MaintenanceWindow, VirtualClock, defaultMaintenanceWindow } from '@patchday/core';
import type { BuiltDeb } from '../../../server/test/support/deb-archive.ts';
import { catalogueEntryOf } from './support/dpkg-sandbox.ts';
import { DAY, EnforcementFixture, HOUR, MINUTE, assignment } from './support/enforcement-fixture.ts';

const FOO = '00000000-0000-4000-8000-00000000f001';
const BAR = '00000000-0000-4000-8000-00000000ba01';
const names = { [FOO]: 'foo', [BAR]: 'bar' };

/** A machine with foo 1.0 (three binaries), and the foo 1.1 upload as an update; bar is not on the machine. */
async function fooMachine(clock: VirtualClock, options: ConstructorParameters<typeof EnforcementFixture>[1] = {}, fooScripts: { libfoo1?: Record<string, string> } = {}) {
  const f = await new EnforcementFixture(clock, options).start();
  f.box.dpkgInstall([
    await f.box.build({ package: 'libfoo-common', version: '1.0-1', source: 'foo', architecture: 'all' }),
    await f.box.build({ package: 'libfoo1', version: '1.0-1', source: 'foo', depends: 'libfoo-common' }),
    await f.box.build({ package: 'foo-utils', version: '1.0-1', source: 'foo', depends: 'libfoo1 (>= 1.0)' }),
  ]);
  const foo: BuiltDeb[] = [
    await f.box.build({ package: 'libfoo-common', version: '1.1-1', source: 'foo', architecture: 'all' }),
    await f.box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', depends: 'libfoo-common (>= 1.1)', scripts: fooScripts.libfoo1 }),
    await f.box.build({ package: 'foo-utils', version: '1.1-1', source: 'foo', depends: 'libfoo1 (= 1.1-1)' }),
    // Not on the machine: never downloaded, never installed.
    await f.box.build({ package: 'libfoo-dev', version: '1.1-1', source: 'foo', depends: 'libfoo1 (= 1.1-1)' }),
  ];
  const bar = [await f.box.build({ package: 'bar', version: '2.0-1' })];
  f.serve([...foo, ...bar]);
  f.writeCatalogue([catalogueEntryOf(FOO, 'foo 1.1-1', foo), catalogueEntryOf(BAR, 'bar 2.0-1', bar)]);
  return { f, foo, bar };
}

const rebootRequired = { postinst: 'touch "$DPKG_ROOT/var/run/reboot-required"' };
const cachedFiles = (f: EnforcementFixture) => readdirSync(join(f.box.dataDir, 'cache/files')).sort();

describe('a required deployment on the agent', () => {
  let f: EnforcementFixture;
  afterEach(() => f.dispose());

  test('downloads at once, waits for the deadline and a window, installs, restarts after the countdown, reports each state once', async () => {
    const clock = new VirtualClock('2026-11-30T12:00:00Z');
    // Client local time is New York; the window is 02:00–05:00 local every day.
    const machine = await fooMachine(clock, { timeZone: 'America/New_York' }, { libfoo1: rebootRequired });
    f = machine.f;
    const window = MaintenanceWindow.parse({ ...defaultMaintenanceWindow, name: 'nightly', recurrence: { kind: 'daily' }, start: '02:00', durationMinutes: 180, timeZone: 'client-local' });
    const a = assignment([{ updateId: FOO }, { updateId: BAR }], { timeBasis: 'client-local', availableAt: '2026-12-01T08:00', deadlineAt: '2026-12-08T22:00', restartOutsideWindows: false });
    f.writePolicy([a], { maintenanceWindows: [window] });

    const agent = await f.startAgent();
    // Activated, evaluated, and the three installed binaries' files downloaded — from the second DP.
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '301/7', '301/8', '300/2']);
    assert.deepEqual(cachedFiles(f), machine.foo.slice(0, 3).map((d) => d.sha256).sort());
    assert.equal(f.dp1.requests.filter((r) => r.status === 404).length, 3, 'the first DP holds nothing: each file fell back to the next');
    assert.equal(f.box.installed().libfoo1, '1.0-1', 'nothing installs before the deadline');
    let view = agent.status().enforcement.deployments[0];
    assert.equal(view.state, 'waiting for the deadline');
    assert.equal(view.deadlineAt, '2026-12-09T03:00:00.000Z', '22:00 in New York');
    assert.equal(view.nextActionAt, '2026-12-09T03:00:00.000Z');

    // The available time passes: a required deployment still waits for its deadline.
    await f.runUntil(new Date('2026-12-05T00:00:00Z'));
    assert.equal(f.box.installed().libfoo1, '1.0-1');

    // The deadline, 22:00 local, is outside the 02:00–05:00 window: wait for the window.
    await f.runUntil(new Date('2026-12-09T03:01:00Z'));
    view = agent.status().enforcement.deployments[0];
    assert.equal(view.state, 'waiting for a maintenance window');
    assert.equal(view.nextActionAt, '2026-12-09T07:00:00.000Z', '02:00 in New York');
    assert.equal(f.box.installed().libfoo1, '1.0-1');
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(5), ['301/10']);

    // The window opens: install, rescan, pending restart (Debian's reboot-required appeared).
    await f.runUntil(new Date('2026-12-09T07:00:00Z'));
    assert.deepEqual(f.box.installed(), { 'libfoo-common': '1.1-1', libfoo1: '1.1-1', 'foo-utils': '1.1-1' });
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(6), ['301/1:foo', '301/5:foo', '301/2']);
    assert.deepEqual(f.detections(FOO), [2], 'Required before, and still Required while it waits for the restart: no change to report');
    assert.equal(agent.status().lastScan?.trigger, 'afterInstall');
    assert.equal(agent.status().lastScan?.counts.Required, 1);
    let restart = agent.status().enforcement.restart!;
    assert.equal(restart.phase, 'countdown');
    assert.equal(restart.restartAt, '2026-12-09T08:30:00.000Z');
    assert.equal(restart.dismissable, true);
    assert.equal(agent.status().enforcement.deployments[0].state, 'pending restart');
    assert.match(f.restarts.announcements()[0], /Patchday will restart this machine in 90 minutes \(2026-12-09 08:30 UTC\)/);

    // The last 15 minutes cannot be dismissed.
    await f.runUntil(new Date('2026-12-09T08:16:00Z'));
    restart = agent.status().enforcement.restart!;
    assert.equal(restart.phase, 'final countdown');
    assert.equal(restart.dismissable, false);
    assert.equal(f.restarts.announcements().length, 2);
    assert.equal(f.restarts.restarts().length, 0);

    // The restart, the scan after it, and the outcome.
    await f.runUntil(new Date('2026-12-09T08:31:00Z'));
    assert.equal(f.restarts.restarts().length, 1);
    assert.equal(existsSync(join(f.box.root, 'var/run/reboot-required')), false);
    assert.equal(agent.status().enforcement.restart, null);
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(9), ['301/4:foo', '300/1']);
    assert.deepEqual(f.detections(FOO), [2, 3], 'Installed after the restart');
    assert.equal(agent.status().enforcement.deployments[0].state, 'compliant');

    // Re-evaluation a week later finds nothing to do, and says nothing twice.
    const said = f.deploymentMessages(a.deploymentId, names);
    await f.runFor(8 * DAY);
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), said);
    assert.deepEqual(f.detections(FOO), [2, 3]);
    assert.equal(f.restarts.restarts().length, 1);
  });

  test('re-evaluation (every 7 days) installs again an update removed since, fetching evicted files from a DP', async () => {
    const clock = new VirtualClock('2026-12-09T12:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    const a = assignment([{ updateId: FOO }], { availableAt: '2026-12-01T00:00Z', deadlineAt: '2026-12-08T00:00Z' });
    f.writePolicy([a]);
    await f.startAgent();
    assert.equal(f.box.installed().libfoo1, '1.1-1', 'past the deadline, no windows: installed at once');
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '301/7', '301/8', '301/1:foo', '301/4:foo', '300/1']);

    // Someone puts the old version back, and the cache loses the files.
    const old = await f.box.build({ package: 'libfoo1', version: '1.0-1', source: 'foo', depends: 'libfoo-common' });
    f.box.dpkgInstall([old]);
    for (const sha of cachedFiles(f)) rmSync(join(f.box.dataDir, 'cache/files', sha));
    await f.runFor(6 * DAY);
    assert.equal(f.box.installed().libfoo1, '1.0-1', 'nothing happens before the re-evaluation');
    await f.runFor(1 * DAY);
    assert.equal(f.box.installed().libfoo1, '1.1-1');
    // Found and repaired in one pass: the site hears of the detection (topic 500), the deployment stays compliant.
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(7), ['301/7', '301/8', '301/1:foo', '301/4:foo']);
    assert.deepEqual(f.detections(FOO), [2, 3, 2, 3]);
    assert.ok(f.dp2.requests.filter((r) => r.sha256 === machine.foo[1].sha256).length === 2, 'libfoo1 fetched again');
  });

  test('an install before the deadline (the user asked) postpones the restart to the deadline', async () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const machine = await fooMachine(clock, {}, { libfoo1: rebootRequired });
    f = machine.f;
    const a = assignment([{ updateId: FOO }]);
    f.writePolicy([a]);
    const agent = await f.startAgent();
    const summary = await agent.installNow(a.deploymentId);
    assert.equal(summary.result, 'pending restart');
    assert.deepEqual(summary.updates.map((u) => [u.title, u.state]), [['foo 1.1-1', 'pending restart']]);
    assert.equal(f.box.installed().libfoo1, '1.1-1');
    const restart = agent.status().enforcement.restart!;
    assert.equal(restart.phase, 'scheduled');
    assert.equal(restart.countdownFrom, '2026-12-08T22:00:00.000Z', 'the countdown starts at the deadline');
    assert.equal(restart.restartAt, '2026-12-08T23:30:00.000Z');
    await f.runUntil(new Date('2026-12-08T21:59:00Z'));
    assert.deepEqual(f.restarts.announcements(), []);
    await f.runUntil(new Date('2026-12-08T23:31:00Z'));
    assert.equal(f.restarts.restarts().length, 1);
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '301/7', '301/8', '300/2', '301/1:foo', '301/5:foo', '301/2', '301/4:foo', '300/1']);
  });

  test('an update whose metadata says it always restarts is restarted for, with no reboot-required file', async () => {
    const clock = new VirtualClock('2026-12-09T12:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    f.writeCatalogue([catalogueEntryOf(FOO, 'foo 1.1-1', machine.foo, 1, 'always'), catalogueEntryOf(BAR, 'bar 2.0-1', machine.bar)]);
    const a = assignment([{ updateId: FOO }], { deadlineAt: '2026-12-09T12:00:00.000Z' });
    f.writePolicy([a]);
    const agent = await f.startAgent();
    assert.equal(f.box.installed().libfoo1, '1.1-1');
    assert.equal(existsSync(join(f.box.root, 'var/run/reboot-required')), false);
    assert.equal(agent.status().enforcement.deployments[0].state, 'pending restart');
    await f.runFor(2 * HOUR);
    assert.equal(f.restarts.restarts().length, 1, 'restarted after the 90-minute countdown');
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(-2), ['301/4:foo', '300/1']);
  });

  test('restart suppressed for servers: no restart, the update stays pending until the machine restarts otherwise', async () => {
    const clock = new VirtualClock('2026-12-09T12:00:00Z');
    const machine = await fooMachine(clock, { machineRole: 'server' }, { libfoo1: rebootRequired });
    f = machine.f;
    const a = assignment([{ updateId: FOO }], { restartSuppression: 'servers' });
    f.writePolicy([a]);
    const agent = await f.startAgent();
    assert.equal(f.box.installed().libfoo1, '1.1-1');
    assert.equal(agent.status().enforcement.restart!.phase, 'not scheduled');
    await f.runFor(3 * DAY);
    assert.deepEqual(f.restarts.restarts(), []);
    assert.deepEqual(f.detections(FOO), [2]);
    assert.equal(agent.status().enforcement.deployments[0].state, 'pending restart');

    // An administrator restarts the machine; the agent starts with it.
    agent.stop();
    await f.restarts.restart();
    await f.startAgent();
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(-2), ['301/4:foo', '300/1']);
    assert.deepEqual(f.detections(FOO), [2, 3]);
  });

  test('a failed install reports dpkg\'s error once and waits for the re-evaluation to try again', async () => {
    const clock = new VirtualClock('2026-12-09T12:00:00Z');
    const machine = await fooMachine(clock, {}, { libfoo1: { postinst: 'echo "postinst of libfoo1 cannot continue" >&2; exit 3' } });
    f = machine.f;
    const a = assignment([{ updateId: FOO }]);
    f.writePolicy([a]);
    const agent = await f.startAgent();
    const failed = f.messages().find((m) => m.topic === 301 && m.stateId === 6);
    assert.ok(failed && failed.topic === 301);
    assert.match(failed.error!, /^dpkg failed \(exit 1\): /);
    assert.match(failed.error!, /postinst of libfoo1 cannot continue/);
    assert.equal(agent.status().enforcement.deployments[0].state, 'failed install');
    assert.equal(agent.status().enforcement.deployments[0].compliant, false, 'dpkg left libfoo1 half-configured');
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '301/7', '301/8', '301/1:foo', '301/6:foo', '300/2']);
    await f.runFor(2 * DAY);
    assert.equal(f.messages().filter((m) => m.topic === 301 && m.stateId === 1).length, 1, 'not retried before the re-evaluation');
    await f.runFor(5 * DAY);
    assert.equal(f.messages().filter((m) => m.topic === 301 && m.stateId === 1).length, 2, 'the re-evaluation tries again');
  });
});

describe('available and report-only deployments', () => {
  let f: EnforcementFixture;
  afterEach(() => f.dispose());

  test('an available deployment downloads nothing until the user installs it; windows do not hold the user', async () => {
    const clock = new VirtualClock('2026-11-30T12:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    const closed = MaintenanceWindow.parse({ ...defaultMaintenanceWindow, recurrence: { kind: 'monthly', dayOfMonth: 20 }, timeZone: 'UTC' });
    const a = assignment([{ updateId: FOO }], { purpose: 'available', deadlineAt: null });
    f.writePolicy([a], { maintenanceWindows: [closed] });
    const agent = await f.startAgent();
    assert.deepEqual(cachedFiles(f), []);
    assert.equal(agent.status().enforcement.deployments[0].state, 'available: waiting for the user to install it');
    const early = await agent.installNow(a.deploymentId);
    assert.deepEqual([early.result, early.message], ['not available yet', 'available from 2026-12-01T08:00:00.000Z']);
    assert.equal((await agent.installNow('00000000-0000-4000-8000-000000000000')).result, 'not found');

    await f.runUntil(new Date('2026-12-02T09:00:00Z'));
    assert.deepEqual(cachedFiles(f), [], 'still nothing downloaded');
    const installed = await agent.installNow(a.deploymentId);
    assert.equal(installed.result, 'installed', installed.message ?? '');
    assert.equal(f.box.installed()['foo-utils'], '1.1-1');
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '300/2', '301/7', '301/8', '301/1:foo', '301/4:foo', '300/1']);
    assert.equal((await agent.installNow(a.deploymentId)).result, 'nothing to install');
  });

  test('report only: evaluated and reported, never downloaded or installed', async () => {
    const clock = new VirtualClock('2026-12-09T12:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    const a = assignment([{ updateId: FOO }, { updateId: BAR }], { reportOnly: true });
    f.writePolicy([a]);
    const agent = await f.startAgent();
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '300/2']);
    assert.deepEqual(cachedFiles(f), []);
    assert.equal(f.box.installed().libfoo1, '1.0-1');
    assert.equal((await agent.installNow(a.deploymentId)).result, 'report only');
  });
});

describe('faults: tampered content, kills mid-download and mid-install', () => {
  let f: EnforcementFixture;
  afterEach(() => f.dispose());

  test('a tampered file on the DP: failed download with the sha256 message, nothing cached, retried an hour later', async () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    const tampered = readFileSync(machine.foo[1].path);
    tampered[tampered.length - 100] ^= 0xff;
    f.dp2.hold(tampered, machine.foo[1].sha256);
    const a = assignment([{ updateId: FOO }]);
    f.writePolicy([a]);
    const agent = await f.startAgent();
    const failed = f.messages().find((m) => m.topic === 301 && m.stateId === 9);
    assert.ok(failed && failed.topic === 301);
    assert.equal(failed.updateId, FOO);
    assert.match(failed.error!, /libfoo1_1\.1-1_amd64\.deb \(sha256 [0-9a-f]{64}\) could not be downloaded: dp-empty: does not hold it \(404\); dp-full: sha256 mismatch/);
    assert.ok(!cachedFiles(f).includes(machine.foo[1].sha256));
    assert.equal(agent.status().enforcement.deployments[0].state, 'failed download');

    f.serve([machine.foo[1]]);
    await f.runFor(HOUR);
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names).slice(-1), ['301/8']);
    assert.ok(cachedFiles(f).includes(machine.foo[1].sha256));
  });

  test('killed mid-download: the partial file survives and the next agent resumes it with a Range request', async () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const big = await new EnforcementFixture(clock).start();
    f = big;
    big.box.dpkgInstall([await big.box.build({ package: 'bigpkg', version: '1', files: { '/usr/share/bigpkg/data': 'x' } })]);
    const payload = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'y'.repeat(40)}`).join('\n');
    const deb = await big.box.build({ package: 'bigpkg', version: '2', files: { '/usr/share/bigpkg/data': payload } });
    big.serve([deb]);
    big.dp2.cutAfter.set(deb.sha256, Math.floor(deb.size / 2));
    big.writeCatalogue([catalogueEntryOf(FOO, 'bigpkg 2', [deb])]);
    const a = assignment([{ updateId: FOO }]);
    big.writePolicy([a]);
    await big.startAgent();
    assert.ok(existsSync(join(big.box.dataDir, 'cache/partial', deb.sha256)));
    big.agent!.stop();
    // A new agent process: resumes from the partial file.
    await big.startAgent();
    assert.deepEqual(big.dp2.requests.filter((r) => r.sha256 === deb.sha256).map((r) => [r.status, r.range]), [[200, null], [206, `bytes=${Math.floor(deb.size / 2)}-`]]);
    assert.ok(cachedFiles(big).includes(deb.sha256));
    assert.deepEqual(big.deploymentMessages(a.deploymentId).filter((m) => m.startsWith('301')), ['301/7', `301/9:${FOO}`, '301/7', '301/8']);
  });

  test('killed mid-install: dpkg --configure -a finishes the run at the next start, and the outcome is reported once', async () => {
    const clock = new VirtualClock('2026-12-09T12:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    const a = assignment([{ updateId: FOO }]);
    f.writePolicy([a], { clientSettings: {} });
    // Downloaded before the deadline…
    f.writePolicy([{ ...a, deadlineAt: '2026-12-20T00:00Z' }]);
    await f.startAgent();
    f.agent!.stop();
    // …then, at the deadline, the agent was killed while dpkg had unpacked the files but not configured them.
    f.writePolicy([a]);
    const files = machine.foo.slice(0, 3);
    const { execFileSync } = await import('node:child_process');
    execFileSync('dpkg', [`--root=${f.box.root}`, '--force-script-chrootless', '--force-not-root', '--unpack', ...files.map((d) => d.path)], { stdio: 'pipe' });
    const record = f.files.readEnforcement();
    f.files.writeEnforcement({ ...record, installing: { deploymentId: a.deploymentId, updateId: FOO, handler: 'dpkg', maxRunMinutes: 60, startedAt: clock.now().toISOString() } });
    assert.equal(f.box.installed().libfoo1, undefined, 'half-done: unpacked, not configured');

    await f.startAgent();
    assert.deepEqual(f.box.installed(), { 'libfoo-common': '1.1-1', libfoo1: '1.1-1', 'foo-utils': '1.1-1' });
    assert.equal(f.files.readEnforcement().installing, null);
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '301/7', '301/8', '300/2', '301/4:foo', '300/1']);
    await f.startAgent();
    assert.equal(f.deploymentMessages(a.deploymentId, names).length, 7, 'a second start reports nothing again');
  });

  test('killed between recording a state and queueing its message: queued exactly once at the next start', async () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    const a = assignment([{ updateId: FOO }]);
    f.writePolicy([a]);
    await f.startAgent();
    f.agent!.stop();
    const before = f.messages();
    const highest = before[before.length - 1].seq;
    const message = { topic: 301, stateId: 10, deploymentId: a.deploymentId, updateId: null, error: null, time: clock.now().toISOString() };
    // The journal was written, the outbox not: the message is queued at start.
    f.files.writeEnforcement({ ...f.files.readEnforcement(), journal: { messages: [message] } });
    f.newAgent();
    assert.equal(f.messages().length, before.length + 1);
    assert.deepEqual(f.messages()[before.length], { ...message, seq: highest + 1 });
    // The outbox was written too: nothing more is queued.
    f.files.writeEnforcement({ ...f.files.readEnforcement(), journal: { messages: [message] } });
    f.newAgent();
    assert.equal(f.messages().length, before.length + 1);
    assert.equal(f.files.readEnforcement().journal, null);
  });
});

describe('policy changes', () => {
  let f: EnforcementFixture;
  afterEach(() => f.dispose());

  test('a deployment that appears in a later policy poll is activated and downloaded at that poll; one removed is forgotten', async () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const machine = await fooMachine(clock);
    f = machine.f;
    await f.serveManagementPoint();
    f.writePolicy([]);
    const agent = await f.startAgent();
    assert.equal(f.policyPolls, 1);
    assert.deepEqual(agent.status().enforcement.deployments, []);

    const a = assignment([{ updateId: FOO }]);
    f.writePolicy([a]);
    await f.runFor(60 * MINUTE);
    assert.equal(f.policyPolls, 2);
    assert.deepEqual(f.deploymentMessages(a.deploymentId, names), ['302/1', '302/2', '301/7', '301/8', '300/2']);
    assert.equal(agent.status().enforcement.deployments[0].state, 'waiting for the deadline');

    f.writePolicy([]);
    await f.runFor(60 * MINUTE);
    assert.deepEqual(agent.status().enforcement.deployments, []);
    await f.runUntil(new Date('2026-12-09T00:00:00Z'));
    assert.equal(f.box.installed().libfoo1, '1.0-1', 'a deployment no longer in policy installs nothing at its old deadline');
  });
});
