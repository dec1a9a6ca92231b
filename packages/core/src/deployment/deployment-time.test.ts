import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assignmentTimes, deploymentInstant } from './deployment-time.ts';

describe('deployment times (§6.4)', () => {
  test('a UTC time is one instant for every client, whatever its zone', () => {
    for (const zone of ['Europe/Amsterdam', 'America/New_York', 'UTC']) {
      assert.equal(deploymentInstant('2026-12-08T22:00:00.000Z', 'utc', zone).toISOString(), '2026-12-08T22:00:00.000Z');
      assert.equal(deploymentInstant('2026-12-08T22:00', 'utc', zone).toISOString(), '2026-12-08T22:00:00.000Z');
    }
  });

  test('a client-local time is the same wall-clock hour in each client\'s own zone', () => {
    assert.equal(deploymentInstant('2026-12-08T22:00', 'client-local', 'Europe/Amsterdam').toISOString(), '2026-12-08T21:00:00.000Z');
    assert.equal(deploymentInstant('2026-12-08T22:00', 'client-local', 'America/New_York').toISOString(), '2026-12-09T03:00:00.000Z');
    // Summer time in Amsterdam: two hours ahead of UTC.
    assert.equal(deploymentInstant('2026-07-01T01:00:30', 'client-local', 'Europe/Amsterdam').toISOString(), '2026-06-30T23:00:30.000Z');
  });

  test('available time and deadline of an assignment; an available deployment has no deadline', () => {
    const times = assignmentTimes({ timeBasis: 'client-local', availableAt: '2026-12-01T08:00', deadlineAt: '2026-12-08T22:00' }, 'Asia/Tokyo');
    assert.equal(times.availableAt.toISOString(), '2026-11-30T23:00:00.000Z');
    assert.equal(times.deadlineAt!.toISOString(), '2026-12-08T13:00:00.000Z');
    assert.equal(assignmentTimes({ timeBasis: 'utc', availableAt: '2026-12-01T08:00Z', deadlineAt: null }, 'UTC').deadlineAt, null);
  });

  test('a date that does not exist is refused with the time named', () => {
    assert.throws(() => deploymentInstant('2026-02-30T10:00', 'utc', 'UTC'), /"2026-02-30T10:00" is not a real date and time/);
    assert.throws(() => deploymentInstant('2026-12-08 22:00', 'utc', 'UTC'), /not a deployment time/);
  });
});
