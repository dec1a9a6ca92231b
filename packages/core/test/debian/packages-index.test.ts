import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFormatError } from './format-error.ts';
import { spawnSync } from 'node:child_process';
import { type BinaryPackage, isPackageName, parsePackagesIndex } from '../../src/debian/packages-index.ts';

const ARCHIVE = '/work/shared/data/debian-archive-2026-11-24';

function index(archive: string, suite: string): string {
  const path = `${ARCHIVE}/${archive}/dists/${suite}/main/binary-amd64/Packages.xz`;
  const result = spawnSync('xz', ['-dc', path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

function uploads(binaries: BinaryPackage[]): Set<string> {
  return new Set(binaries.map((b) => `${b.source} ${b.sourceVersion}`));
}

const HASH = '5b72d419dc0fdaaf3765268e9b5edba6f545cd63f926d3c4d807fc3e33b86cdd';

/** One valid stanza; `change` edits its lines (to break one thing at a time). */
function stanza(change: (lines: string[]) => string[] = (l) => l): string {
  return change([
    'Package: 7zip',
    'Version: 22.01+really26.02+dfsg-0+deb12u1',
    'Installed-Size: 2645',
    'Architecture: amd64',
    'Depends: libc6 (>= 2.34), libgcc-s1 (>= 3.0)',
    'Description: 7-Zip file archiver with a high compression ratio',
    'Section: utils',
    'Priority: optional',
    'Filename: pool/updates/main/7/7zip/7zip_22.01+really26.02+dfsg-0+deb12u1_amd64.deb',
    'Size: 1021788',
    `SHA256: ${HASH}`,
  ]).join('\n');
}

function set(field: string, value: string): (lines: string[]) => string[] {
  return (lines) => lines.map((l) => (l.startsWith(`${field}:`) ? `${field}: ${value}` : l));
}

function without(field: string): (lines: string[]) => string[] {
  return (lines) => lines.filter((l) => !l.startsWith(`${field}:`));
}

function refuses(text: string, message: string | RegExp): void {
  assertFormatError(() => parsePackagesIndex(text), message);
}

describe('parsePackagesIndex on the real indexes', () => {
  it('bookworm-security: 3,020 binaries from 414 source uploads', () => {
    const binaries = parsePackagesIndex(index('debian-security', 'bookworm-security'));
    assert.equal(binaries.length, 3020);
    assert.equal(uploads(binaries).size, 414);
  });

  it('the other small suites: bookworm-updates 38, trixie-updates 3, trixie-security 2,515', () => {
    assert.equal(parsePackagesIndex(index('debian', 'bookworm-updates')).length, 38);
    assert.equal(parsePackagesIndex(index('debian', 'trixie-updates')).length, 3);
    assert.equal(parsePackagesIndex(index('debian-security', 'trixie-security')).length, 2515);
  });

  it('the full main suites validate: bookworm 63,440 and trixie 68,829 binaries', () => {
    const bookworm = parsePackagesIndex(index('debian', 'bookworm'));
    assert.equal(bookworm.length, 63440);
    assert.ok(bookworm.every((b) => b.filename.startsWith('pool/main/') && b.size > 0));
    assert.equal(parsePackagesIndex(index('debian', 'trixie')).length, 68829);
  });

  it('reads a binary of a differently named source (libc6 from glibc)', () => {
    const libc6 = parsePackagesIndex(index('debian-security', 'bookworm-security')).filter((b) => b.package === 'libc6');
    assert.ok(libc6.length >= 1);
    for (const b of libc6) {
      assert.equal(b.source, 'glibc');
      assert.equal(b.sourceVersion, b.version);
      assert.equal(b.architecture, 'amd64');
      assert.equal(b.multiArch, 'same');
      assert.equal(b.section, 'libs');
      assert.equal(b.description, 'GNU C Library: Shared libraries');
      assert.match(b.filename, /^pool\/updates\/main\/g\/glibc\/libc6_.*_amd64\.deb$/);
      assert.match(b.sha256, /^[0-9a-f]{64}$/);
    }
  });

  it('reads `Source: name (version)` as the source version (binNMUs and epochs)', () => {
    const binaries = parsePackagesIndex(index('debian-security', 'bookworm-security'));
    const inetutils = binaries.filter((b) => b.source === 'inetutils');
    assert.ok(inetutils.length > 0);
    for (const b of inetutils) assert.equal(b.sourceVersion, '2:2.4-2+deb12u3');
    const libreoffice = binaries.find((b) => b.source === 'libreoffice' && b.package !== 'libreoffice');
    assert.ok(libreoffice);
    assert.match(libreoffice.sourceVersion, /^4:7\.4\.7-1\+deb12u/);
  });
});

describe('parsePackagesIndex on crafted stanzas', () => {
  it('reads every field it promises, and nothing it does not', () => {
    const [b] = parsePackagesIndex(stanza((l) => [...l, 'Pre-Depends: dpkg (>= 1.17)', 'Multi-Arch: foreign', 'Maintainer: someone']));
    assert.deepEqual(b, {
      package: '7zip',
      version: '22.01+really26.02+dfsg-0+deb12u1',
      architecture: 'amd64',
      source: '7zip',
      sourceVersion: '22.01+really26.02+dfsg-0+deb12u1',
      filename: 'pool/updates/main/7/7zip/7zip_22.01+really26.02+dfsg-0+deb12u1_amd64.deb',
      size: 1021788,
      sha256: HASH,
      installedSize: 2645,
      description: '7-Zip file archiver with a high compression ratio',
      section: 'utils',
      priority: 'optional',
      depends: 'libc6 (>= 2.34), libgcc-s1 (>= 3.0)',
      preDepends: 'dpkg (>= 1.17)',
      multiArch: 'foreign',
    });
  });

  it('omits optional fields the stanza lacks', () => {
    const [b] = parsePackagesIndex(stanza((l) => l.filter((x) => /^(Package|Version|Architecture|Filename|Size|SHA256):/.test(x))));
    assert.deepEqual(Object.keys(b).sort(), ['architecture', 'filename', 'package', 'sha256', 'size', 'source', 'sourceVersion', 'version']);
  });

  it('keeps only the first line of a long Description', () => {
    const [b] = parsePackagesIndex(stanza(set('Description', 'short synopsis  \n Long text.\n .\n More.')));
    assert.equal(b.description, 'short synopsis');
  });

  it('reads fields in any case and any order', () => {
    const [b] = parsePackagesIndex(stanza((l) => l.reverse().map((x) => x.replace(/^[A-Za-z0-9-]+:/, (n) => n.toLowerCase()))));
    assert.equal(b.package, '7zip');
    assert.equal(b.sha256, HASH);
    assert.equal(b.installedSize, 2645);
  });

  it('reads a Source with and without version', () => {
    const plain = parsePackagesIndex(stanza((l) => [...l, 'Source: p7zip']))[0];
    assert.deepEqual([plain.source, plain.sourceVersion], ['p7zip', '22.01+really26.02+dfsg-0+deb12u1']);
    const binnmu = parsePackagesIndex(stanza((l) => [...l, 'Source: p7zip (1:16.02+dfsg-8)']))[0];
    assert.deepEqual([binnmu.source, binnmu.sourceVersion], ['p7zip', '1:16.02+dfsg-8']);
  });

  it('reads several stanzas and reports each problem with its own stanza', () => {
    const text = `${stanza()}\n\n${stanza(set('Package', 'second'))}\n\n${stanza(set('Size', 'big'))}\n`;
    refuses(text, 'line 34, package "7zip", field Size: invalid size "big"');
    assert.equal(parsePackagesIndex(`${stanza()}\n\n${stanza(set('Package', 'second'))}\n`).length, 2);
  });

  describe('refuses, naming line, package and field', () => {
    it('a missing required field', () => {
      refuses(stanza(without('Package')), 'line 1, field Package: required field is missing from the stanza starting on this line');
      refuses(stanza(without('Version')), 'line 1, package "7zip", field Version: required field is missing from the stanza starting on this line');
      refuses(stanza(without('Architecture')), /^line 1, package "7zip", field Architecture: required field is missing/);
      refuses(stanza(without('Filename')), /^line 1, package "7zip", field Filename: required field is missing/);
      refuses(stanza(without('Size')), /^line 1, package "7zip", field Size: required field is missing/);
      refuses(stanza(without('SHA256')), /^line 1, package "7zip", field SHA256: required field is missing/);
    });

    it('an empty required field', () => {
      refuses(stanza(set('Architecture', '')), 'line 4, package "7zip", field Architecture: empty value');
    });

    it('an invalid package name', () => {
      for (const name of ['Foo', 'a', '-foo', '+foo', 'foo_bar', 'foo bar', 'föo']) {
        refuses(stanza(set('Package', name)), `line 1, package ${JSON.stringify(name)}, field Package: invalid package name ${JSON.stringify(name)}`);
      }
    });

    it('an invalid version', () => {
      refuses(stanza(set('Version', '1.0-')), 'line 2, package "7zip", field Version: revision number is empty in "1.0-"');
      refuses(stanza(set('Version', 'a:1')), 'line 2, package "7zip", field Version: epoch in version is not a number in "a:1"');
      refuses(stanza(set('Version', '1.0_1')), /field Version: invalid character "_" in version number/);
    });

    it('an invalid architecture', () => {
      refuses(stanza(set('Architecture', 'AMD64')), 'line 4, package "7zip", field Architecture: invalid architecture "AMD64"');
      refuses(stanza(set('Architecture', 'amd64 i386')), /invalid architecture "amd64 i386"/);
    });

    it('a Filename that could leave the archive root', () => {
      const cases: Array<[string, string]> = [
        ['../../etc/passwd', 'path has a ".." segment'],
        ['pool/main/../../../etc/passwd', 'path has a ".." segment'],
        ['pool/main/..', 'path has a ".." segment'],
        ['/etc/passwd', 'path is absolute'],
        ['pool\\main\\x.deb', 'path contains a backslash'],
        ['pool/./x.deb', 'path has a "." segment'],
        ['pool//x.deb', 'path has an empty segment'],
        ['pool/x.deb/', 'path has an empty segment'],
        ['pool/x\u0007.deb', 'path contains a control character'],
      ];
      for (const [filename, problem] of cases) {
        refuses(stanza(set('Filename', filename)), `line 9, package "7zip", field Filename: ${problem}: ${JSON.stringify(filename)}`);
      }
      refuses(stanza(set('Filename', 'pool/x\0.deb')), /NUL character/);
      refuses(stanza(set('Filename', 'pool/a\n b.deb')), /field Filename: path contains a control character/);
      assert.equal(parsePackagesIndex(stanza(set('Filename', 'pool/main/a/a..b/a...deb'))).length, 1);
    });

    it('a Size that is not a non-negative integer', () => {
      for (const size of ['-1', '1.5', '1e3', ' 0x10', 'abc', '9999999999999999']) {
        refuses(stanza(set('Size', size)), `line 10, package "7zip", field Size: invalid size ${JSON.stringify(size.trim())}`);
      }
      assert.equal(parsePackagesIndex(stanza(set('Size', '0')))[0].size, 0);
    });

    it('a SHA256 that is not 64 lowercase hex digits', () => {
      for (const hash of [HASH.toUpperCase(), HASH.slice(1), `${HASH}0`, HASH.replace('5', 'g')]) {
        refuses(stanza(set('SHA256', hash)), `line 11, package "7zip", field SHA256: invalid sha256 ${JSON.stringify(hash.slice(0, 80))} (expected 64 lowercase hex digits)`);
      }
    });

    it('an invalid Source or source version', () => {
      refuses(stanza((l) => [...l, 'Source: P7zip']), 'line 12, package "7zip", field Source: invalid source package name in "P7zip"');
      refuses(stanza((l) => [...l, 'Source: p7zip (1.0-)']), 'line 12, package "7zip", field Source: invalid source version: revision number is empty in "1.0-"');
      refuses(stanza((l) => [...l, 'Source: p7zip (1.0) extra']), /invalid source package name in "p7zip \(1\.0\) extra"/);
    });

    it('an invalid Installed-Size', () => {
      refuses(stanza(set('Installed-Size', 'large')), 'line 3, package "7zip", field Installed-Size: invalid size "large"');
    });

    it('malformed deb822 syntax, with the package when it is known', () => {
      refuses(stanza((l) => [...l.slice(0, 2), 'garbage line', ...l.slice(2)]), 'line 3, package "7zip": line is neither "Field: value" nor a continuation: "garbage line"');
      refuses(stanza((l) => [...l, 'Version: 2']), 'line 12, package "7zip", field Version: duplicate field (first on line 2)');
    });
  });
});

describe('isPackageName', () => {
  it('follows Policy §5.6.1', () => {
    for (const name of ['7zip', 'libc6', 'g++', 'libstdc++6', 'python3.11', 'a0', 'x-y.z+w']) assert.ok(isPackageName(name), name);
    for (const name of ['', 'a', 'A1', '.ab', '-ab', 'a_b', 'a b', 'aé']) assert.ok(!isPackageName(name), name);
  });
});
