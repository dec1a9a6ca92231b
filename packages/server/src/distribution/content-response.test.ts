import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planContentReply } from './content-response.ts';

const sha = 'a'.repeat(64);
const plan = (size: number, range?: string, ifRange?: string) => {
  const p = planContentReply(size, sha, range, ifRange);
  return p.status === 416 ? [416, p.headers['content-range']] : [p.status, p.start, p.end, p.headers['content-length'], p.headers['content-range'] ?? null];
};

test('one byte range is a 206 with the range and its length; the whole file is a 200', () => {
  assert.deepEqual(plan(1000), [200, 0, 999, '1000', null]);
  assert.deepEqual(plan(1000, 'bytes=0-'), [206, 0, 999, '1000', 'bytes 0-999/1000']);
  assert.deepEqual(plan(1000, 'bytes=500-'), [206, 500, 999, '500', 'bytes 500-999/1000']);
  assert.deepEqual(plan(1000, 'bytes=10-19'), [206, 10, 19, '10', 'bytes 10-19/1000']);
  assert.deepEqual(plan(1000, 'bytes=990-5000'), [206, 990, 999, '10', 'bytes 990-999/1000'], 'an end past the file stops at its end');
  assert.deepEqual(plan(1000, 'bytes=-100'), [206, 900, 999, '100', 'bytes 900-999/1000']);
  assert.deepEqual(plan(1000, 'bytes=-5000'), [206, 0, 999, '1000', 'bytes 0-999/1000']);
});

test('a range beyond the end is 416; what cannot be read as one range gets the whole file', () => {
  assert.deepEqual(plan(1000, 'bytes=1000-'), [416, 'bytes */1000']);
  assert.deepEqual(plan(1000, 'bytes=-0'), [416, 'bytes */1000']);
  assert.deepEqual(plan(0, 'bytes=0-'), [416, 'bytes */0']);
  for (const ignored of ['bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=5-2', 'bytes=a-b']) assert.deepEqual(plan(1000, ignored), [200, 0, 999, '1000', null], ignored);
  assert.deepEqual(plan(0), [200, 0, -1, '0', null], 'an empty file is an empty 200');
});

test('If-Range: the range counts only for this very file (its sha256 is its ETag)', () => {
  assert.deepEqual(plan(1000, 'bytes=10-19', `"${sha}"`), [206, 10, 19, '10', 'bytes 10-19/1000']);
  assert.deepEqual(plan(1000, 'bytes=10-19', '"b"'), [200, 0, 999, '1000', null]);
  const headers = planContentReply(1, sha, undefined, undefined).headers;
  assert.equal(headers.etag, `"${sha}"`);
  assert.equal(headers['accept-ranges'], 'bytes');
});
