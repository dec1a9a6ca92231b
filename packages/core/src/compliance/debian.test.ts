import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UpdateBinary } from '../catalogue/update.ts';
import type { DpkgPackage, Inventory } from '../inventory/inventory.ts';
import { MAX_RULE_NODES } from '../rules/rule.ts';
import { evaluateUpdate, UpdateApplicability } from './applicability.ts';
import { binariesLeftBehind, debianApplicabilityRules, pendingDebianUpgrades } from './debian.ts';

const bin = (pkg: string, version: string, architecture = 'amd64'): UpdateBinary => ({
  package: pkg,
  version,
  architecture,
  filename: `pool/main/x/x/${pkg}_${version}_${architecture}.deb`,
  size: 1,
  sha256: '0'.repeat(64),
  section: null,
  priority: null,
  summary: null,
});

const openssl = {
  updateId: 'openssl-u3',
  product: 'Debian 12',
  binaries: [bin('libssl-doc', '3.0.17-1~deb12u3', 'all'), bin('libssl3', '3.0.17-1~deb12u3'), bin('openssl', '3.0.17-1~deb12u3')],
};

const installed = (name: string, version: string, architecture = 'amd64', status = 'install ok installed'): [string, DpkgPackage] => [
  architecture === 'amd64' || architecture === 'all' ? name : `${name}:${architecture}`,
  { name, version, architecture, status, multiArch: null },
];

