import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAptSandbox, parseSimulation } from './apt-sandbox.ts';
import { startArchiveServer } from './archive-server.ts';
import type { ArchiveServer } from './archive-server.ts';
import { binaryStanza, buildTestArchive, createTestKey, makePackagesText, writeKeyring } from './test-archive.ts';
import type { TestKey } from './test-archive.ts';

const DATA = '/work/shared/data';
const SNAPSHOT = `${DATA}/debian-archive-2026-11-24`;
const DEBIAN_KEYRING = `${DATA}/keyrings/debian-archive-keyring.gpg`;
const NODE_IMAGE_STATUS = `${DATA}/dpkg-status/bookworm-node-image.status`;

describe('parseSimulation', () => {
  test('reads upgrades, new installs and removals, ordering hints included', () => {
    const out = [
      'Reading package lists...',
      'Inst libpam-modules-bin [1.5.2-6+deb12u1] (1.5.2-6+deb12u2 Debian:12.15/oldstable [amd64]) [libpam-modules:amd64 on libpam-modules-bin:amd64] [libpam-modules:amd64 ]',
      'Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u3 Debian-Security:12/oldstable-security [amd64])',
      'Inst linux-image-6.1.0-40-amd64 (6.1.153-1 Debian-Security:12/oldstable-security [amd64])',
      'Remv oldpkg [1.0]',
      'Conf libssl3 (3.0.17-1~deb12u3 Debian-Security:12/oldstable-security [amd64])',
      '2 upgraded, 1 newly installed, 1 to remove and 3 not upgraded.',
    ].join('\n');
    const r = parseSimulation(out);
    assert.deepEqual(r.upgrades, [
      { package: 'libpam-modules-bin', from: '1.5.2-6+deb12u1', to: '1.5.2-6+deb12u2', release: 'Debian:12.15/oldstable [amd64]' },
      { package: 'libssl3', from: '3.0.15-1~deb12u1', to: '3.0.17-1~deb12u3', release: 'Debian-Security:12/oldstable-security [amd64]' },
    ]);
    assert.deepEqual(r.installs, [{ package: 'linux-image-6.1.0-40-amd64', to: '6.1.153-1', release: 'Debian-Security:12/oldstable-security [amd64]' }]);
    assert.deepEqual(r.removals, [{ package: 'oldpkg', from: '1.0' }]);
    assert.deepEqual(r.summary, { upgraded: 2, newlyInstalled: 1, removed: 1, notUpgraded: 3 });
  });

  test('refuses output whose Inst lines disagree with apt\'s own count', () => {
    assert.throws(() => parseSimulation('Inst a [1] (2 X [amd64])\n2 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n'), /parsed 1\/0\/0/);
    assert.throws(() => parseSimulation('Inst a [1] (2 X [amd64])\n'), /no summary/);
  });
});

