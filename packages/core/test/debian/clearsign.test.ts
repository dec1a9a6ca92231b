import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFormatError } from './format-error.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { splitClearsigned } from '../../src/debian/clearsign.ts';

const ARCHIVE = '/work/shared/data/debian-archive-2026-11-24';
const KEYRING = '/work/shared/data/keyrings/debian-archive-keyring.gpg';
const IN_RELEASES = [
  `${ARCHIVE}/debian/dists/bookworm/InRelease`,
  `${ARCHIVE}/debian/dists/bookworm-updates/InRelease`,
  `${ARCHIVE}/debian/dists/trixie/InRelease`,
  `${ARCHIVE}/debian/dists/trixie-updates/InRelease`,
  `${ARCHIVE}/debian-security/dists/bookworm-security/InRelease`,
  `${ARCHIVE}/debian-security/dists/trixie-security/InRelease`,
];
const REAL = readFileSync(`${ARCHIVE}/debian/dists/trixie-updates/InRelease`, 'utf8');
const REAL_SIGNATURE = REAL.slice(REAL.indexOf('-----BEGIN PGP SIGNATURE-----'));

function refuses(text: string, message: string | RegExp, line?: number): void {
  assertFormatError(() => splitClearsigned(text), message, line);
}

/** A structurally valid clearsigned file around `body` (the signature does not match; no matter here). */
function clearsigned(body: string, headers = 'Hash: SHA256\n'): string {
  return `-----BEGIN PGP SIGNED MESSAGE-----\n${headers}\n${body}\n${REAL_SIGNATURE}`;
}

const workDir = mkdtempSync('/tmp/patchday-clearsign-');
after(() => rmSync(workDir, { recursive: true, force: true }));

function gpgvAccepts(text: string): boolean {
  const file = `${workDir}/InRelease`;
  writeFileSync(file, text);
  return spawnSync('gpgv', ['--homedir', workDir, '--keyring', KEYRING, file]).status === 0;
}

const hasGpgv = spawnSync('gpgv', ['--version']).status === 0;

describe('splitClearsigned on the real InRelease files', () => {
  for (const path of IN_RELEASES) {
    it(path.slice(ARCHIVE.length + 1), () => {
      const text = readFileSync(path, 'utf8');
      const { signedText, armoredSignature } = splitClearsigned(text);
      const expected = text.slice(text.indexOf('\n\n') + 2, text.indexOf('\n-----BEGIN PGP SIGNATURE-----'));
      assert.equal(signedText, expected);
      assert.match(signedText, /^Origin: Debian\n/);
      assert.ok(!signedText.endsWith('\n'));
      assert.ok(armoredSignature.startsWith('-----BEGIN PGP SIGNATURE-----\n\n'));
      assert.ok(armoredSignature.endsWith('\n-----END PGP SIGNATURE-----\n'));
      assert.equal(text.endsWith(armoredSignature), true);
      assert.equal(splitClearsigned(text).firstLine, 4);
    });
  }

  it('returns exactly what the signature covers: a file rebuilt from the parts still verifies with gpgv', { skip: !hasGpgv && 'gpgv is not installed' }, () => {
    for (const path of IN_RELEASES) {
      const { signedText, armoredSignature } = splitClearsigned(readFileSync(path, 'utf8'));
      const escaped = signedText.replace(/^-/gm, '- -');
      assert.ok(gpgvAccepts(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${escaped}\n${armoredSignature}`), path);
      assert.ok(!gpgvAccepts(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${escaped}\nX\n${armoredSignature}`), path);
    }
  });
});

