import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeploymentAssignment } from '../api/assignments.ts';
import { VirtualClock } from '../time/clock.ts';
import { assignmentTimes } from './deployment-time.ts';
import { isCompliant, mayStartNow, planAssignment, type EnforcementInput } from './enforcement.ts';
import { MaintenanceWindow, defaultMaintenanceWindow } from './maintenance-window.ts';

const U1 = '00000000-0000-4000-8000-000000000001';
const U2 = '00000000-0000-4000-8000-000000000002';

const assignment = (a: Partial<DeploymentAssignment> = {}): DeploymentAssignment => ({
  deploymentId: '10000000-0000-4000-8000-000000000000',
  name: 'December security',
  purpose: 'required',
  timeBasis: 'utc',
  availableAt: '2026-12-01T08:00Z',
  deadlineAt: '2026-12-08T22:00Z',
  restartSuppression: 'none',
  installOutsideWindows: false,
  restartOutsideWindows: false,
  reportOnly: false,
  updates: [
    { updateId: U1, maxRunMinutes: 60, handler: { kind: 'dpkg' } },
    { updateId: U2, maxRunMinutes: 150, handler: { kind: 'dpkg' } },
  ],
  ...a,
});

/** Tuesdays and Thursdays 23:00–02:00 UTC. */
const windows = [MaintenanceWindow.parse({ ...defaultMaintenanceWindow, recurrence: { kind: 'weekly', daysOfWeek: [2, 4] }, start: '23:00', durationMinutes: 180, timeZone: 'UTC' })];

function inputAt(clock: VirtualClock, a: DeploymentAssignment, extra: Partial<EnforcementInput> = {}): EnforcementInput {
  return { assignment: a, times: assignmentTimes(a, 'Europe/Amsterdam'), now: clock.now(), clientTimeZone: 'Europe/Amsterdam', windows: [], toInstall: new Set([U1, U2]), userRequested: false, ...extra };
}