describe('apt against the real snapshot', () => {
  let server: ArchiveServer;
  before(async () => {
    server = await startArchiveServer(SNAPSHOT);
  });
  after(async () => {
    await server.close();
  });

  test('the node image has 136 upgrades from the three bookworm suites, fetching only InRelease and Packages.xz', async () => {
    const sandbox = await createAptSandbox({
      sources: [
        { url: `${server.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: DEBIAN_KEYRING },
        { url: `${server.url}/debian-security`, suites: ['bookworm-security'], keyring: DEBIAN_KEYRING },
      ],
      arch: 'amd64',
      statusFile: NODE_IMAGE_STATUS,
    });
    try {
      const update = await sandbox.update();
      assert.deepEqual([update.errors, update.warnings], [[], []], update.stderr);
      assert.deepEqual(server.requests.map((r) => `${r.status} ${r.path}`).sort(), [
        '200 /debian-security/dists/bookworm-security/InRelease',
        '200 /debian-security/dists/bookworm-security/main/binary-amd64/Packages.xz',
        '200 /debian/dists/bookworm-updates/InRelease',
        '200 /debian/dists/bookworm-updates/main/binary-amd64/Packages.xz',
        '200 /debian/dists/bookworm/InRelease',
        '200 /debian/dists/bookworm/main/binary-amd64/Packages.xz',
      ]);
      const lists = await readdir(join(sandbox.root, 'var/lib/apt/lists'));
      assert.ok(lists.some((f) => f.endsWith('bookworm-security_main_binary-amd64_Packages')), lists.join(' '));
      assert.deepEqual(await readFile(sandbox.statusFile), await readFile(NODE_IMAGE_STATUS), 'status is a copy');

      const sim = await sandbox.simulateDistUpgrade();
      assert.equal(sim.upgrades.length, 136);
      assert.deepEqual(sim.summary, { upgraded: 136, newlyInstalled: 0, removed: 0, notUpgraded: 0 });
      // Every "from" is what the status file has installed: apt read the sandbox's copy.
      const installed = new Map<string, string>();
      for (const stanza of (await readFile(NODE_IMAGE_STATUS, 'utf8')).split('\n\n')) {
        const name = /^Package: (.+)$/m.exec(stanza)?.[1];
        const version = /^Version: (.+)$/m.exec(stanza)?.[1];
        if (name && version && /^Status: install ok installed$/m.test(stanza)) installed.set(name, version);
      }
      assert.equal(installed.size, 710);
      for (const u of sim.upgrades) assert.equal(u.from, installed.get(u.package), u.package);
      const libssl = sim.upgrades.find((u) => u.package === 'libssl3');
      assert.match(libssl?.release ?? '', /Debian-Security:12\/oldstable-security/);

      // A second update is answered by 304s: apt sends If-Modified-Since for its InRelease copies.
      server.requests.length = 0;
      await sandbox.update();
      assert.deepEqual(
        server.requests.map((r) => [r.status, r.conditional]),
        [[304, true], [304, true], [304, true]],
      );
    } finally {
      await sandbox.dispose();
    }
  });
});

describe('apt against a test archive', () => {
  let tmp: string;
  let key: TestKey;
  let server: ArchiveServer;
  let keyring: string;
  let foreignKeyring: string;
  let statusFile: string;
  let packagesXzPath: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'patchday-apt-test-'));
    const [k, other] = await Promise.all([createTestKey('Patchday Test Archive'), createTestKey('Someone Else')]);
    key = k;
    keyring = join(tmp, 'test.gpg');
    foreignKeyring = join(tmp, 'other.gpg');
    await writeKeyring(keyring, [key]);
    await writeKeyring(foreignKeyring, [other]);
    const built = await buildTestArchive(join(tmp, 'archive/debian'), {
      suites: [
        {
          suite: 'patchday-test',
          packages: [binaryStanza('hello', '2.0-1'), binaryStanza('newthing', '1.0')],
          signers: [key],
        },
      ],
    });
    packagesXzPath = built.suites[0]!.packagesXzPath;
    statusFile = join(tmp, 'status');
    await writeFile(
      statusFile,
      makePackagesText([
        { ...binaryStanza('hello', '1.0-1', { Filename: undefined, Size: undefined, SHA256: undefined }), Status: 'install ok installed' },
      ]),
    );
    server = await startArchiveServer(join(tmp, 'archive'));
  });
  after(async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const sandboxFor = (kr: string) =>
    createAptSandbox({ sources: [{ url: `${server.url}/debian`, suites: ['patchday-test'], keyring: kr }], statusFile });

  test('apt accepts a test-key archive and sees its upgrade', async () => {
    const sandbox = await sandboxFor(keyring);
    try {
      const update = await sandbox.update();
      assert.deepEqual(update.warnings, [], update.stderr);
      const sim = await sandbox.simulateDistUpgrade();
      assert.deepEqual(
        sim.upgrades.map(({ package: p, from, to }) => ({ p, from, to })),
        [{ p: 'hello', from: '1.0-1', to: '2.0-1' }],
      );
      assert.deepEqual(sim.installs, [], 'dist-upgrade does not pull in unrelated packages');
    } finally {
      await sandbox.dispose();
    }
  });

  test('apt refuses a signature from a key outside the keyring', async () => {
    const sandbox = await sandboxFor(foreignKeyring);
    try {
      const update = await sandbox.update({ allowFailure: true });
      assert.notEqual(update.exitCode, 0);
      assert.match(update.warnings.join('\n'), /NO_PUBKEY/);
      assert.match(update.errors.join('\n'), /is not signed/);
      const sim = await sandbox.simulateDistUpgrade();
      assert.deepEqual(sim.upgrades, []);
    } finally {
      await sandbox.dispose();
    }
  });

  test('apt refuses a Packages.xz whose hash does not match the signed InRelease', async () => {
    const sandbox = await sandboxFor(keyring);
    // Same length, one byte flipped: only the hash can catch it.
    const tampered = Buffer.from(await readFile(packagesXzPath));
    tampered[tampered.length >> 1] ^= 0x01;
    server.fault('Packages.xz', { body: tampered });
    try {
      const update = await sandbox.update({ allowFailure: true });
      assert.notEqual(update.exitCode, 0);
      assert.match(update.errors.join('\n'), /Hash Sum mismatch/);
      assert.doesNotMatch(update.stderr, /unexpected size/);
    } finally {
      server.clearFaults();
      await sandbox.dispose();
    }
  });
});
