import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFormatError } from './format-error.ts';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { splitClearsigned } from '../../src/debian/clearsign.ts';
import { debianProductOf, parseRelease, type ReleaseFile } from '../../src/debian/release.ts';

const ARCHIVE = '/work/shared/data/debian-archive-2026-11-24';

function realRelease(archive: string, suite: string): ReleaseFile {
  const { signedText, firstLine } = splitClearsigned(readFileSync(`${ARCHIVE}/${archive}/dists/${suite}/InRelease`, 'utf8'));
  assert.equal(firstLine, 4);
  return parseRelease(signedText, { firstLine });
}

const refuses = assertFormatError;

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A minimal valid Release text with `change` applied to its lines. */
function release(change: (lines: string[]) => string[] = (l) => l): string {
  const lines = [
    'Origin: Debian',
    'Suite: stable',
    'Codename: trixie',
    'Version: 13.8',
    'Date: Sat, 21 Nov 2026 09:15:44 UTC',
    'Architectures: all amd64',
    'Components: main contrib',
    'SHA256:',
    ` ${HASH}        0 main/binary-amd64/Packages`,
    ` ${HASH}       20 main/binary-amd64/Packages.xz`,
  ];
  return change(lines).join('\n');
}

describe('parseRelease on the real InRelease files', () => {
  it('bookworm (a point release, no Valid-Until)', () => {
    const r = realRelease('debian', 'bookworm');
    assert.equal(r.origin, 'Debian');
    assert.equal(r.label, 'Debian');
    assert.equal(r.suite, 'oldstable');
    assert.equal(r.codename, 'bookworm');
    assert.equal(r.version, '12.15');
    assert.equal(r.description, 'Debian 12.15 Released 11 July 2026');
    assert.equal(r.date.toISOString(), '2026-07-11T10:16:37.000Z');
    assert.equal(r.validUntil, undefined);
    assert.deepEqual(r.architectures, ['all', 'amd64', 'arm64', 'armel', 'armhf', 'i386', 'mips64el', 'mipsel', 'ppc64el', 's390x']);
    assert.deepEqual(r.components, ['main', 'contrib', 'non-free-firmware', 'non-free']);
    assert.equal(r.acquireByHash, true);
    assert.deepEqual(debianProductOf(r), { product: 'Debian 12', majorVersion: 12 });
  });

  it('bookworm-security (Valid-Until, updates/ components, Version 12)', () => {
    const r = realRelease('debian-security', 'bookworm-security');
    assert.equal(r.codename, 'bookworm-security');
    assert.equal(r.version, '12');
    assert.equal(r.date.toISOString(), '2026-11-22T19:58:56.000Z');
    assert.equal(r.validUntil?.toISOString(), '2026-11-29T19:58:56.000Z');
    assert.deepEqual(r.components, ['updates/main', 'updates/contrib', 'updates/non-free-firmware', 'updates/non-free']);
    assert.deepEqual(debianProductOf(r), { product: 'Debian 12', majorVersion: 12 });
  });

  it('maps every real suite to its product', () => {
    const expected: Array<[string, string, string]> = [
      ['debian', 'bookworm', 'Debian 12'],
      ['debian', 'bookworm-updates', 'Debian 12'],
      ['debian', 'trixie', 'Debian 13'],
      ['debian', 'trixie-updates', 'Debian 13'],
      ['debian-security', 'bookworm-security', 'Debian 12'],
      ['debian-security', 'trixie-security', 'Debian 13'],
    ];
    for (const [archive, suite, product] of expected) assert.equal(debianProductOf(realRelease(archive, suite)).product, product, suite);
  });

  it('lists the size and sha256 of each Packages.xz exactly as the file on disk has them', () => {
    for (const [archive, suite] of [
      ['debian', 'bookworm'],
      ['debian', 'bookworm-updates'],
      ['debian', 'trixie'],
      ['debian', 'trixie-updates'],
      ['debian-security', 'bookworm-security'],
      ['debian-security', 'trixie-security'],
    ]) {
      const path = `${ARCHIVE}/${archive}/dists/${suite}/main/binary-amd64/Packages.xz`;
      const entry = realRelease(archive, suite).sha256.get('main/binary-amd64/Packages.xz');
      assert.ok(entry, suite);
      assert.equal(entry.size, statSync(path).size, suite);
      const sum = spawnSync('sha256sum', [path], { encoding: 'utf8' });
      assert.equal(entry.sha256, sum.stdout.split(' ')[0], suite);
    }
  });

  it('keeps every SHA256 line, and reads no other checksum field', () => {
    const text = splitClearsigned(readFileSync(`${ARCHIVE}/debian/dists/bookworm/InRelease`, 'utf8')).signedText;
    const sha256Lines = text.slice(text.indexOf('\nSHA256:\n') + 9).split('\n').filter((l) => /^ [0-9a-f]{64} /.test(l));
    const r = parseRelease(text);
    assert.equal(r.sha256.size, sha256Lines.length);
    assert.ok(r.sha256.size > 500);
    assert.equal(r.sha256.get('main/binary-amd64/Packages')?.size, 50060337);
  });
});

