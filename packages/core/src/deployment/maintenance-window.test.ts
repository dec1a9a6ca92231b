import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MaintenanceWindow, defaultMaintenanceWindow, installSlot, instantOf, mergeIntervals, serviceWindows, windowOccurrences, type Interval } from './maintenance-window.ts';

const iso = (intervals: Interval[]) => intervals.map((i) => [i.start.toISOString(), i.end.toISOString()]);
const window = (w: Partial<MaintenanceWindow>): MaintenanceWindow => MaintenanceWindow.parse({ ...defaultMaintenanceWindow, ...w });

describe('maintenance window schema', () => {
  test('duration 5 minutes to under 24 hours, real time zones, HH:MM starts', () => {
    assert.equal(MaintenanceWindow.safeParse({ ...defaultMaintenanceWindow, durationMinutes: 4 }).success, false);
    assert.equal(MaintenanceWindow.safeParse({ ...defaultMaintenanceWindow, durationMinutes: 1440 }).success, false);
    assert.equal(MaintenanceWindow.safeParse({ ...defaultMaintenanceWindow, durationMinutes: 1439 }).success, true);
    const zone = MaintenanceWindow.safeParse({ ...defaultMaintenanceWindow, timeZone: 'Mars/Olympus' });
    assert.equal(zone.success, false);
    assert.match(zone.error!.issues[0].message, /not a known IANA time zone/);
    assert.equal(MaintenanceWindow.safeParse({ ...defaultMaintenanceWindow, start: '24:00' }).success, false);
  });
});

