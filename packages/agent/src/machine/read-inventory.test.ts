import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readInventory } from './read-inventory.ts';

const base = mkdtempSync(join(tmpdir(), 'patchday-inventory-'));
const root = join(base, 'root');
after(() => rmSync(base, { recursive: true, force: true }));

mkdirSync(join(root, 'etc'), { recursive: true });
mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
writeFileSync(join(root, 'etc/hostname'), 'web-01\n');
writeFileSync(join(root, 'var/lib/dpkg/status'), 'Package: dpkg\nStatus: install ok installed\nArchitecture: arm64\nVersion: 1.21.22\n\nPackage: libc6\nStatus: install ok installed\nArchitecture: arm64\nMulti-Arch: same\nVersion: 2.36-9+deb12u10\n');
writeFileSync(join(root, 'etc/app.conf'), 'setting=1\n');
writeFileSync(join(base, 'outside'), 'host secret');
symlinkSync(join(base, 'outside'), join(root, 'etc/escape'));

test('reads os-release, the host name and the dpkg database under the root; the native architecture is dpkg\'s', () => {
  const inventory = readInventory({ root });
  assert.deepEqual(inventory.os, { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'arm64' });
  assert.equal(inventory.facts.hostname, 'web-01');
  assert.deepEqual(Object.keys(inventory.dpkg!).sort(), ['dpkg', 'libc6:arm64']);
  assert.equal(inventory.files, undefined, 'no file is examined unless a rule asks');
});

test('examines the files rules ask about: size and sha256, null when missing, left out when a symlink leaves the root', () => {
  const inventory = readInventory({ root, files: ['/etc/app.conf', '/etc/missing', '/etc/escape'] });
  assert.deepEqual(inventory.files, {
    '/etc/app.conf': { size: 10, sha256: createHash('sha256').update('setting=1\n').digest('hex') },
    '/etc/missing': null,
  });
});

test('a machine without dpkg has a null dpkg database and no architecture unless one is given', () => {
  const bare = join(base, 'bare');
  mkdirSync(join(bare, 'etc'), { recursive: true });
  writeFileSync(join(bare, 'etc/os-release'), 'ID=alpine\nVERSION_ID=3.20\n');
  assert.deepEqual(readInventory({ root: bare }).os.architecture, null);
  assert.equal(readInventory({ root: bare }).dpkg, null);
  assert.equal(readInventory({ root: bare, architecture: 'amd64' }).os.architecture, 'amd64');
});