function machine(packages: Array<[string, DpkgPackage]>, os: Partial<Inventory['os']> = {}): Inventory {
  return {
    os: { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64', ...os },
    dpkg: Object.fromEntries(packages),
    facts: {},
  };
}

const stateOf = (update: { product: string; binaries: UpdateBinary[] }, inventory: Inventory) => evaluateUpdate(debianApplicabilityRules(update), inventory);

describe('debianApplicabilityRules: the §4 Debian states', () => {
  test('Required when a binary is installed at a lower version', () => {
    assert.equal(stateOf(openssl, machine([installed('libssl3', '3.0.15-1~deb12u1'), installed('openssl', '3.0.17-1~deb12u3')])), 'Required');
    assert.equal(stateOf(openssl, machine([installed('libssl3', '3.0.17-1~deb12u2')])), 'Required');
  });

  test('Installed when every installed binary is at its version or later; the others need not be there', () => {
    assert.equal(stateOf(openssl, machine([installed('libssl3', '3.0.17-1~deb12u3'), installed('openssl', '3.0.17-1~deb12u3')])), 'Installed');
    assert.equal(stateOf(openssl, machine([installed('libssl3', '3.0.18-1~deb12u1')])), 'Installed');
  });

  test('Not Required when none of its binaries is installed, or only removed ones', () => {
    assert.equal(stateOf(openssl, machine([installed('curl', '7.88.1-10+deb12u12')])), 'Not Required');
    assert.equal(stateOf(openssl, machine([installed('openssl', '3.0.11-1~deb12u2', 'amd64', 'deinstall ok config-files')])), 'Not Required');
  });

  test('a held package is installed: its update is Required', () => {
    assert.equal(stateOf(openssl, machine([installed('openssl', '3.0.11-1~deb12u2', 'amd64', 'hold ok installed')])), 'Required');
  });

  test('a package of a foreign architecture matches nothing synced for amd64', () => {
    assert.equal(stateOf(openssl, machine([installed('libssl3', '3.0.11-1~deb12u2', 'i386')])), 'Not Required');
    assert.equal(stateOf(openssl, machine([installed('libssl3', '3.0.11-1~deb12u2', 'i386'), installed('libssl3', '3.0.17-1~deb12u3')])), 'Installed');
  });

  test('`all` binaries are the native architecture, across a change of architecture between versions', () => {
    assert.equal(stateOf(openssl, machine([installed('libssl-doc', '3.0.11-1~deb12u2', 'all')])), 'Required');
    const cares = { product: 'Debian 13', binaries: [bin('libc-ares2', '1.34.9-1~deb13u1', 'all')] };
    assert.equal(stateOf(cares, machine([installed('libc-ares2', '1.18.1-3', 'amd64')], { versionId: '13' })), 'Required');
    const samba = { product: 'Debian 13', binaries: [bin('samba-ad-dc', '2:4.22.11+dfsg-0+deb13u1', 'amd64')] };
    assert.equal(stateOf(samba, machine([installed('samba-ad-dc', '2:4.17.12+dfsg-0+deb12u4', 'all')], { versionId: '13' })), 'Required');
  });

  test('the binary\'s own version counts, not the source\'s (binNMUs, and binaries versioned apart from their source)', () => {
    const inetutils = { product: 'Debian 13', binaries: [bin('telnet', '0.17+2.6-3+deb13u3', 'all'), bin('inetutils-telnet', '2:2.6-3+deb13u3')] };
    const trixie = { versionId: '13' };
    assert.equal(stateOf(inetutils, machine([installed('telnet', '0.17+2.6-3+deb13u3', 'all')], trixie)), 'Installed');
    assert.equal(stateOf(inetutils, machine([installed('telnet', '0.17+2.6-3+deb13u1', 'all')], trixie)), 'Required');
    const libeot = { product: 'Debian 13', binaries: [bin('libeot0', '0.01-5+deb13u1')] };
    assert.equal(stateOf(libeot, machine([installed('libeot0', '0.01-5+b2')], trixie)), 'Required');
  });

  test('prerequisites: Debian, of the update\'s release, on an architecture it carries', () => {
    const old = [installed('libssl3', '3.0.11-1~deb12u2')];
    assert.equal(stateOf(openssl, machine(old, { versionId: '13' })), 'Not Required');
    assert.equal(stateOf(openssl, machine(old, { family: 'ubuntu', versionId: '12' })), 'Not Required');
    assert.equal(stateOf(openssl, machine(old, { architecture: 'arm64' })), 'Not Required');
    assert.equal(stateOf(openssl, machine(old, { versionId: null })), 'Unknown', 'testing and unstable have no VERSION_ID');
    // Only `all` binaries: the update fits every architecture.
    const tzdata = { product: 'Debian 12', binaries: [bin('tzdata', '2026a-0+deb12u1', 'all')] };
    assert.equal(stateOf(tzdata, machine([installed('tzdata', '2025b-0+deb12u1', 'all')], { architecture: 'arm64' })), 'Required');
  });

  test('an update synced for two architectures fits either', () => {
    const both = { product: 'Debian 12', binaries: [bin('libssl3', '3.0.17-1~deb12u3', 'amd64'), bin('libssl3', '3.0.17-1~deb12u3', 'arm64')] };
    assert.deepEqual(debianApplicabilityRules(both).prerequisites, { and: [{ os: { family: 'debian', versionId: '12' } }, { or: [{ os: { architecture: 'amd64' } }, { os: { architecture: 'arm64' } }] }] });
    assert.equal(stateOf(both, machine([installed('libssl3', '3.0.11-1~deb12u2', 'arm64')], { architecture: 'arm64' })), 'Required');
    assert.equal(stateOf(both, machine([installed('libssl3', '3.0.17-1~deb12u3')])), 'Installed');
    assert.equal(stateOf(both, machine([], { architecture: 'riscv64' })), 'Not Required');
  });

  test('a package caught mid-install: Unknown unless another binary decides', () => {
    const halfway = installed('openssl', '3.0.17-1~deb12u3', 'amd64', 'install ok half-configured');
    assert.equal(stateOf(openssl, machine([halfway])), 'Unknown');
    assert.equal(stateOf(openssl, machine([halfway, installed('libssl3', '3.0.11-1~deb12u2')])), 'Required');
  });

  test('the rules are valid rules an agent can receive, even for a kernel-sized upload', () => {
    assert.deepEqual(UpdateApplicability.parse(debianApplicabilityRules(openssl)), debianApplicabilityRules(openssl));
    const kernel = { product: 'Debian 12', binaries: Array.from({ length: 1000 }, (_, i) => bin(`linux-image-6.1.0-${i}-amd64`, '6.1.158-1')) };
    const rules = debianApplicabilityRules(kernel);
    assert.equal(UpdateApplicability.safeParse(rules).success, true);
    assert.ok(JSON.stringify(rules.isInstalled).split('"dpkg"').length - 1 < MAX_RULE_NODES);
  });

  test('only Debian products', () => {
    assert.throws(() => debianApplicabilityRules({ product: 'Ubuntu 24.04', binaries: [] }), /not a Debian product: "Ubuntu 24.04"/);
  });
});

describe('pendingDebianUpgrades', () => {
  test('each installed package once, at the highest version the updates offer, with every update that offers it', () => {
    const inventory = machine([installed('libssl3', '3.0.11-1~deb12u2'), installed('openssl', '3.0.17-1~deb12u3'), installed('libssl3', '3.0.11-1~deb12u2', 'i386')]);
    const older = { updateId: 'openssl-u2', binaries: [bin('libssl3', '3.0.17-1~deb12u2')] };
    const sameInMain = { updateId: 'openssl-main', binaries: [bin('libssl3', '3.0.17-1~deb12u3')] };
    assert.deepEqual(pendingDebianUpgrades([older, openssl, sameInMain], inventory), [
      { package: 'libssl3', architecture: 'amd64', from: '3.0.11-1~deb12u2', to: '3.0.17-1~deb12u3', updateIds: ['openssl-u3', 'openssl-main'] },
    ]);
  });

  test('a binNMU in one suite is newer than the same source version in another', () => {
    const inventory = machine([installed('libeot0', '0.01-5')]);
    const main = { updateId: 'main', binaries: [bin('libeot0', '0.01-5+b2')] };
    const other = { updateId: 'other', binaries: [bin('libeot0', '0.01-5+b1')] };
    assert.deepEqual(pendingDebianUpgrades([other, main], inventory).map((u) => [u.to, u.updateIds]), [['0.01-5+b2', ['main']]]);
  });

  test('nothing for packages not installed, mid-install, newer, or without dpkg', () => {
    const inventory = machine([installed('openssl', '3.0.11-1~deb12u2', 'amd64', 'install ok unpacked'), installed('libssl3', '3.0.18-1')]);
    assert.deepEqual(pendingDebianUpgrades([openssl], inventory), []);
    assert.deepEqual(pendingDebianUpgrades([openssl], { ...inventory, dpkg: null }), []);
  });
});

describe('binariesLeftBehind', () => {
  const verdicts = (superseded: string[]) => ({ get: (id: string) => ({ superseded: superseded.includes(id) }) }) as unknown as ReadonlyMap<string, { superseded: boolean }>;

  test('a binary the newer upload no longer builds keeps the older update in force', () => {
    const old = { updateId: 'wireshark-old', product: 'Debian 12', binaries: [bin('wireshark', '4.0.6-1~deb12u1'), bin('wireshark-gtk', '4.0.6-1~deb12u1')] };
    const current = { updateId: 'wireshark-new', product: 'Debian 12', binaries: [bin('wireshark', '4.0.17-0+deb12u1')] };
    assert.deepEqual(binariesLeftBehind([old, current], verdicts(['wireshark-old'])), new Map([['wireshark-old', [old.binaries[1]]]]));
  });

  test('only the newest superseded carrier; a current one at the same version or an `all` build covers it', () => {
    const oldest = { updateId: 'a', product: 'Debian 12', binaries: [bin('libfoo1', '1.0-1')] };
    const older = { updateId: 'b', product: 'Debian 12', binaries: [bin('libfoo1', '1.0-2')] };
    const current = { updateId: 'c', product: 'Debian 12', binaries: [bin('libfoo2', '2.0-1')] };
    assert.deepEqual([...binariesLeftBehind([oldest, older, current], verdicts(['a', 'b'])).keys()], ['b']);
    const same = { updateId: 'd', product: 'Debian 12', binaries: [bin('libfoo1', '1.0-2', 'all')] };
    assert.deepEqual([...binariesLeftBehind([oldest, older, same], verdicts(['a', 'b'])).keys()], []);
  });

  test('products never cover for each other', () => {
    const bookworm = { updateId: 'b12', product: 'Debian 12', binaries: [bin('libfoo1', '1.0-1')] };
    const trixie = { updateId: 't13', product: 'Debian 13', binaries: [bin('libfoo1', '2.0-1')] };
    assert.deepEqual([...binariesLeftBehind([bookworm, trixie], verdicts(['b12'])).keys()], ['b12']);
  });
});
