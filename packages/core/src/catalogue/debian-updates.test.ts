import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BinaryPackage } from '../debian/packages-index.ts';
import { classificationOfSuite, debianUpdatesOf } from './debian-updates.ts';

const bin = (pkg: string, version: string, source = pkg, sourceVersion = version, architecture = 'amd64'): BinaryPackage => ({
  package: pkg, version, architecture, source, sourceVersion, filename: `pool/main/${pkg}_${version}_${architecture}.deb`, size: 10, sha256: 'a'.repeat(64), description: `${pkg} synopsis`,
});

test('classification follows the suite (§2)', () => {
  assert.equal(classificationOfSuite('bookworm-security'), 'Security Updates');
  assert.equal(classificationOfSuite('trixie-updates'), 'Critical Updates');
  assert.equal(classificationOfSuite('bookworm'), 'Updates');
});

test('one update per source upload, binNMUs included, carrying all its binaries', () => {
  const updates = debianUpdatesOf({
    upstream: 'debian',
    product: 'Debian 12',
    suite: 'bookworm-security',
    releaseDate: new Date('2026-11-22T19:58:56Z'),
    binaries: [bin('libssl3', '3.0.22-1~deb12u2', 'openssl'), bin('openssl', '3.0.22-1~deb12u2'), bin('libfoo1', '1.0-1+b1', 'foo', '1.0-1'), bin('linux-image-amd64', '6.1.1-1', 'linux')],
  });
  assert.deepEqual(updates.map((u) => `${u.source} ${u.version} ${u.binaries.map((b) => `${b.package}=${b.version}`).join(',')}`).sort(), [
    'foo 1.0-1 libfoo1=1.0-1+b1',
    'linux 6.1.1-1 linux-image-amd64=6.1.1-1',
    'openssl 3.0.22-1~deb12u2 libssl3=3.0.22-1~deb12u2,openssl=3.0.22-1~deb12u2',
  ]);
  const openssl = updates.find((u) => u.source === 'openssl')!;
  assert.equal(openssl.title, 'openssl 3.0.22-1~deb12u2 (Debian 12 security update)');
  assert.equal(openssl.classification, 'Security Updates');
  assert.equal(openssl.severity, 'Unspecified');
  assert.equal(openssl.releaseDate, '2026-11-22T19:58:56.000Z');
  assert.match(openssl.description, /^openssl synopsis\. Source package openssl/);
  assert.equal(updates.find((u) => u.source === 'linux')!.rebootBehaviour, 'always');
});