describe('parseRelease validation', () => {
  it('reads a minimal release, and fields spelled in unusual case', () => {
    const r = parseRelease(release());
    assert.equal(r.sha256.size, 2);
    assert.equal(r.acquireByHash, false);
    const shouty = parseRelease(release((l) => l.map((line) => line.replace(/^[A-Za-z0-9-]+:/, (name) => name.toUpperCase()))));
    assert.deepEqual(shouty, r);
  });

  it('refuses a missing or malformed Date, pointing at the line in the InRelease', () => {
    refuses(() => parseRelease(release((l) => l.filter((x) => !x.startsWith('Date:')))), 'field Date: required field is missing');
    refuses(() => parseRelease(release((l) => l.map((x) => (x.startsWith('Date:') ? 'Date: 2026-11-21T09:15:44Z' : x))), { firstLine: 4 }), /^line 8, field Date: not an RFC 2822 date like/);
    refuses(() => parseRelease(release((l) => l.map((x) => (x.startsWith('Date:') ? 'Date: Sun, 21 Nov 2026 09:15:44 UTC' : x)))), 'line 5, field Date: weekday Sun does not match the date "Sun, 21 Nov 2026 09:15:44 UTC"');
  });

  it('refuses an invalid Valid-Until', () => {
    refuses(
      () => parseRelease(release((l) => [...l.slice(0, 5), 'Valid-Until: Sat, 31 Feb 2026 09:15:44 UTC', ...l.slice(5)])),
      'line 6, field Valid-Until: day 31 does not exist in Feb 2026: "Sat, 31 Feb 2026 09:15:44 UTC"',
    );
  });

  it('refuses bad SHA256 entries, naming the line', () => {
    const withEntry = (entry: string) => release((l) => [...l, entry]);
    refuses(() => parseRelease(withEntry(` ${HASH} 10 ../../etc/passwd`)), 'line 11, field SHA256: path has a ".." segment: "../../etc/passwd"');
    refuses(() => parseRelease(withEntry(` ${HASH} 10 /etc/passwd`)), 'line 11, field SHA256: path is absolute: "/etc/passwd"');
    refuses(() => parseRelease(withEntry(` ${HASH} 10 main\\x`)), /^line 11, field SHA256: path contains a backslash/);
    refuses(() => parseRelease(withEntry(` ${HASH.slice(1)} 10 main/x`)), /^line 11, field SHA256: invalid sha256 "3b0c/);
    refuses(() => parseRelease(withEntry(` ${HASH} -1 main/x`)), 'line 11, field SHA256: invalid size "-1" for "main/x"');
    refuses(() => parseRelease(withEntry(` ${HASH} 99999999999999999999 main/x`)), /invalid size "99999999999999999999"/);
    refuses(() => parseRelease(withEntry(` ${HASH} 10`)), /^line 11, field SHA256: expected "<sha256> <size> <path>", got /);
    refuses(() => parseRelease(withEntry(` ${HASH} 1 main/binary-amd64/Packages.xz`)), 'line 11, field SHA256: "main/binary-amd64/Packages.xz" is listed twice');
    refuses(() => parseRelease(release((l) => l.slice(0, 7))), 'field SHA256: required field is missing: the index files could not be verified');
  });

  it('accepts uppercase hex in SHA256 and stores it lowercase', () => {
    const r = parseRelease(release((l) => [...l, ` ${HASH.toUpperCase()} 1 main/other`]));
    assert.equal(r.sha256.get('main/other')?.sha256, HASH);
  });

  it('refuses an Acquire-By-Hash that is neither yes nor no', () => {
    refuses(() => parseRelease(release((l) => [...l.slice(0, 2), 'Acquire-By-Hash: maybe', ...l.slice(2)])), 'line 3, field Acquire-By-Hash: expected "yes" or "no", got "maybe"');
  });

  it('refuses a second stanza, which no InRelease has', () => {
    refuses(() => parseRelease(`${release()}\n\nOrigin: Evil\n`), 'line 12: a Release file has exactly one stanza, this one has 2');
    refuses(() => parseRelease(''), 'a Release file has exactly one stanza, this one has 0');
  });

  it('passes deb822 errors on with the line in the enclosing file', () => {
    refuses(() => parseRelease('Origin: Debian\nnot a field\n', { firstLine: 4 }), /^line 5: line is neither/);
  });
});
