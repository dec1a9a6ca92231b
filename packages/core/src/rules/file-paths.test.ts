import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filePathsOfRules } from './file-paths.ts';

test('collects every file condition\'s path from nested rules and applicability triples, once, sorted', () => {
  const applicability = {
    prerequisites: { os: { family: 'debian' } },
    isInstallable: { or: [{ file: { path: '/opt/app/bin/app' } }, { not: { file: { path: '/etc/app.conf', exists: false } } }] },
    isInstalled: { and: [{ file: { path: '/opt/app/bin/app', sha256: 'a'.repeat(64) } }, { dpkg: { package: 'app' } }] },
  };
  assert.deepEqual(filePathsOfRules([applicability, { file: { path: '/var/x' } }]), ['/etc/app.conf', '/opt/app/bin/app', '/var/x']);
});

test('ignores what is not a file condition with an absolute path, and stops at the limit', () => {
  assert.deepEqual(filePathsOfRules([{ file: { path: 'relative' } }, { file: {} }, null, 'text', { fact: { key: 'x', equals: 'y' } }]), []);
  const many = Array.from({ length: 50 }, (_, i) => ({ file: { path: `/f${i}` } }));
  assert.equal(filePathsOfRules(many, 10).length, 10);
});
