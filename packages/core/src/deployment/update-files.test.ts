import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpdateBinary } from '../catalogue/update.ts';
import type { Inventory } from '../inventory/inventory.ts';
import { binariesLeftUnfinished, binariesToInstall } from './update-files.ts';

const binary = (pkg: string, version: string, architecture = 'amd64'): UpdateBinary => ({ package: pkg, version, architecture, filename: `pool/${pkg}_${version}_${architecture}.deb`, size: 1, sha256: '0'.repeat(64), section: null, priority: null, summary: null });
const inventory: Inventory = {
  os: { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64' },
  facts: {},
  dpkg: {
    libssl3: { name: 'libssl3', architecture: 'amd64', version: '3.0.15-1~deb12u1', status: 'install ok installed', multiArch: 'same' },
    openssl: { name: 'openssl', architecture: 'amd64', version: '3.0.18-1', status: 'install ok installed', multiArch: null },
    'openssl-doc': { name: 'openssl-doc', architecture: 'all', version: '3.0.15-1~deb12u1', status: 'install ok half-installed', multiArch: null },
    'libssl-dev': { name: 'libssl-dev', architecture: 'amd64', version: '3.0.15-1~deb12u1', status: 'deinstall ok config-files', multiArch: null },
  },
};

test('the dpkg handler installs only binaries installed at a lower version, never a downgrade or a new package', () => {
  const update = [binary('libssl3', '3.0.17-1~deb12u3'), binary('openssl', '3.0.17-1~deb12u3'), binary('libssl-dev', '3.0.17-1~deb12u3'), binary('libssl3', '3.0.17-1~deb12u3', 'i386'), binary('openssl-doc', '3.0.17-1~deb12u3', 'all'), binary('libcrypto-new', '1')];
  assert.deepEqual(
    binariesToInstall(update, inventory).map((b) => `${b.package}:${b.architecture}`),
    ['libssl3:amd64', 'openssl-doc:all'],
    'openssl is newer already, libssl-dev is removed, i386 is not on the machine; a half-installed package is repaired',
  );
});

test('a package a failed run left half-installed keeps its update unfinished', () => {
  const update = [binary('libssl3', '3.0.17-1~deb12u3'), binary('openssl-doc', '3.0.17-1~deb12u3', 'all'), binary('openssl-doc', '3.0.14-1', 'all')];
  assert.deepEqual(binariesLeftUnfinished(update, inventory).map((b) => `${b.package} ${b.version}`), ['openssl-doc 3.0.17-1~deb12u3']);
});
