import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { ContentCache } from './content-cache.ts';

let dataDir: string;
const clock = new VirtualClock('2026-12-01T00:00:00Z');
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'patchday-cache-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('a kill between moving a verified file in and writing the index: the next start adopts the file', () => {
  const cache = new ContentCache(dataDir, clock);
  writeFileSync(cache.path(sha('abc')), 'abc');
  const restarted = new ContentCache(dataDir, clock);
  assert.equal(restarted.has(sha('abc'), 3), true);
  assert.deepEqual(restarted.usage(), { files: 1, bytes: 3 });
});

test('a file removed behind the agent\'s back is no longer in the cache, and its entry goes at the next start', () => {
  const cache = new ContentCache(dataDir, clock);
  const partial = cache.partialPath(sha('hello'));
  writeFileSync(partial, 'hello');
  cache.admit(sha('hello'), 5, partial);
  assert.equal(cache.has(sha('hello'), 5), true);
  assert.equal(cache.has(sha('hello'), 6), false, 'the size must match too');
  rmSync(cache.path(sha('hello')));
  assert.equal(cache.has(sha('hello'), 5), false);
  assert.deepEqual(new ContentCache(dataDir, clock).usage(), { files: 0, bytes: 0 });
});

test('use keeps content: the least recently used goes first', () => {
  const cache = new ContentCache(dataDir, clock);
  for (const text of ['one', 'two']) {
    const partial = cache.partialPath(sha(text));
    writeFileSync(partial, text);
    cache.admit(sha(text), 3, partial);
  }
  clock.advance(2 * 24 * 3_600_000);
  cache.touch([sha('one')]);
  clock.advance(60_000);
  assert.deepEqual(cache.makeRoom(3, new Set(), { cacheMaximumMb: 6 / 1024 / 1024, cacheMinimumAgeMinutes: 1440 }), [sha('two')]);
});
