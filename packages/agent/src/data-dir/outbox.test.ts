import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Outbox, type UnnumberedStateMessage } from './outbox.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'patchday-outbox-'));
  dirs.push(d);
  return d;
};

const detection = (n: number): UnnumberedStateMessage[] =>
  Array.from({ length: n }, (_, i) => ({ topic: 500, stateId: 2, updateId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, revision: 1, time: '2026-11-25T10:00:00.000Z' }));

test('messages are numbered in order and survive a new Outbox over the same folder (a restarted agent)', () => {
  const dir = dataDir();
  const first = new Outbox(dir);
  assert.deepEqual(first.enqueue(detection(3)).map((m) => m.seq), [1, 2, 3]);
  assert.deepEqual(first.enqueue(detection(2)).map((m) => m.seq), [4, 5]);
  const again = new Outbox(dir);
  assert.deepEqual(again.pending().map((m) => m.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual(again.enqueue(detection(1)).map((m) => m.seq), [6]);
});

test('an acknowledgement forgets exactly what it covers, also in the middle of a file', () => {
  const dir = dataDir();
  const outbox = new Outbox(dir);
  outbox.enqueue(detection(3));
  outbox.enqueue(detection(3));
  outbox.acknowledge(4);
  assert.deepEqual(outbox.pending().map((m) => m.seq), [5, 6]);
  assert.equal(readdirSync(join(dir, 'outbox')).length, 1, 'the fully acknowledged file is gone');
  assert.deepEqual(new Outbox(dir).pending().map((m) => m.seq), [5, 6]);
  outbox.acknowledge(2);
  assert.deepEqual(outbox.pending().map((m) => m.seq), [5, 6], 'an older acknowledgement changes nothing');
});

test('a counter file left behind by a crash never reuses a sequence number that is on disk', () => {
  const dir = dataDir();
  const outbox = new Outbox(dir);
  outbox.enqueue(detection(4));
  // As if the agent died after writing the messages but before the counter.
  writeFileSync(join(dir, 'seq.json'), JSON.stringify({ nextSeq: 1, acknowledgedSeq: 0 }));
  assert.deepEqual(new Outbox(dir).enqueue(detection(1)).map((m) => m.seq), [5]);
});

test('pending() returns at most the batch size asked for', () => {
  const outbox = new Outbox(dataDir());
  outbox.enqueue(detection(700));
  assert.equal(outbox.pending(500).length, 500);
  assert.equal(outbox.pendingCount(), 700);
});

test('messages the site refused as invalid are set aside for an administrator and no longer block the queue', () => {
  const dir = dataDir();
  const outbox = new Outbox(dir);
  const refused = outbox.enqueue(detection(2));
  outbox.enqueue(detection(1));
  outbox.setAside(refused, '400: unknown update');
  assert.deepEqual(outbox.pending().map((m) => m.seq), [3]);
  const [file] = readdirSync(join(dir, 'outbox-refused'));
  const kept = JSON.parse(readFileSync(join(dir, 'outbox-refused', file), 'utf8'));
  assert.equal(kept.reason, '400: unknown update');
  assert.deepEqual(kept.messages.map((m: { seq: number }) => m.seq), [1, 2]);
});
