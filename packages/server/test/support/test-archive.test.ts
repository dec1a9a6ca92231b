import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as openpgp from 'openpgp';
import {
  binaryStanza,
  buildTestArchive,
  createTestKey,
  makeStanza,
  resignInRelease,
  sha256Hex,
  writeKeyring,
  xzBomb,
  xzCompress,
} from './test-archive.ts';
import type { TestKey } from './test-archive.ts';

const REAL_INRELEASE = '/work/shared/data/debian-archive-2026-11-24/debian/dists/bookworm-updates/InRelease';

let tmp: string;
let alice: TestKey;
let bob: TestKey;
let mallory: TestKey;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'patchday-test-archive-'));
  [alice, bob, mallory] = await Promise.all([createTestKey('Alice Archive'), createTestKey('Bob Archive'), createTestKey('Mallory')]);
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Fingerprints gpgv reports as VALIDSIG, plus its exit code: gpgv is the reference verifier. */
function gpgv(keyring: string, file: string): { status: number | null; valid: string[]; output: string } {
  const r = spawnSync('gpgv', ['--homedir', tmp, '--status-fd', '1', '--keyring', keyring, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const valid = [...r.stdout.matchAll(/^\[GNUPG:\] VALIDSIG ([0-9A-F]{40})/gm)].map((m) => m[1]!);
  return { status: r.status, valid, output: r.stdout + r.stderr };
}

function xzDecompress(data: Buffer): Buffer {
  const r = spawnSync('xz', ['-dc'], { input: data, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`xz -dc failed: ${r.stderr.toString()}`);
  return r.stdout;
}

describe('keys and signatures', () => {
  test('a test key has the shape a keyring needs', () => {
    assert.match(alice.fingerprint, /^[0-9A-F]{40}$/);
    assert.notEqual(alice.fingerprint, bob.fingerprint);
    assert.match(alice.armoredPublic, /BEGIN PGP PUBLIC KEY BLOCK/);
    assert.match(alice.armoredPrivate, /BEGIN PGP PRIVATE KEY BLOCK/);
    // 0x98 / 0xC6: old- or new-format public-key packet, what a binary keyring starts with.
    assert.ok([0x98, 0xc6].includes(alice.binaryPublic[0]!), `first byte ${alice.binaryPublic[0]}`);
  });

  test('gpgv accepts one signer, and a flipped byte breaks it', async () => {
    const keyring = join(tmp, 'one.gpg');
    await writeKeyring(keyring, [alice]);
    const text = 'Origin: Test\nSuite: one\nSHA256:\n 00 1 main/x\n';
    const signed = await resignInRelease(text, [alice]);
    assert.match(signed, /^-----BEGIN PGP SIGNED MESSAGE-----\n/);
    // Like gpg --clearsign: the last signed line sits right above the signature block.
    assert.match(signed, / 00 1 main\/x\n-----BEGIN PGP SIGNATURE-----/);
    const file = join(tmp, 'one-InRelease');
    await writeFile(file, signed);
    const good = gpgv(keyring, file);
    assert.equal(good.status, 0, good.output);
    assert.deepEqual(good.valid, [alice.fingerprint]);

    await writeFile(file, signed.replace('Suite: one', 'Suite: onf'));
    const bad = gpgv(keyring, file);
    assert.notEqual(bad.status, 0, bad.output);
    assert.match(bad.output, /BADSIG/);
    assert.deepEqual(bad.valid, []);
  });

  test('two signers make one message that gpgv verifies twice; each key alone suffices', async () => {
    const both = join(tmp, 'both.gpg');
    const onlyBob = join(tmp, 'bob.gpg');
    const onlyMallory = join(tmp, 'mallory.gpg');
    await writeKeyring(both, [alice, bob]);
    await writeKeyring(onlyBob, [bob]);
    await writeKeyring(onlyMallory, [mallory]);
    const signed = await resignInRelease('Origin: Test\nSuite: two\n', [alice, bob]);
    assert.equal(signed.match(/-----BEGIN PGP SIGNATURE-----/g)?.length, 1);
    const file = join(tmp, 'two-InRelease');
    await writeFile(file, signed);

    const r = gpgv(both, file);
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(r.valid.sort(), [alice.fingerprint, bob.fingerprint].sort());
    // gpgv exits non-zero when any signature lacks its key, yet still reports the good one:
    // the reason a verifier must count good signatures rather than trust an exit code.
    const partial = gpgv(onlyBob, file);
    assert.deepEqual(partial.valid, [bob.fingerprint]);
    const foreign = gpgv(onlyMallory, file);
    assert.notEqual(foreign.status, 0);
    assert.deepEqual(foreign.valid, []);
  });

  test('the keyring format is the one Debian ships: gpgv reads the real keyring the same way', () => {
    const r = gpgv('/work/shared/data/keyrings/debian-archive-keyring.gpg', REAL_INRELEASE);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.valid.length, 2);
  });
});

describe('makeStanza', () => {
  test('renders multi-line fields with continuation lines and " ." for blank ones', () => {
    const text = makeStanza({ Package: 'hello', Version: '1.0-1', Description: 'greets\nIt says hello.\n\nTwice.', Size: 42, Skip: undefined });
    assert.equal(text, 'Package: hello\nVersion: 1.0-1\nDescription: greets\n It says hello.\n .\n Twice.\nSize: 42\n');
  });
});

describe('buildTestArchive', () => {
  test('lays out InRelease and Packages.xz like the real archive, with true hashes, signed by every signer', async () => {
    const dir = join(tmp, 'archive');
    const keyring = join(tmp, 'archive.gpg');
    await writeKeyring(keyring, [alice, bob]);
    const stanzas = [binaryStanza('hello', '2.10-3'), binaryStanza('libfoo1', '1:1.2-1', { Source: 'foo' })];
    const built = await buildTestArchive(dir, {
      suites: [
        {
          suite: 'bookworm-security',
          codename: 'bookworm-security',
          label: 'Debian-Security',
          version: '12',
          date: new Date('2026-11-22T19:58:56Z'),
          validUntil: new Date('2026-11-29T19:58:56Z'),
          architectures: ['amd64'],
          components: ['main'],
          packages: stanzas,
          signers: [alice, bob],
        },
      ],
    });
    const suite = built.suites[0]!;
    assert.equal(suite.inReleasePath, join(dir, 'dists/bookworm-security/InRelease'));
    assert.equal(suite.packagesXzPath, join(dir, 'dists/bookworm-security/main/binary-amd64/Packages.xz'));

    const inRelease = await readFile(suite.inReleasePath, 'utf8');
    const xz = await readFile(suite.packagesXzPath);
    assert.equal(xzDecompress(xz).toString(), suite.packagesText);
    assert.match(suite.packagesText, /^Package: hello\n[\s\S]*\n\nPackage: libfoo1\n[\s\S]*\n\n$/);

    assert.match(inRelease, /^Date: Sun, 22 Nov 2026 19:58:56 UTC$/m);
    assert.match(inRelease, /^Valid-Until: Sun, 29 Nov 2026 19:58:56 UTC$/m);
    assert.match(inRelease, /^Suite: bookworm-security\nVersion: 12\nCodename: bookworm-security$/m);
    const xzLine = ` ${sha256Hex(xz)} ${String(xz.length).padStart(8)} main/binary-amd64/Packages.xz`;
    assert.ok(inRelease.includes(`${xzLine}\n`), `missing ${xzLine}`);
    const plain = Buffer.from(suite.packagesText);
    assert.ok(inRelease.includes(` ${sha256Hex(plain)} ${String(plain.length).padStart(8)} main/binary-amd64/Packages\n`));

    // Same column layout as dak's: the path starts where it does in the real InRelease.
    const real = await readFile(REAL_INRELEASE, 'utf8');
    const realLine = real.split('\n').find((l) => l.endsWith(' main/binary-amd64/Packages.xz'))!;
    assert.equal(xzLine.indexOf(' main/'), realLine.indexOf(' main/'));

    assert.doesNotMatch(inRelease, /\r/, 'LF line endings, as in the real files');
    const r = gpgv(keyring, suite.inReleasePath);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.valid.length, 2);

    // The sync engine verifies with openpgp.js, which must read the LF form back as well.
    const message = await openpgp.readCleartextMessage({ cleartextMessage: inRelease });
    const verificationKeys = await openpgp.readKeys({ binaryKeys: await readFile(keyring) });
    const { signatures } = await openpgp.verify({ message, verificationKeys });
    assert.equal(signatures.length, 2);
    await Promise.all(signatures.map((s) => s.verified));
  });

  test('unsigned, wrapped, lying and corrupt variants come out as asked', async () => {
    const dir = join(tmp, 'variants');
    const keyring = join(tmp, 'variants.gpg');
    await writeKeyring(keyring, [alice]);
    const corrupt = Buffer.from(xzCompress('Package: x\n'));
    corrupt[corrupt.length - 20] ^= 0xff;
    const built = await buildTestArchive(dir, {
      suites: [
        { suite: 'unsigned', packages: 'Package: a\nVersion: 1\n', signers: [] },
        { suite: 'wrapped', packages: [], signers: [alice], extraBefore: 'Origin: Evil\n', extraAfter: 'Suite: evil\n' },
        { suite: 'lying', packages: [binaryStanza('a', '1')], signers: [alice], overrideSha256: '0'.repeat(64), overrideSize: 7 },
        { suite: 'corrupt', dist: 'corrupt-dir', packagesXz: corrupt, signers: [alice] },
        { suite: 'malformed', packages: 'Package a\n Version: \n\n\nPackage:\n', signers: [alice] },
      ],
    });
    const [unsigned, wrapped, lying, corruptSuite, malformed] = built.suites;

    const plain = await readFile(unsigned!.inReleasePath, 'utf8');
    assert.doesNotMatch(plain, /PGP/);
    assert.match(plain, /^Origin: Debian\nLabel: Debian\nSuite: unsigned\n/);
    assert.notEqual(gpgv(keyring, unsigned!.inReleasePath).status, 0);

    const w = await readFile(wrapped!.inReleasePath, 'utf8');
    assert.match(w, /^Origin: Evil\n-----BEGIN PGP SIGNED MESSAGE-----/);
    assert.match(w, /-----END PGP SIGNATURE-----\nSuite: evil\n$/);

    const l = await readFile(lying!.inReleasePath, 'utf8');
    assert.match(l, new RegExp(` ${'0'.repeat(64)}        7 main/binary-amd64/Packages.xz\n`));
    assert.equal(gpgv(keyring, lying!.inReleasePath).status, 0, 'the lie is signed');

    assert.equal(corruptSuite!.inReleasePath, join(dir, 'dists/corrupt-dir/InRelease'));
    assert.deepEqual(await readFile(corruptSuite!.packagesXzPath), corrupt);
    const c = await readFile(corruptSuite!.inReleasePath, 'utf8');
    assert.ok(c.includes(` ${sha256Hex(corrupt)} ${String(corrupt.length).padStart(8)} main/binary-amd64/Packages.xz\n`));
    assert.doesNotMatch(c, / main\/binary-amd64\/Packages\n/);
    assert.equal(spawnSync('xz', ['-t'], { input: corrupt }).status, 1);

    assert.equal(xzDecompress(await readFile(malformed!.packagesXzPath)).toString(), 'Package a\n Version: \n\n\nPackage:\n');
  });
  test('a rebuild in the same second still moves Last-Modified on', async () => {
    const dir = join(tmp, 'rebuilt');
    const spec = (date: Date) => ({ suites: [{ suite: 'again', date, packages: [], signers: [alice] }] });
    const first = await buildTestArchive(dir, spec(new Date('2026-01-01T00:00:00Z')));
    const t1 = (await stat(first.suites[0]!.inReleasePath)).mtimeMs;
    const second = await buildTestArchive(dir, spec(new Date('2026-01-02T00:00:00Z')));
    const t2 = (await stat(second.suites[0]!.inReleasePath)).mtimeMs;
    assert.ok(Math.floor(t2 / 1000) > Math.floor(t1 / 1000), `${t1} -> ${t2}`);
    assert.match(await readFile(second.suites[0]!.inReleasePath, 'utf8'), /^Date: Fri, 02 Jan 2026 00:00:00 UTC$/m);
  });
});

describe('xz helpers', () => {
  test('xzBomb inflates to exactly the asked size from a tiny file, without holding it', async () => {
    const size = 64 * 1024 * 1024 + 3;
    const before = process.memoryUsage().rss;
    const bomb = xzBomb(size);
    assert.ok(process.memoryUsage().rss - before < size / 2, 'the zeros must not pass through this process');
    assert.ok(bomb.length < 64 * 1024, `bomb is ${bomb.length} bytes`);
    assert.equal(xzBomb(size), bomb, 'cached');
    const file = join(tmp, 'bomb.xz');
    await writeFile(file, bomb);
    const list = spawnSync('xz', ['--robot', '--list', file], { encoding: 'utf8' });
    const totals = list.stdout.split('\n').find((l) => l.startsWith('totals\t'))!.split('\t');
    assert.equal(Number(totals[4]), size, list.stdout); // uncompressed size column
    assert.equal(Number(totals[1]), 1, 'one stream, like a real Packages.xz');
    const wc = spawnSync('sh', ['-c', 'xz -dc "$1" | wc -c', 'sh', file], { encoding: 'utf8' });
    assert.equal(Number(wc.stdout.trim()), size);
  });

  test('xzCompress round-trips through Debian xz', () => {
    const text = makeStanza({ Package: 'zz', Version: '0' }).repeat(1000);
    const xz = xzCompress(text);
    assert.ok(xz.length < text.length / 10);
    assert.deepEqual(xz.subarray(0, 6), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
    assert.equal(xzDecompress(xz).toString(), text);
  });
});
