import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { architectureMatches, commandKey, Inventory, isInstalledStatus } from './inventory.ts';

const valid = {
  os: { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64' },
  dpkg: {
    'libc6:amd64': { name: 'libc6', architecture: 'amd64', version: '2.36-9+deb12u10', status: 'install ok installed', multiArch: 'same' },
    openssl: { name: 'openssl', architecture: 'amd64', version: '3.0.15-1~deb12u1', status: 'hold ok installed', multiArch: 'foreign' },
  },
  files: { '/etc/debian_version': { size: 5 }, '/etc/nologin': null },
  facts: { role: 'web' },
  commandResults: { [commandKey(['/bin/true'])]: { exitCode: 0 } },
};

describe('Inventory', () => {
  test('accepts what an agent reports; files and command results are optional, dpkg may be null', () => {
    assert.deepEqual(Inventory.parse(valid), valid);
    const { files: _files, commandResults: _commandResults, ...minimal } = valid;
    assert.deepEqual(Inventory.parse({ ...minimal, dpkg: null }), { ...minimal, dpkg: null });
  });

  test('refuses a package under another name, an invalid status, an unknown field', () => {
    const refuse = (inventory: unknown, message: RegExp) => {
      const result = Inventory.safeParse(inventory);
      assert.equal(result.success, false);
      assert.match(result.error!.issues.map((i) => i.message).join('\n'), message);
    };
    refuse({ ...valid, dpkg: { curl: { ...valid.dpkg.openssl } } }, /keyed by its name or name:architecture/);
    refuse({ ...valid, dpkg: { openssl: { ...valid.dpkg.openssl, status: 'installed' } } }, /a dpkg status is "<want> <flag> <state>"/);
    refuse({ ...valid, os: { ...valid.os, kernel: '6.1' } }, /Unrecognized key: "kernel"/);
    refuse({ ...valid, files: { '/x': { size: -1 } } }, /expected number to be >=0/);
  });

  test('refuses a report larger than any machine', () => {
    const facts = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Inventory.safeParse({ ...valid, facts }).success, false);
  });
});

describe('isInstalledStatus', () => {
  test('installed whatever the selection; not installed once removed; unknown when mid-install or broken', () => {
    const cases: Array<[string, boolean | undefined]> = [
      ['install ok installed', true],
      ['hold ok installed', true],
      ['deinstall ok installed', true],
      ['install ok triggers-pending', true],
      ['install ok triggers-awaited', true],
      ['deinstall ok config-files', false],
      ['purge ok not-installed', false],
      ['install ok unpacked', undefined],
      ['install ok half-configured', undefined],
      ['install reinstreq half-installed', undefined],
      ['install reinstreq installed', undefined],
    ];
    for (const [status, expected] of cases) assert.equal(isInstalledStatus(status), expected, status);
  });
});

describe('architectureMatches', () => {
  test('same architecture; `all` as the native one; foreign ones apart', () => {
    assert.equal(architectureMatches('amd64', 'amd64', 'amd64'), true);
    assert.equal(architectureMatches('i386', 'amd64', 'amd64'), false);
    assert.equal(architectureMatches('all', 'amd64', 'amd64'), true);
    assert.equal(architectureMatches('amd64', 'all', 'amd64'), true);
    assert.equal(architectureMatches('i386', 'all', 'amd64'), false);
    assert.equal(architectureMatches('all', 'i386', 'amd64'), false);
    assert.equal(architectureMatches('all', 'all', null), true);
  });

  test('unknown when it takes the native architecture and that is not known', () => {
    assert.equal(architectureMatches('all', 'amd64', null), undefined);
    assert.equal(architectureMatches('amd64', 'all', null), undefined);
    assert.equal(architectureMatches(null, 'amd64', 'amd64'), undefined);
    assert.equal(architectureMatches('amd64', 'i386', null), false);
  });
});