describe('enforcement plan of a required deployment (§6.4)', () => {
  test('downloads at once, installs nothing before the deadline, and wakes at the deadline', () => {
    const clock = new VirtualClock('2026-11-30T12:00:00Z');
    const before = planAssignment(inputAt(clock, assignment()));
    assert.equal(before.download, true);
    assert.deepEqual(before.install, []);
    assert.equal(before.waitingFor, 'available time');
    assert.equal(before.wakeAt!.toISOString(), '2026-12-08T22:00:00.000Z');

    clock.advanceTo(new Date('2026-12-03T00:00:00Z'));
    const available = planAssignment(inputAt(clock, assignment()));
    assert.equal(available.waitingFor, 'deadline');
    assert.deepEqual(available.install, []);

    // The wake-up the agent arms fires at the deadline; then every update installs (no windows).
    let fired: Date | null = null;
    clock.at(available.wakeAt!, () => (fired = clock.now()));
    clock.advanceTo(new Date('2026-12-08T22:00:00Z'));
    assert.equal(fired!.toISOString(), '2026-12-08T22:00:00.000Z');
    const due = planAssignment(inputAt(clock, assignment()));
    assert.deepEqual(due.install.map((u) => u.updateId), [U1, U2]);
    assert.equal(due.wakeAt, null);
  });

  test('a client-local deadline falls at different instants in two zones', () => {
    const a = assignment({ timeBasis: 'client-local', deadlineAt: '2026-12-08T22:00' });
    const at = new VirtualClock('2026-12-08T21:30:00Z');
    const amsterdam = planAssignment({ ...inputAt(at, a), clientTimeZone: 'Europe/Amsterdam', times: assignmentTimes(a, 'Europe/Amsterdam') });
    const newYork = planAssignment({ ...inputAt(at, a), clientTimeZone: 'America/New_York', times: assignmentTimes(a, 'America/New_York') });
    assert.equal(amsterdam.install.length, 2, '22:30 in Amsterdam: past the deadline');
    assert.deepEqual(newYork.install, [], '16:30 in New York: not yet');
    assert.equal(newYork.wakeAt!.toISOString(), '2026-12-09T03:00:00.000Z');
  });

  test('past the deadline, an update installs only inside a window with its maximum run time left', () => {
    // Wednesday 9 December 10:00 UTC: the next window is Thursday 23:00–02:00.
    const clock = new VirtualClock('2026-12-09T10:00:00Z');
    const outside = planAssignment(inputAt(clock, assignment(), { windows }));
    assert.deepEqual(outside.install, []);
    assert.deepEqual(outside.waitingForWindow.map((u) => u.updateId), [U1, U2]);
    assert.equal(outside.waitingFor, 'maintenance window');
    assert.equal(outside.wakeAt!.toISOString(), '2026-12-10T23:00:00.000Z');

    // 00:45 inside the window: 75 minutes left — enough for the 60-minute update, not the 150-minute one.
    clock.advanceTo(new Date('2026-12-11T00:45:00Z'));
    const late = planAssignment(inputAt(clock, assignment(), { windows }));
    assert.deepEqual(late.install.map((u) => u.updateId), [U1]);
    assert.deepEqual(late.waitingForWindow.map((u) => u.updateId), [U2]);
    assert.equal(late.wakeAt!.toISOString(), '2026-12-15T23:00:00.000Z', 'the next Tuesday');
    assert.equal(mayStartNow({ ...inputAt(clock, assignment(), { windows }) }, assignment().updates[1]), false);
    clock.advanceTo(new Date('2026-12-15T23:00:00Z'));
    assert.equal(mayStartNow({ ...inputAt(clock, assignment(), { windows }) }, assignment().updates[1]), true);
  });

  test('a deployment that may install outside windows installs at the deadline anyway', () => {
    const clock = new VirtualClock('2026-12-09T10:00:00Z');
    const plan = planAssignment(inputAt(clock, assignment({ installOutsideWindows: true }), { windows }));
    assert.equal(plan.install.length, 2);
  });

  test('a window too short for the maximum run time is named as the problem', () => {
    const clock = new VirtualClock('2026-12-09T10:00:00Z');
    const a = assignment({ updates: [{ updateId: U1, maxRunMinutes: 240, handler: { kind: 'dpkg' } }] });
    const plan = planAssignment(inputAt(clock, a, { windows }));
    assert.equal(plan.wakeAt, null);
    assert.match(plan.problem!, /no maintenance window .* long enough for a maximum run time of 240 minutes/);
  });

  test('the user installs early, from the available time on, whatever the windows', () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const plan = planAssignment(inputAt(clock, assignment(), { windows, userRequested: true }));
    assert.deepEqual(plan.install.map((u) => u.updateId), [U1, U2]);
  });

  test('updates already done are not planned; nothing left means nothing to do', () => {
    const clock = new VirtualClock('2026-12-09T10:00:00Z');
    const plan = planAssignment(inputAt(clock, assignment({ installOutsideWindows: true }), { toInstall: new Set([U2]) }));
    assert.deepEqual(plan.install.map((u) => u.updateId), [U2]);
    const done = planAssignment(inputAt(clock, assignment(), { toInstall: new Set() }));
    assert.deepEqual(done, { download: false, install: [], waitingForWindow: [], waitingFor: 'nothing', wakeAt: null, problem: null });
  });
});

describe('available and report-only deployments', () => {
  test('an available deployment downloads and installs only when the user asks', () => {
    const clock = new VirtualClock('2026-12-02T10:00:00Z');
    const a = assignment({ purpose: 'available', deadlineAt: null });
    const idle = planAssignment(inputAt(clock, a));
    assert.equal(idle.download, false);
    assert.equal(idle.waitingFor, 'user');
    assert.equal(idle.wakeAt, null);
    const asked = planAssignment(inputAt(clock, a, { userRequested: true }));
    assert.equal(asked.download, true);
    assert.equal(asked.install.length, 2);
  });

  test('report only: never downloads or installs', () => {
    const clock = new VirtualClock('2026-12-09T10:00:00Z');
    const plan = planAssignment(inputAt(clock, assignment({ reportOnly: true }), { userRequested: true }));
    assert.equal(plan.download, false);
    assert.deepEqual(plan.install, []);
    assert.equal(plan.waitingFor, 'report only');
  });

  test('compliant: every update Installed or Not Required, none waiting for a restart', () => {
    const updates = assignment().updates;
    assert.equal(isCompliant(updates, new Map([[U1, 'Installed'], [U2, 'Not Required']]), new Set()), true);
    assert.equal(isCompliant(updates, new Map([[U1, 'Installed'], [U2, 'Not Required']]), new Set([U1])), false);
    assert.equal(isCompliant(updates, new Map([[U1, 'Installed'], [U2, 'Required']]), new Set()), false);
    assert.equal(isCompliant(updates, new Map([[U1, 'Installed']]), new Set()), false, 'an update the catalogue lacks is Unknown');
  });
});