describe('splitClearsigned accepts what RFC 4880 / RFC 9580 allow', () => {
  it('CRLF line ends, giving the same signed text as LF', () => {
    assert.deepEqual(splitClearsigned(REAL.replace(/\n/g, '\r\n')), splitClearsigned(REAL));
  });

  it('trailing newlines and whitespace after the signature block', () => {
    assert.equal(splitClearsigned(`${REAL}\n\n  \n\t`).signedText, splitClearsigned(REAL).signedText);
  });

  it('trailing whitespace on armor lines', () => {
    const text = REAL.replace('-----BEGIN PGP SIGNED MESSAGE-----\n', '-----BEGIN PGP SIGNED MESSAGE-----  \n').replace('-----END PGP SIGNATURE-----', '-----END PGP SIGNATURE----- \t');
    assert.equal(splitClearsigned(text).signedText, splitClearsigned(REAL).signedText);
  });

  it('removes trailing spaces and tabs from signed lines, because the signature does not cover them', () => {
    assert.equal(splitClearsigned(clearsigned('Origin: Debian  \t\nLabel: x ')).signedText, 'Origin: Debian\nLabel: x');
  });

  it('stays linear on long runs of blanks inside a line (it runs before the signature is checked)', () => {
    const started = Date.now();
    const body = `A: ${' '.repeat(300_000)}x${' '.repeat(300_000)}`;
    assert.equal(splitClearsigned(clearsigned(body)).signedText.length, 300_004);
    refuses(`${REAL}${' '.repeat(300_000)}x`, /content after the signature block$/);
    assert.ok(Date.now() - started < 1000);
  });

  it('removes dash-escaping, so escaped armor lines come back as content', () => {
    const body = '- -----BEGIN PGP SIGNATURE-----\n- - leading dash\n- From: x\nplain';
    assert.equal(splitClearsigned(clearsigned(body)).signedText, '-----BEGIN PGP SIGNATURE-----\n- leading dash\nFrom: x\nplain');
  });

  it('keeps empty lines of the signed text, including a last one', () => {
    assert.equal(splitClearsigned(clearsigned('A: 1\n\nB: 2\n')).signedText, 'A: 1\n\nB: 2\n');
  });

  it('no Hash header (RFC 9580), or several hashes', () => {
    assert.equal(splitClearsigned(clearsigned('A: 1', '')).signedText, 'A: 1');
    assert.equal(splitClearsigned(clearsigned('A: 1', '')).firstLine, 3);
    assert.equal(splitClearsigned(clearsigned('A: 1', 'Hash: SHA256\nHash: SHA512\n')).firstLine, 5);
    assert.equal(splitClearsigned(clearsigned('A: 1', 'Hash: SHA256, SHA512\nHash: SHA384\n')).signedText, 'A: 1');
  });

  it('Version and Comment headers in the signature armor', () => {
    const signature = REAL_SIGNATURE.replace('-----BEGIN PGP SIGNATURE-----\n', '-----BEGIN PGP SIGNATURE-----\nVersion: GnuPG v2\nComment: archive key\n');
    const text = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: 1\n${signature}`;
    assert.match(splitClearsigned(text).armoredSignature, /^-----BEGIN PGP SIGNATURE-----\nVersion: GnuPG v2\nComment: archive key\n\n/);
  });
});

describe('splitClearsigned refuses', () => {
  it('an unsigned file', () => {
    refuses('Origin: Debian\nSuite: stable\n', 'not signed: no OpenPGP cleartext signature');
    refuses('', 'not signed: no OpenPGP cleartext signature');
    refuses(REAL_SIGNATURE, 'not signed: no OpenPGP cleartext signature');
  });

  it('anything before the header line: a line, a blank line, a BOM, a space', () => {
    const reason = 'content before "-----BEGIN PGP SIGNED MESSAGE-----": a clearsigned file must start with that line';
    refuses(`Origin: Evil\n${REAL}`, `line 2: ${reason}`, 2);
    refuses(`\n${REAL}`, `line 2: ${reason}`, 2);
    refuses(`\uFEFF${REAL}`, `line 1: ${reason}`, 1);
    refuses(` ${REAL}`, `line 1: ${reason}`, 1);
  });

  it('anything after the signature block', () => {
    const lines = REAL.split('\n').length;
    refuses(`${REAL}Package: evil\nVersion: 9\n`, 'line ' + lines + ': content after the signature block', lines);
    refuses(`${REAL}\n\nx`, `line ${lines + 2}: content after the signature block`, lines + 2);
  });

  it('a second signed message, after the first or inside it', () => {
    const lines = REAL.split('\n').length;
    refuses(`${REAL}${REAL}`, `line ${lines}: a second signed message follows the signature block`, lines);
    refuses(clearsigned('A: 1\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nB: 2'), 'line 5: a second signed message starts inside the signed text', 5);
  });

  it('a missing or unterminated signature block', () => {
    const signedPart = REAL.slice(0, REAL.indexOf('-----BEGIN PGP SIGNATURE-----'));
    refuses(signedPart, 'missing signature block: no "-----BEGIN PGP SIGNATURE-----" line');
    const unterminated = REAL.replace('-----END PGP SIGNATURE-----\n', '');
    const at = REAL.split('\n').findIndex((l) => l === '-----BEGIN PGP SIGNATURE-----') + 1;
    refuses(unterminated, `line ${at}: signature block is not closed by "-----END PGP SIGNATURE-----"`, at);
  });

  it('unknown or malformed armor headers in the signed message', () => {
    refuses(clearsigned('A: 1', 'Hash: SHA256\nComment: hello\n'), 'line 3: unknown armor header "Comment" in the signed message (only "Hash" is allowed)', 3);
    refuses(clearsigned('A: 1', 'Origin: Evil\n'), 'line 2: unknown armor header "Origin" in the signed message (only "Hash" is allowed)', 2);
    refuses(clearsigned('A: 1', 'Hash:SHA256\n'), 'line 2: malformed armor header "Hash:SHA256" in the signed message', 2);
    refuses(clearsigned('A: 1', 'Hash: SHA256;rm\n'), 'line 2: malformed Hash armor header "Hash: SHA256;rm"', 2);
  });

  it('a header block without the empty line', () => {
    refuses('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256', 'no empty line after the armor headers of the signed message');
  });

  it('a signed line that starts with an unescaped dash', () => {
    refuses(clearsigned('A: 1\n-B: 2'), 'line 5: line in the signed text starts with "-" but is not dash-escaped', 5);
    refuses(clearsigned('-----BEGIN PGP SIGNATURE----- trailing text'), /^line 4: line in the signed text starts with "-"/, 4);
  });

  it('a carriage return inside a signed line, which OpenPGP would read as a line end', () => {
    refuses(clearsigned('A: 1\rB: 2'), 'line 4: carriage return inside a line of the signed text', 4);
  });

  it('unknown headers, junk or an empty body in the signature block', () => {
    const withHeader = (header: string) => REAL.replace('-----BEGIN PGP SIGNATURE-----\n', `-----BEGIN PGP SIGNATURE-----\n${header}\n`);
    const at = REAL.split('\n').findIndex((l) => l === '-----BEGIN PGP SIGNATURE-----') + 1;
    refuses(withHeader('Evil: yes'), `line ${at + 1}: unknown armor header "Evil" in the signature block`, at + 1);
    refuses(withHeader('not a header'), `line ${at + 1}: malformed armor header "not a header" in the signature block`, at + 1);
    refuses(REAL.replace(/(-----BEGIN PGP SIGNATURE-----\n\n)[A-Za-z0-9]/, '$1!'), `line ${at + 2}: invalid line ${JSON.stringify(REAL.split('\n')[at + 1].replace(/^./, '!'))} in the signature block (not base64)`, at + 2);
    refuses(clearsigned('A: 1').replace(/(-----BEGIN PGP SIGNATURE-----\n\n)[^]*(-----END)/, '$1$2'), /^line 5: signature block is empty$/, 5);
    refuses(REAL.replace('-----END PGP SIGNATURE-----', 'AAAA\n-----END PGP SIGNATURE-----'), /signature data after the armor checksum$/);
    refuses(REAL.replace('-----END PGP SIGNATURE-----', '-----BEGIN PGP SIGNATURE-----'), /unexpected armor line "-----BEGIN PGP SIGNATURE-----" inside the signature block$/);
  });
});
