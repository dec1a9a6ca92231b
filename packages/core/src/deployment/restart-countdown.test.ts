import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VirtualClock } from '../time/clock.ts';
import { MaintenanceWindow, defaultMaintenanceWindow } from './maintenance-window.ts';
import { planRestart, restartAnnouncements, restartCountdown, restartSuppressed, type RestartNeed } from './restart-countdown.ts';

const settings = { restartCountdownMinutes: 90, restartFinalCountdownMinutes: 15, restartReminderMinutes: 240 };
const D = '10000000-0000-4000-8000-000000000000';
const need = (n: Partial<RestartNeed>): RestartNeed => ({ deploymentId: D, installedAt: new Date('2026-12-08T22:10:00Z'), deadlineAt: new Date('2026-12-08T22:00:00Z'), automatic: true, restartOutsideWindows: true, ...n });
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('restart after the deadline (§6.5)', () => {
  test('an install at the deadline restarts 90 minutes later; the last 15 cannot be dismissed', () => {
    const plan = planRestart([need({})], settings, [], 'UTC');
    assert.equal(iso(plan.restartAt), '2026-12-08T23:40:00.000Z');
    assert.equal(iso(plan.countdownFrom), '2026-12-08T22:10:00.000Z');
    assert.equal(iso(plan.finalCountdownFrom), '2026-12-08T23:25:00.000Z');

    const clock = new VirtualClock('2026-12-08T22:10:00Z');
    const start = restartCountdown(plan, settings, clock.now(), null);
    assert.equal(start.phase, 'countdown');
    assert.equal(start.dismissable, true);
    assert.equal(start.minutesLeft, 90);
    assert.equal(iso(start.announce), '2026-12-08T22:10:00.000Z', 'the countdown is announced when it begins');
    assert.equal(iso(start.nextAt), '2026-12-08T23:25:00.000Z');

    clock.advanceTo(start.nextAt!);
    const final = restartCountdown(plan, settings, clock.now(), start.announce);
    assert.equal(final.phase, 'final countdown');
    assert.equal(final.dismissable, false);
    assert.equal(iso(final.announce), '2026-12-08T23:25:00.000Z');
    assert.equal(iso(final.nextAt), '2026-12-08T23:40:00.000Z');
    clock.advanceTo(final.nextAt!);
    assert.equal(restartCountdown(plan, settings, clock.now(), final.announce).phase, 'due');
  });

  test('an install before the deadline postpones the restart to the deadline', () => {
    const plan = planRestart([need({ installedAt: new Date('2026-12-03T09:00:00Z') })], settings, [], 'UTC');
    assert.equal(iso(plan.countdownFrom), '2026-12-08T22:00:00.000Z');
    assert.equal(iso(plan.restartAt), '2026-12-08T23:30:00.000Z');
    const waiting = restartCountdown(plan, settings, new Date('2026-12-05T00:00:00Z'), null);
    assert.equal(waiting.phase, 'scheduled');
    assert.equal(waiting.announce, null);
    assert.equal(iso(waiting.nextAt), '2026-12-08T22:00:00.000Z');
  });

  test('reminders every 240 minutes during a long countdown; a missed one is not repeated', () => {
    const long = { ...settings, restartCountdownMinutes: 24 * 60 };
    const plan = planRestart([need({})], long, [], 'UTC');
    assert.deepEqual(restartAnnouncements(plan, long).map(iso), [
      '2026-12-08T22:10:00.000Z',
      '2026-12-09T02:10:00.000Z',
      '2026-12-09T06:10:00.000Z',
      '2026-12-09T10:10:00.000Z',
      '2026-12-09T14:10:00.000Z',
      '2026-12-09T18:10:00.000Z',
      '2026-12-09T21:55:00.000Z',
    ]);
    // The agent was off from the first announcement until 11:00: only the latest due reminder is made.
    const after = restartCountdown(plan, long, new Date('2026-12-09T11:00:00Z'), new Date('2026-12-08T22:10:00Z'));
    assert.equal(iso(after.announce), '2026-12-09T10:10:00.000Z');
    assert.equal(iso(after.nextAt), '2026-12-09T14:10:00.000Z');
  });

  test('without permission to restart outside windows, the restart waits for the next window', () => {
    const windows = [MaintenanceWindow.parse({ ...defaultMaintenanceWindow, recurrence: { kind: 'daily' }, start: '02:00', durationMinutes: 60, timeZone: 'UTC' })];
    const plan = planRestart([need({ restartOutsideWindows: false })], settings, windows, 'UTC');
    assert.equal(iso(plan.restartAt), '2026-12-09T02:00:00.000Z');
    assert.equal(plan.heldForWindow, true);
    assert.equal(iso(plan.countdownFrom), '2026-12-09T00:30:00.000Z', 'the user still gets the whole countdown');
  });

  test('suppressed or available deployments never restart the machine; the earliest automatic one wins', () => {
    assert.equal(planRestart([need({ automatic: false })], settings, [], 'UTC').restartAt, null);
    const two = planRestart([need({ deploymentId: 'a', deadlineAt: new Date('2026-12-10T00:00:00Z') }), need({ deploymentId: 'b' }), need({ deploymentId: 'c', automatic: false })], settings, [], 'UTC');
    assert.equal(iso(two.restartAt), '2026-12-08T23:40:00.000Z');
    assert.deepEqual(two.deploymentIds, ['a', 'b']);
    assert.equal(restartSuppressed('servers', 'server'), true);
    assert.equal(restartSuppressed('servers', 'workstation'), false);
    assert.equal(restartSuppressed('workstations', 'workstation'), true);
    assert.equal(restartSuppressed('both', 'server'), true);
    assert.equal(restartSuppressed('none', 'server'), false);
  });
});
