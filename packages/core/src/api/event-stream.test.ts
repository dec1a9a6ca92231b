import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamParser } from './event-stream.ts';

test('events split across chunks come out whole, comments and retry lines are skipped', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push('retry: 3000\n: patchday site events\n\nevent: syn'), []);
  assert.deepEqual(parser.push('c\ndata: {"kind":"sync","at":"2026-11-25T10:00:00.000Z"}\n'), []);
  assert.deepEqual(parser.push('\n: heartbeat\n\nevent: alerts\r\ndata: {"kind":"alerts"}\r\n\r\n'), [
    { event: 'sync', data: '{"kind":"sync","at":"2026-11-25T10:00:00.000Z"}' },
    { event: 'alerts', data: '{"kind":"alerts"}' },
  ]);
});

test('several data lines join with newlines; an event without a name is a message', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push('data: a\ndata:b\n\n'), [{ event: 'message', data: 'a\nb' }]);
});