describe('occurrences', () => {
  test('the default: Sundays 01:00–04:00 in the client\'s local time', () => {
    const got = windowOccurrences(defaultMaintenanceWindow, new Date('2026-11-23T00:00:00Z'), new Date('2026-12-07T00:00:00Z'), 'America/New_York');
    assert.deepEqual(iso(got), [
      ['2026-11-29T06:00:00.000Z', '2026-11-29T09:00:00.000Z'],
      ['2026-12-06T06:00:00.000Z', '2026-12-06T09:00:00.000Z'],
    ]);
  });

  test('the second Tuesday of the month, and the last Friday, in a fixed zone', () => {
    const patchTuesday = window({ recurrence: { kind: 'monthly-nth-weekday', week: 2, dayOfWeek: 2 }, start: '22:00', durationMinutes: 240, timeZone: 'Europe/Amsterdam' });
    assert.deepEqual(iso(windowOccurrences(patchTuesday, new Date('2026-11-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 'UTC')), [
      ['2026-11-10T21:00:00.000Z', '2026-11-11T01:00:00.000Z'],
      ['2026-12-08T21:00:00.000Z', '2026-12-09T01:00:00.000Z'],
    ]);
    const lastFriday = window({ recurrence: { kind: 'monthly-nth-weekday', week: 'last', dayOfWeek: 5 }, start: '18:00', timeZone: 'UTC' });
    assert.deepEqual(iso(windowOccurrences(lastFriday, new Date('2026-11-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 'UTC')).map(([s]) => s), ['2026-11-27T18:00:00.000Z', '2026-12-25T18:00:00.000Z']);
  });

  test('a day of the month some months lack has no window in them', () => {
    const the31st = window({ recurrence: { kind: 'monthly', dayOfMonth: 31 }, timeZone: 'UTC' });
    assert.deepEqual(iso(windowOccurrences(the31st, new Date('2026-10-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 'UTC')).map(([s]) => s.slice(0, 10)), ['2026-10-31', '2026-12-31']);
  });

  test('clock changes: a skipped local time moves after the change; a repeated one is its first occurrence', () => {
    assert.equal(instantOf(2026, 3, 29, 2, 30, 'Europe/Amsterdam').toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(instantOf(2026, 10, 25, 2, 30, 'Europe/Amsterdam').toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(instantOf(2026, 7, 1, 1, 0, 'Europe/Amsterdam').toISOString(), '2026-06-30T23:00:00.000Z');
    // A window in local time keeps its local hours across the change.
    const daily = window({ recurrence: { kind: 'daily' }, start: '01:00', durationMinutes: 60, timeZone: 'Europe/Amsterdam' });
    assert.deepEqual(iso(windowOccurrences(daily, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-26T12:00:00Z'), 'UTC')).map(([s]) => s), ['2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z']);
  });

  test('a window running past midnight is found from the next day too; disabled windows never occur', () => {
    const late = window({ recurrence: { kind: 'weekly', daysOfWeek: [6] }, start: '23:00', durationMinutes: 180, timeZone: 'UTC' });
    assert.deepEqual(iso(windowOccurrences(late, new Date('2026-11-29T00:30:00Z'), new Date('2026-11-29T05:00:00Z'), 'UTC')), [['2026-11-28T23:00:00.000Z', '2026-11-29T02:00:00.000Z']]);
    assert.deepEqual(windowOccurrences({ ...late, enabled: false }, new Date('2026-11-28T00:00:00Z'), new Date('2026-11-30T00:00:00Z'), 'UTC'), []);
  });
});

describe('union and installs', () => {
  test('overlapping and touching windows of several collections merge', () => {
    const a = { start: new Date('2026-11-29T01:00:00Z'), end: new Date('2026-11-29T03:00:00Z') };
    const b = { start: new Date('2026-11-29T02:00:00Z'), end: new Date('2026-11-29T04:00:00Z') };
    const c = { start: new Date('2026-11-29T04:00:00Z'), end: new Date('2026-11-29T05:00:00Z') };
    const d = { start: new Date('2026-11-29T07:00:00Z'), end: new Date('2026-11-29T08:00:00Z') };
    assert.deepEqual(iso(mergeIntervals([d, c, b, a])), [['2026-11-29T01:00:00.000Z', '2026-11-29T05:00:00.000Z'], ['2026-11-29T07:00:00.000Z', '2026-11-29T08:00:00.000Z']]);
    const one = window({ recurrence: { kind: 'daily' }, start: '01:00', durationMinutes: 120, timeZone: 'UTC' });
    const two = window({ recurrence: { kind: 'daily' }, start: '02:00', durationMinutes: 120, timeZone: 'UTC' });
    assert.deepEqual(iso(serviceWindows([one, two], new Date('2026-11-29T00:00:00Z'), new Date('2026-11-29T23:00:00Z'), 'UTC')), [['2026-11-29T01:00:00.000Z', '2026-11-29T04:00:00.000Z']]);
  });

  test('an install starts only if its maximum run time fits in what is left of the window', () => {
    const sunday = window({ recurrence: { kind: 'weekly', daysOfWeek: [0] }, start: '01:00', durationMinutes: 180, timeZone: 'UTC' });
    assert.deepEqual(installSlot([sunday], new Date('2026-11-29T02:00:00Z'), 60, 'UTC'), { canStart: true, windowEnd: new Date('2026-11-29T04:00:00Z') });
    // 30 minutes left, 60 needed: wait for next Sunday.
    assert.deepEqual(installSlot([sunday], new Date('2026-11-29T03:30:00Z'), 60, 'UTC'), { canStart: false, nextStart: new Date('2026-12-06T01:00:00Z') });
    assert.deepEqual(installSlot([sunday], new Date('2026-11-25T12:00:00Z'), 60, 'UTC'), { canStart: false, nextStart: new Date('2026-11-29T01:00:00Z') });
    // Longer than any window: never.
    assert.deepEqual(installSlot([sunday], new Date('2026-11-25T12:00:00Z'), 240, 'UTC'), { canStart: false, nextStart: null });
    // No window at all: any time.
    assert.deepEqual(installSlot([], new Date('2026-11-25T12:00:00Z'), 60, 'UTC'), { canStart: true, windowEnd: null });
  });
});
