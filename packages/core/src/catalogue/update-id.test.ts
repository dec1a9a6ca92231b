import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debianUpdateId } from './update-id.ts';

test('Debian updateIds are UUIDv5 and stable across releases of Patchday (sites compare them)', () => {
  const id = debianUpdateId('Debian 12', 'bookworm-security', 'openssl', '3.0.22-1~deb12u2');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // Recorded once; if this changes, every site's catalogue would disagree with every other's.
  assert.equal(id, 'd7772122-60c6-59b5-8bae-53f948184f2a');
  assert.notEqual(debianUpdateId('Debian 12', 'bookworm', 'openssl', '3.0.22-1~deb12u2'), id, 'the suite is part of the identity');
  assert.notEqual(debianUpdateId('Debian 13', 'bookworm-security', 'openssl', '3.0.22-1~deb12u2'), id, 'the product is part of the identity');
});
