import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandKey, type DpkgPackage, type Inventory } from '../inventory/inventory.ts';
import { and3, evaluateRule, not3, or3, type Truth } from './evaluate.ts';
import { type ApplicabilityRule, MAX_RULE_DEPTH, MAX_RULE_NODES } from './rule.ts';

const pkg = (name: string, version: string | null, architecture: string | null = 'amd64', status = 'install ok installed', multiArch: DpkgPackage['multiArch'] = null): DpkgPackage => ({
  name,
  version,
  architecture,
  status,
  multiArch,
});

const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function machine(overrides: Partial<Inventory> = {}): Inventory {
  return {
    os: { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64' },
    dpkg: {
      openssl: pkg('openssl', '3.0.15-1~deb12u1'),
      'libssl3:amd64': pkg('libssl3', '3.0.15-1~deb12u1', 'amd64', 'install ok installed', 'same'),
      'libc6:amd64': pkg('libc6', '2.36-9+deb12u10', 'amd64', 'install ok installed', 'same'),
      'libc6:i386': pkg('libc6', '2.36-9+deb12u4', 'i386', 'install ok installed', 'same'),
      tzdata: pkg('tzdata', '2025b-0+deb12u1', 'all'),
      vim: pkg('vim', '2:9.0.1378-2', 'amd64'),
      exim4: pkg('exim4', '4.96-15+deb12u5', 'all', 'deinstall ok config-files'),
      nginx: pkg('nginx', '1.22.1-9', 'amd64', 'hold ok installed'),
      postgresql: pkg('postgresql', '15+248', 'all', 'install ok half-configured'),
      broken: pkg('broken', 'not a version!', 'amd64'),
    },
    files: {
      '/etc/debian_version': { size: 5, sha256: '0f0d514b2ee4cbd2a6b4eb17f1b0e7e1a8e3fc3b41e43f1a1c9a1b2f4a5c6d7e' },
      '/opt/empty': { size: 0, sha256: EMPTY_SHA },
      '/var/big.img': { size: 10_000_000_000 },
      '/etc/nologin': null,
    },
    facts: { role: 'web', hostname: 'web-042.example.org', yes: 'y', no: 'n' },
    commandResults: {
      [commandKey(['/usr/bin/test', '-x', '/opt/app'])]: { exitCode: 0 },
      [commandKey(['/opt/app/check'])]: { exitCode: 3 },
      [commandKey(['/opt/app/slow'])]: { exitCode: null },
    },
    ...overrides,
  };
}

const inv = machine();
const ev = (rule: unknown, inventory: Inventory = inv): Truth => evaluateRule(rule as ApplicabilityRule, inventory);

// Facts with a known value: true, false, and a fact this machine does not have.
const T = { fact: { key: 'yes', equals: 'y' } };
const F = { fact: { key: 'no', equals: 'y' } };
const U = { fact: { key: 'absent', equals: 'y' } };
const byTruth = { true: T, false: F, unknown: U } as const;
const truths: Truth[] = ['true', 'false', 'unknown'];

describe('Kleene logic', () => {
  test('and, or and not follow the three-valued tables, for rules and for the helpers', () => {
    const and = { true: { true: 'true', false: 'false', unknown: 'unknown' }, false: { true: 'false', false: 'false', unknown: 'false' }, unknown: { true: 'unknown', false: 'false', unknown: 'unknown' } };
    const or = { true: { true: 'true', false: 'true', unknown: 'true' }, false: { true: 'true', false: 'false', unknown: 'unknown' }, unknown: { true: 'true', false: 'unknown', unknown: 'unknown' } };
    for (const a of truths) {
      assert.equal(ev(byTruth[a]), a);
      assert.equal(ev({ not: byTruth[a] }), not3(a));
      for (const b of truths) {
        assert.equal(ev({ and: [byTruth[a], byTruth[b]] }), and[a][b], `${a} and ${b}`);
        assert.equal(ev({ or: [byTruth[a], byTruth[b]] }), or[a][b], `${a} or ${b}`);
        assert.equal(and3(a, b), and[a][b]);
        assert.equal(or3(a, b), or[a][b]);
      }
    }
    assert.deepEqual(truths.map(not3), ['false', 'true', 'unknown']);
  });

  test('an empty and holds, an empty or does not', () => {
    assert.equal(ev({ and: [] }), 'true');
    assert.equal(ev({ or: [] }), 'false');
  });

  test('a false decides an and even after an unknown, a true decides an or', () => {
    assert.equal(ev({ and: [U, U, F] }), 'false');
    assert.equal(ev({ or: [U, U, T] }), 'true');
    assert.equal(ev({ and: [T, { or: [U, { not: F }] }] }), 'true');
  });
});

describe('os', () => {
  test('family, versionId and architecture must all hold', () => {
    assert.equal(ev({ os: { family: 'debian', versionId: '12', architecture: 'amd64' } }), 'true');
    assert.equal(ev({ os: { family: 'debian', versionId: '13' } }), 'false');
    assert.equal(ev({ os: { family: 'ubuntu' } }), 'false');
    assert.equal(ev({ os: { architecture: 'arm64' } }), 'false');
  });

  test('a version range is inclusive and in dpkg order', () => {
    const ubuntu = (versionId: string) => machine({ os: { family: 'ubuntu', versionId, codename: null, architecture: 'amd64' } });
    const range = { os: { versionRange: { min: '20.04', max: '22.10' } } };
    assert.equal(ev(range, ubuntu('20.04')), 'true');
    assert.equal(ev(range, ubuntu('22.04')), 'true');
    assert.equal(ev(range, ubuntu('22.10')), 'true');
    assert.equal(ev(range, ubuntu('24.04')), 'false');
    assert.equal(ev(range, ubuntu('18.04')), 'false');
    assert.equal(ev({ os: { versionRange: { min: '12' } } }), 'true');
    assert.equal(ev({ os: { versionRange: { max: '11' } } }), 'false');
  });

  test('what the machine did not say is unknown, even when another field already fails', () => {
    const sid = machine({ os: { family: 'debian', versionId: null, codename: null, architecture: null } });
    assert.equal(ev({ os: { versionId: '12' } }, sid), 'unknown');
    assert.equal(ev({ os: { versionRange: { min: '12' } } }, sid), 'unknown');
    assert.equal(ev({ os: { architecture: 'amd64' } }, sid), 'unknown');
    assert.equal(ev({ os: { family: 'debian', versionId: '12' } }, sid), 'unknown');
    assert.equal(ev({ os: { family: 'ubuntu', versionId: '12' } }, sid), 'false');
  });
});

describe('dpkg', () => {
  test('versions compare as dpkg --compare-versions does, installed version on the left', () => {
    const v = (op: string, value: string, name = 'openssl') => ev({ dpkg: { package: name, version: { op, value } } });
    assert.deepEqual(
      ['lt', 'le', 'eq', 'ge', 'gt'].map((op) => v(op, '3.0.15-1~deb12u1')),
      ['false', 'true', 'true', 'true', 'false'],
    );
    assert.equal(v('lt', '3.0.17-1~deb12u3'), 'true');
    // ~ sorts before everything, even the end of the version.
    assert.equal(v('gt', '3.0.15-1~'), 'true');
    assert.equal(v('lt', '3.0.15-1'), 'true');
    // An epoch outweighs the rest: 2:9.0 is newer than 9.1.
    assert.equal(v('gt', '9.1.0-1', 'vim'), 'true');
    assert.equal(v('eq', '2:9.0.1378-2', 'vim'), 'true');
  });

  test('a package that is not installed satisfies no version and counts for installed: false', () => {
    assert.equal(ev({ dpkg: { package: 'apache2' } }), 'false');
    assert.equal(ev({ dpkg: { package: 'apache2', version: { op: 'lt', value: '99' } } }), 'false');
    assert.equal(ev({ dpkg: { package: 'apache2', installed: false } }), 'true');
    assert.equal(ev({ dpkg: { package: 'openssl', installed: false } }), 'true'.replace('true', 'false'));
  });

  test('a package removed with its configuration kept is not installed; a held one is', () => {
    assert.equal(ev({ dpkg: { package: 'exim4' } }), 'false');
    assert.equal(ev({ dpkg: { package: 'exim4', installed: false } }), 'true');
    assert.equal(ev({ dpkg: { package: 'nginx', version: { op: 'lt', value: '1.22.1-9+deb12u1' } } }), 'true');
  });

  test('a package caught mid-install is neither installed nor not', () => {
    assert.equal(ev({ dpkg: { package: 'postgresql' } }), 'unknown');
    assert.equal(ev({ dpkg: { package: 'postgresql', installed: false } }), 'unknown');
    assert.equal(ev({ dpkg: { package: 'postgresql', version: { op: 'lt', value: '16' } } }), 'unknown');
  });

  test('Multi-Arch same instances answer for their own architecture; without one, any instance counts', () => {
    const older = { op: 'lt', value: '2.36-9+deb12u10' };
    assert.equal(ev({ dpkg: { package: 'libc6', version: older } }), 'true', 'the i386 instance is older');
    assert.equal(ev({ dpkg: { package: 'libc6', architecture: 'amd64', version: older } }), 'false');
    assert.equal(ev({ dpkg: { package: 'libc6', architecture: 'i386', version: older } }), 'true');
    assert.equal(ev({ dpkg: { package: 'libc6', architecture: 'arm64' } }), 'false');
  });

  test('Architecture: all is the native architecture, as apt sees it', () => {
    assert.equal(ev({ dpkg: { package: 'tzdata', architecture: 'all' } }), 'true');
    assert.equal(ev({ dpkg: { package: 'tzdata', architecture: 'amd64' } }), 'true');
    assert.equal(ev({ dpkg: { package: 'openssl', architecture: 'all' } }), 'true');
    assert.equal(ev({ dpkg: { package: 'tzdata', architecture: 'i386' } }), 'false');
    assert.equal(ev({ dpkg: { package: 'libc6', architecture: 'all', version: { op: 'lt', value: '2.36-9+deb12u10' } } }), 'false', 'not the foreign i386 one');
    const noArch = machine({ os: { family: 'debian', versionId: '12', codename: null, architecture: null } });
    assert.equal(ev({ dpkg: { package: 'tzdata', architecture: 'amd64' } }, noArch), 'unknown');
    assert.equal(ev({ dpkg: { package: 'tzdata', architecture: 'all' } }, noArch), 'true');
  });

  test('a version dpkg would refuse, on either side, is unknown', () => {
    assert.equal(ev({ dpkg: { package: 'broken', version: { op: 'lt', value: '1.0' } } }), 'unknown');
    assert.equal(ev({ dpkg: { package: 'broken' } }), 'true', 'installed all the same');
    assert.equal(ev({ dpkg: { package: 'openssl', version: { op: 'lt', value: '1.0-' } } }), 'unknown');
    assert.equal(ev({ not: { dpkg: { package: 'openssl', version: { op: 'lt', value: '' } } } }), 'unknown');
  });

  test('a machine without a dpkg database answers nothing about packages', () => {
    const noDpkg = machine({ dpkg: null });
    assert.equal(ev({ dpkg: { package: 'openssl' } }, noDpkg), 'unknown');
    assert.equal(ev({ dpkg: { package: 'openssl', installed: false } }, noDpkg), 'unknown');
  });
});

describe('file', () => {
  test('exists (the default), size and sha256 against what the agent recorded', () => {
    assert.equal(ev({ file: { path: '/opt/empty' } }), 'true');
    assert.equal(ev({ file: { path: '/opt/empty', size: 0, sha256: EMPTY_SHA } }), 'true');
    assert.equal(ev({ file: { path: '/opt/empty', size: 1 } }), 'false');
    assert.equal(ev({ file: { path: '/opt/empty', sha256: 'f'.repeat(64) } }), 'false');
    assert.equal(ev({ file: { path: '/opt/empty', exists: false } }), 'false');
  });

  test('a file the agent found missing', () => {
    assert.equal(ev({ file: { path: '/etc/nologin', exists: false } }), 'true');
    assert.equal(ev({ file: { path: '/etc/nologin' } }), 'false');
    assert.equal(ev({ file: { path: '/etc/nologin', sha256: EMPTY_SHA } }), 'false');
  });

  test('a file not examined, or a hash not taken, is unknown', () => {
    assert.equal(ev({ file: { path: '/etc/shadow' } }), 'unknown');
    assert.equal(ev({ file: { path: '/etc/shadow', exists: false } }), 'unknown');
    assert.equal(ev({ file: { path: '/var/big.img', sha256: EMPTY_SHA } }), 'unknown');
    assert.equal(ev({ file: { path: '/var/big.img', size: 1, sha256: EMPTY_SHA } }), 'false', 'the size already fails');
    assert.equal(ev({ file: { path: '/opt/empty' } }, machine({ files: undefined })), 'unknown');
  });
});

describe('command', () => {
  test('only a result the agent recorded counts, compared with the expected exit code', () => {
    assert.equal(ev({ command: { argv: ['/usr/bin/test', '-x', '/opt/app'], timeoutSeconds: 5 } }), 'true');
    assert.equal(ev({ command: { argv: ['/opt/app/check'], timeoutSeconds: 5 } }), 'false');
    assert.equal(ev({ command: { argv: ['/opt/app/check'], timeoutSeconds: 5, exitCode: 3 } }), 'true');
    assert.equal(ev({ command: { argv: ['/opt/app/slow'], timeoutSeconds: 5 } }), 'unknown', 'timed out');
    assert.equal(ev({ command: { argv: ['/usr/bin/test', '-x', '/opt/other'], timeoutSeconds: 5 } }), 'unknown', 'never ran');
    assert.equal(ev({ command: { argv: ['/opt/app/check'], timeoutSeconds: 5 } }, machine({ commandResults: undefined })), 'unknown');
  });
});

describe('fact', () => {
  test('equals compares the whole value; matches searches it', () => {
    assert.equal(ev({ fact: { key: 'role', equals: 'web' } }), 'true');
    assert.equal(ev({ fact: { key: 'role', equals: 'Web' } }), 'false');
    assert.equal(ev({ fact: { key: 'hostname', matches: 'web-\\d+' } }), 'true');
    assert.equal(ev({ fact: { key: 'hostname', matches: '^web-\\d+$' } }), 'false');
    assert.equal(ev({ fact: { key: 'hostname', matches: '^web-\\d+\\.', equals: 'web-042.example.org' } }), 'true');
  });

  test('a fact the machine did not report is unknown, and so is a pattern that does not compile', () => {
    assert.equal(ev({ fact: { key: 'datacenter', equals: 'ams' } }), 'unknown');
    assert.equal(ev({ fact: { key: 'role', matches: '(' } }), 'unknown');
    assert.equal(ev({ fact: { key: 'role', equals: 'db', matches: '(' } }), 'false');
  });
});

describe('what is not understood is unknown, never true', () => {
  test('unknown kinds, malformed nodes and two kinds in one node', () => {
    for (const rule of [
      { registry: { key: 'HKLM\\Software' } },
      { not: { registry: {} } },
      { and: T, or: [T] },
      { fact: T.fact, os: { family: 'debian' } },
      { and: 'yes' },
      { not: null },
      { dpkg: { package: 42 } },
      { fact: { key: 'role', matches: 7 } },
      { fact: { key: 'role' } },
      { os: {} },
      { os: { versionRange: {} } },
      { dpkg: { package: 'openssl', version: { op: 'newer', value: '1.0' } } },
      { file: { path: '/opt/empty', size: '0' } },
      { command: { argv: 'rm -rf /', timeoutSeconds: 1 } },
      null,
      'true',
      [T],
      {},
    ]) {
      assert.equal(ev(rule), 'unknown', JSON.stringify(rule));
      assert.equal(ev({ not: rule }), 'unknown', `not ${JSON.stringify(rule)}`);
    }
  });

  test('a rule beyond the bounds is unknown as a whole, even when its first branch holds', () => {
    let deep: unknown = T;
    for (let i = 0; i < MAX_RULE_DEPTH + 1; i++) deep = { not: { not: deep } };
    assert.equal(ev(deep), 'unknown');
    const wide = { or: [T, ...Array.from({ length: MAX_RULE_NODES }, () => F)] };
    assert.equal(ev(wide), 'unknown');
    const justInside = { or: [T, ...Array.from({ length: MAX_RULE_NODES - 2 }, () => F)] };
    assert.equal(ev(justInside), 'true');
  });
});
