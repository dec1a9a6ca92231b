import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFormatError } from './format-error.ts';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { canonicalFieldName, fieldLineInStanza, fieldValue, parseDeb822, parseDeb822All, scanDeb822 } from '../../src/debian/deb822.ts';
import { DebianFormatError } from '../../src/debian/errors.ts';

function rejects(text: string, message: string | RegExp, line?: number): void {
  assertFormatError(() => parseDeb822All(text), message, line);
}

describe('parseDeb822', () => {
  it('reads stanzas separated by blank lines, with their first line numbers', () => {
    const seen: Array<[Record<string, string>, number]> = [];
    parseDeb822('Package: a\nVersion: 1\n\nPackage: b\nVersion: 2\n', (fields, line) => seen.push([fields, line]));
    assert.deepEqual(seen, [
      [{ Package: 'a', Version: '1' }, 1],
      [{ Package: 'b', Version: '2' }, 4],
    ]);
  });

  it('treats lines of only spaces and tabs as stanza separators, and tolerates several of them', () => {
    const text = '\n\n  \nPackage: a\n \t \n\n\nPackage: b\n\t\n';
    assert.deepEqual(parseDeb822All(text), [{ Package: 'a' }, { Package: 'b' }]);
  });

  it('reads the last stanza without a final newline, and an empty text as no stanzas', () => {
    assert.deepEqual(parseDeb822All('Package: a\nVersion: 1'), [{ Package: 'a', Version: '1' }]);
    assert.deepEqual(parseDeb822All(''), []);
    assert.deepEqual(parseDeb822All('\n \n'), []);
  });

  it('strips blanks around a single-line value and accepts no space after the colon', () => {
    assert.deepEqual(parseDeb822All('Package:a\nVersion: \t 1.0 \t\nEmpty:\nBlank:   \n'), [
      { Package: 'a', Version: '1.0', Empty: '', Blank: '' },
    ]);
  });

  it('keeps the first colon as the separator, so values may contain colons', () => {
    assert.deepEqual(parseDeb822All('Version: 1:2.3-4\nHomepage: https://example.org:8080/x\n'), [
      { Version: '1:2.3-4', Homepage: 'https://example.org:8080/x' },
    ]);
  });

  it('keeps multi-line values as dpkg does: first line, then each continuation line as written', () => {
    const text = 'Description: short\n long line one\n  indented\n .\n\tTabbed\nNext: x\n';
    assert.deepEqual(parseDeb822All(text), [{ Description: 'short\n long line one\n  indented\n .\n\tTabbed', Next: 'x' }]);
  });

  it('keeps an empty first line of a multi-line value as a leading newline (SHA256: lists)', () => {
    const text = 'SHA256:\n aaaa 1 main/a\n bbbb 2 main/b\nDate: x\n';
    assert.deepEqual(parseDeb822All(text), [{ SHA256: '\n aaaa 1 main/a\n bbbb 2 main/b', Date: 'x' }]);
  });

  it('drops trailing blanks at the end of a multi-line value only', () => {
    assert.deepEqual(parseDeb822All('A: one  \n two  \n'), [{ A: 'one  \n two' }]);
  });

  it('skips comment lines, even between continuation lines, without ending the value', () => {
    const text = '# header comment\nSource: x\n# between fields\nDepends: a,\n# inside a value\n b,\n c\nVersion: 1\n#\n';
    assert.deepEqual(parseDeb822All(text), [{ Source: 'x', Depends: 'a,\n b,\n c', Version: '1' }]);
  });

  it('accepts CRLF line ends', () => {
    const text = 'Package: a\r\nDescription: d\r\n more\r\n\r\nPackage: b\r\n';
    assert.deepEqual(parseDeb822All(text), [{ Package: 'a', Description: 'd\n more' }, { Package: 'b' }]);
  });

  it("stores fields Debian defines under Debian's spelling, whatever case the file used", () => {
    const [fields] = parseDeb822All('PACKAGE: a\nversion: 1\nsha256: x\nvalid-until: y\nmd5SUM: z\n');
    assert.deepEqual(fields, { Package: 'a', Version: '1', SHA256: 'x', 'Valid-Until': 'y', MD5sum: 'z' });
  });

  it('keeps the spelling of other fields and finds them case-insensitively with fieldValue', () => {
    const [fields] = parseDeb822All('X-Custom-Thing: 1\nRuby-Versions: all\n');
    assert.deepEqual(fields, { 'X-Custom-Thing': '1', 'Ruby-Versions': 'all' });
    assert.equal(fieldValue(fields, 'x-custom-thing'), '1');
    assert.equal(fieldValue(fields, 'RUBY-VERSIONS'), 'all');
    assert.equal(fieldValue(fields, 'package'), undefined);
    assert.equal(fieldValue(fields, 'constructor'), undefined);
    assert.equal(canonicalFieldName('acquire-by-hash'), 'Acquire-By-Hash');
    assert.equal(canonicalFieldName('X-Foo'), 'X-Foo');
  });

  it('gives every stanza its own object', () => {
    const stanzas = parseDeb822All('A: 1\n\nA: 2\n');
    assert.notEqual(stanzas[0], stanzas[1]);
    assert.equal(stanzas[0].A, '1');
  });

  it('allows the same field again in the next stanza', () => {
    assert.deepEqual(parseDeb822All('A: 1\nB: 2\n\nB: 3\nA: 4\n'), [{ A: '1', B: '2' }, { B: '3', A: '4' }]);
  });

  describe('refuses malformed input, naming the line', () => {
    it('a line without a colon', () => {
      rejects('Package: a\nthis is not a field\n', 'line 2, package "a": line is neither "Field: value" nor a continuation: "this is not a field"', 2);
    });
    it('a continuation line before any field', () => {
      rejects(' leading continuation\nPackage: a\n', 'line 1: continuation line before any field', 1);
      rejects('Package: a\n\n continuation after a blank line\n', 'line 3: continuation line before any field', 3);
    });
    it('a duplicate field, also when spelled differently', () => {
      rejects('Package: a\nVersion: 1\nVersion: 2\n', 'line 3, package "a", field Version: duplicate field (first on line 2)', 3);
      rejects('Package: a\nversion: 1\nVERSION: 2\n', /line 3, package "a", field Version: duplicate field \(first on line 2\)/);
      rejects('X-Foo: 1\nx-foo: 2\n', /line 2, field x-foo: duplicate field \(first on line 1\)/);
    });
    it('an empty field name', () => {
      rejects('Package: a\n: value\n', 'line 2, package "a": empty field name', 2);
    });
    it('a field name with a space, a control character, a non-ASCII letter or a leading hyphen', () => {
      rejects('Bad Name: x\n', /^line 1: invalid character " " in field name "Bad Name"$/);
      rejects('Bad\u0001: x\n', /^line 1: invalid character "\\u0001" in field name/);
      rejects('Bäd: x\n', /^line 1: invalid character "ä" in field name "Bäd"$/);
      rejects('-----BEGIN PGP SIGNATURE-----: x\n', /^line 1: field name "-----BEGIN PGP SIGNATURE-----" starts with "-"$/);
    });
    it('a field called __proto__, which a plain object would swallow', () => {
      rejects('__proto__: x\n', /__proto__/);
    });
    it('a NUL character', () => {
      rejects('Package: a\nVersion: 1\0\n', 'line 2: NUL character in a control file', 2);
    });
    it('and quotes hostile text so it cannot forge log lines', () => {
      rejects('Package: a\nx\u001b[31mred\n', /"x\\u001b\[31mred"/);
    });
  });

  it('stops at the first error and reports the stanzas before it only through the callback', () => {
    const seen: string[] = [];
    assert.throws(() => parseDeb822('Package: a\n\nPackage: b\nbroken\n', (f) => seen.push(f.Package)), DebianFormatError);
    assert.deepEqual(seen, ['a']);
  });

  it('reads the real dpkg status file of a Debian 12 image', () => {
    const stanzas = parseDeb822All(readFileSync('/work/shared/data/dpkg-status/bookworm-node-image.status', 'utf8'));
    const installed = stanzas.filter((s) => s.Status === 'install ok installed');
    assert.equal(installed.length, 710);
    const base = stanzas.find((s) => s.Package === 'base-files');
    assert.ok(base);
    assert.match(base.Version, /^12\./);
    assert.ok(stanzas.every((s) => typeof s.Package === 'string' && typeof s.Version === 'string'));
    // Conffiles is a multi-line list whose first line is empty.
    assert.ok(stanzas.some((s) => s.Conffiles?.startsWith('\n /etc/')));
  });

  it('reads every stanza of a real Packages index', () => {
    const xz = spawnSync('xz', ['-dc', '/work/shared/data/debian-archive-2026-11-24/debian-security/dists/trixie-security/main/binary-amd64/Packages.xz'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(xz.status, 0, xz.stderr);
    const stanzas = parseDeb822All(xz.stdout);
    assert.equal(stanzas.length, 2515);
    const expectedFieldLines = xz.stdout.split('\n').filter((l) => /^[^ \t#][^:]*:/.test(l)).length;
    assert.equal(stanzas.reduce((n, s) => n + Object.keys(s).length, 0), expectedFieldLines);
    assert.ok(stanzas.every((s) => /^[0-9a-f]{64}$/.test(s.SHA256)));
  });
});

describe('scanDeb822', () => {
  it('delivers only the wanted fields, but still checks the others', () => {
    const seen: string[] = [];
    const visitor = {
      wanted: new Set(['Package', 'Version']),
      field: (key: string, value: string) => seen.push(`${key}=${value}`),
      endStanza: (line: number) => seen.push(`end@${line}`),
    };
    scanDeb822('Package: a\nMaintainer: m\n more\nVersion: 1\n\nversion: 2\npackage: b\n', visitor);
    assert.deepEqual(seen, ['Package=a', 'Version=1', 'end@1', 'Version=2', 'Package=b', 'end@6']);
    assert.throws(() => scanDeb822('Package: a\nMaintainer: m\nmaintainer: n\n', visitor), /line 3, package "a", field Maintainer: duplicate field/);
  });

  it('lets an error thrown by the visitor through unchanged', () => {
    const boom = new Error('visitor says no');
    assert.throws(() => scanDeb822('A: 1\n', { field: () => {}, endStanza: () => { throw boom; } }), (e) => e === boom);
  });
});

describe('fieldLineInStanza', () => {
  const text = 'Package: a\nVersion: 1\n\nPackage: b\nDescription: x\n more\nsha256: h\n\nPackage: c\n';
  it('finds a field of a given stanza, case-insensitively', () => {
    assert.equal(fieldLineInStanza(text, 1, 'Version'), 2);
    assert.equal(fieldLineInStanza(text, 4, 'SHA256'), 7);
    assert.equal(fieldLineInStanza(text, 4, 'Package'), 4);
  });
  it('does not look into the next stanza or continuation lines', () => {
    assert.equal(fieldLineInStanza(text, 1, 'Description'), undefined);
    assert.equal(fieldLineInStanza(text, 4, 'more'), undefined);
    assert.equal(fieldLineInStanza(text, 9, 'Version'), undefined);
  });
});
