import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DebianFormatError } from '../../src/debian/errors.ts';
import { parseDpkgStatus } from '../../src/inventory/dpkg-status.ts';
import { Inventory, isInstalledStatus } from '../../src/inventory/inventory.ts';

// The project's shared real data: beside the checkout, or where PATCHDAY_SHARED_DATA says.
const sharedData = process.env.PATCHDAY_SHARED_DATA || new URL('../../../../../shared/data/', import.meta.url).pathname;
const NODE_IMAGE_STATUS = join(sharedData, 'dpkg-status/bookworm-node-image.status');

const stanza = (fields: Record<string, string | undefined>) =>
  Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
const status = (...stanzas: Array<Record<string, string | undefined>>) => stanzas.map(stanza).join('\n\n') + '\n';
const installed = (Package: string, Version: string, Architecture = 'amd64', extra: Record<string, string> = {}) => ({
  Package,
  Status: 'install ok installed',
  Architecture,
  Version,
  ...extra,
});

describe('parseDpkgStatus on a real machine', () => {
  const packages = parseDpkgStatus(readFileSync(NODE_IMAGE_STATUS, 'utf8'));

  test('the bookworm node image has 710 installed packages', () => {
    const all = Object.values(packages);
    assert.equal(all.length, 710);
    assert.equal(all.filter((p) => isInstalledStatus(p.status) === true).length, 710);
  });

  test('keys are the names dpkg uses: Multi-Arch same packages carry their architecture', () => {
    assert.deepEqual(packages['libssl3:amd64'], { name: 'libssl3', architecture: 'amd64', version: '3.0.19-1~deb12u2', status: 'install ok installed', multiArch: 'same' });
    assert.deepEqual(packages.openssl, { name: 'openssl', architecture: 'amd64', version: '3.0.19-1~deb12u2', status: 'install ok installed', multiArch: 'foreign' });
    assert.equal(packages.tzdata.architecture, 'all');
    assert.equal(packages.libssl3, undefined);
    const qualified = Object.keys(packages).filter((k) => k.includes(':'));
    assert.equal(qualified.length, 390);
    assert.ok(qualified.every((k) => packages[k].multiArch === 'same'));
  });

  test('the result is a valid inventory', () => {
    const inventory = Inventory.parse({ os: { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64' }, dpkg: packages, facts: {} });
    assert.equal(Object.keys(inventory.dpkg!).length, 710);
  });
});

describe('parseDpkgStatus edge cases', () => {
  test('packages that are not installed are kept, with their status', () => {
    const packages = parseDpkgStatus(
      status(
        installed('dpkg', '1.21.22'),
        { Package: 'exim4-base', Status: 'deinstall ok config-files', Architecture: 'amd64', Version: '4.96-15+deb12u4' },
        { Package: 'oldthing', Status: 'purge ok not-installed' },
        { Package: 'nginx', Status: 'hold ok installed', Architecture: 'amd64', Version: '1.22.1-9' },
        { Package: 'postgresql-15', Status: 'install reinstreq half-installed', Architecture: 'amd64', Version: '15.13-0+deb12u1' },
      ),
    );
    assert.deepEqual(packages.oldthing, { name: 'oldthing', architecture: null, version: null, status: 'purge ok not-installed', multiArch: null });
    assert.deepEqual(
      Object.values(packages).map((p) => [p.name, isInstalledStatus(p.status)]),
      [['dpkg', true], ['exim4-base', false], ['oldthing', false], ['nginx', true], ['postgresql-15', undefined]],
    );
  });

  test('a foreign-architecture package is keyed with its architecture; `all` never is', () => {
    const packages = parseDpkgStatus(
      status(
        installed('dpkg', '1.21.22', 'amd64', { 'Multi-Arch': 'foreign' }),
        installed('libc6', '2.36-9+deb12u10', 'amd64', { 'Multi-Arch': 'same' }),
        installed('libc6', '2.36-9+deb12u10', 'i386', { 'Multi-Arch': 'same' }),
        installed('wine32', '8.0~repack-4', 'i386'),
        installed('tzdata', '2025b-0+deb12u1', 'all', { 'Multi-Arch': 'foreign' }),
      ),
    );
    assert.deepEqual(Object.keys(packages), ['dpkg', 'libc6:amd64', 'libc6:i386', 'wine32:i386', 'tzdata']);
  });

  test('the native architecture can be given when the status has no dpkg (a crossgraded leftover stays apart)', () => {
    const text = status(installed('wine32', '8.0~repack-4', 'i386'), { ...installed('wine32', '7.0~repack-10', 'amd64'), Status: 'deinstall ok config-files' });
    assert.deepEqual(Object.keys(parseDpkgStatus(text, { nativeArchitecture: 'amd64' })), ['wine32:i386', 'wine32']);
    // Without it, the first stanza takes the plain name and the second is told apart by its architecture.
    assert.deepEqual(Object.keys(parseDpkgStatus(text)), ['wine32', 'wine32:amd64']);
  });

  test('field names in any case, comments, CRLF and continuation lines', () => {
    const text = '# written by hand\r\npackage: curl\r\nstatus: install ok installed\r\narchitecture: amd64\r\nversion: 7.88.1-10+deb12u12\r\nDescription: command line tool\r\n and more\r\n';
    assert.deepEqual(parseDpkgStatus(text), { curl: { name: 'curl', architecture: 'amd64', version: '7.88.1-10+deb12u12', status: 'install ok installed', multiArch: null } });
  });

  test('an empty status is a machine with nothing installed', () => {
    assert.deepEqual(parseDpkgStatus(''), {});
  });

  test('what dpkg would refuse is refused, naming the line, package and field', () => {
    const refused = (text: string, message: RegExp) => assert.throws(() => parseDpkgStatus(text), (e: unknown) => e instanceof DebianFormatError && message.test(e.message));
    refused(status(installed('curl', '7.88.1-10'), { Status: 'install ok installed', Version: '1.0' }), /^line 6, field Package: required field is missing/);
    refused(status({ Package: 'curl', Architecture: 'amd64', Version: '1.0' }), /^line 1, package "curl", field Status: required field is missing/);
    refused(status({ ...installed('curl', '1.0'), Status: 'install ok configured' }), /^line 2, package "curl", field Status: invalid status "install ok configured"/);
    refused(status(installed('curl', '1.0-')), /^line 4, package "curl", field Version: revision number is empty/);
    refused(status({ Package: 'curl', Status: 'install ok installed', Architecture: 'amd64' }), /^line 1, package "curl", field Version: a package on the machine needs a version/);
    refused(status({ Package: 'curl', Status: 'deinstall ok config-files', Version: '1.0' }), /field Architecture: a package on the machine needs an architecture/);
    refused(status(installed('curl', '1.0', 'amd64', { 'Multi-Arch': 'sometimes' })), /field Multi-Arch: invalid Multi-Arch "sometimes"/);
    refused(status(installed('Curl', '1.0')), /field Package: invalid package name "Curl"/);
    refused(status(installed('curl', '1.0'), installed('curl', '1.1')), /^line 6, package "curl", field Package: package "curl" appears twice/);
    refused(status(installed('libc6', '2.36', 'amd64', { 'Multi-Arch': 'same' }), installed('libc6', '2.36', 'amd64', { 'Multi-Arch': 'same' })), /package "libc6:amd64" appears twice/);
    refused('Package: curl\nPackage: curl\n', /duplicate field/);
  });
});
