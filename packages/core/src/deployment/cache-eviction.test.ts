import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VirtualClock } from '../time/clock.ts';
import { evictionVictims, type CachedContent } from './cache-eviction.ts';

const MB = 1024 * 1024;
const MINUTE = 60_000;

describe('content cache eviction (§12)', () => {
  const clock = new VirtualClock('2026-12-01T00:00:00Z');
  const entry = (sha: string, mb: number, addedMinutesAgo: number, usedMinutesAgo = addedMinutesAgo): CachedContent => ({
    sha256: sha.repeat(64).slice(0, 64),
    size: mb * MB,
    addedAt: new Date(clock.now().getTime() - addedMinutesAgo * MINUTE),
    lastUsedAt: new Date(clock.now().getTime() - usedMinutesAgo * MINUTE),
  });
  const base = { maximumBytes: 5120 * MB, minimumAgeMinutes: 1440, needed: new Set<string>(), now: clock.now() };

  test('nothing is evicted while the new file fits', () => {
    assert.deepEqual(evictionVictims({ ...base, entries: [entry('a', 4000, 3000)], incomingBytes: 1000 * MB }), []);
  });

  test('least recently used first, only as much as needed', () => {
    const entries = [entry('a', 2000, 5000, 100 * 60), entry('b', 2000, 5000, 50 * 60), entry('c', 1000, 5000, 30 * 60)];
    assert.deepEqual(evictionVictims({ ...base, entries, incomingBytes: 500 * MB }), ['a'.repeat(64)]);
    assert.deepEqual(evictionVictims({ ...base, entries, incomingBytes: 3000 * MB }), ['a'.repeat(64), 'b'.repeat(64)]);
  });

  test('never content an active assignment needs, never content younger than 1,440 minutes', () => {
    const entries = [entry('a', 3000, 5000, 5000), entry('b', 2000, 1439, 1439), entry('c', 100, 1441, 1441)];
    const victims = evictionVictims({ ...base, entries, incomingBytes: 2000 * MB, needed: new Set(['a'.repeat(64)]) });
    assert.deepEqual(victims, ['c'.repeat(64)], 'a is needed, b is too young: only c may go, and the file downloads past the maximum');
    clock.advance(2 * MINUTE);
    const later = evictionVictims({ ...base, now: clock.now(), entries, incomingBytes: 2000 * MB, needed: new Set(['a'.repeat(64)]) });
    assert.deepEqual(later, ['c'.repeat(64), 'b'.repeat(64)], 'b has come of age');
  });
});
