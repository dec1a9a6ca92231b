import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeSupersedence, isExpired, type SupersedenceCandidate } from './supersedence.ts';

const u = (updateId: string, version: string, suite: string, present = true, source = 'openssl', product = 'Debian 12'): SupersedenceCandidate => ({ updateId, product, source, version, suite, present });

test('the newest published upload of a source supersedes every older one, in dpkg order', () => {
  const v = computeSupersedence([u('main', '3.0.20-1~deb12u2', 'bookworm'), u('sec', '3.0.22-1~deb12u2', 'bookworm-security'), u('upd', '3.0.17-1~deb12u2', 'bookworm-updates'), u('epoch', '1:0.9-1', 'bookworm', true, 'other')]);
  assert.deepEqual(v.get('sec'), { superseded: false, supersededBy: null });
  assert.deepEqual(v.get('main'), { superseded: true, supersededBy: 'sec' });
  assert.deepEqual(v.get('upd'), { superseded: true, supersededBy: 'sec' });
  assert.deepEqual(v.get('epoch'), { superseded: false, supersededBy: null });
});

test('~ sorts before the release it precedes, and epochs win over everything', () => {
  const v = computeSupersedence([u('a', '1.0~rc1-1', 's'), u('b', '1.0-1', 't'), u('c', '1:0.1-1', 'u', true, 'x'), u('d', '9.9-1', 'v', true, 'x')]);
  assert.equal(v.get('a')!.supersededBy, 'b');
  assert.equal(v.get('d')!.supersededBy, 'c');
});

test('equal versions in two suites are both current; products never supersede each other', () => {
  const v = computeSupersedence([u('a', '2.0-1', 'bookworm'), u('b', '2.0-1', 'bookworm-updates'), u('c', '3.0-1', 'trixie', true, 'openssl', 'Debian 13')]);
  assert.equal(v.get('a')!.superseded, false);
  assert.equal(v.get('b')!.superseded, false);
  assert.equal(v.get('c')!.superseded, false);
});

test('an upload the archive dropped stays superseded: by the current one, or by nothing when none is left', () => {
  const v = computeSupersedence([u('old', '1.0-1', 's', false), u('new', '1.1-1', 's'), u('gone', '5.0-1', 's', false, 'removed')]);
  assert.deepEqual(v.get('old'), { superseded: true, supersededBy: 'new' });
  assert.deepEqual(v.get('gone'), { superseded: true, supersededBy: null });
  // A dropped upload newer than what is left (a withdrawn security fix) does not supersede it.
  const w = computeSupersedence([u('withdrawn', '1.2-1', 'sec', false), u('left', '1.1-1', 'main')]);
  assert.deepEqual(w.get('left'), { superseded: false, supersededBy: null });
  assert.deepEqual(w.get('withdrawn'), { superseded: true, supersededBy: null });
});

test('expiry: N calendar months after being superseded; 0 means at once', () => {
  const at = new Date('2026-01-15T12:00:00Z');
  assert.equal(isExpired(at, new Date('2026-04-15T11:59:59Z'), 3), false);
  assert.equal(isExpired(at, new Date('2026-04-15T12:00:00Z'), 3), true);
  assert.equal(isExpired(at, at, 0), true);
});
