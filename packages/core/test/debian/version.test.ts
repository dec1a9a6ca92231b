import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DebianFormatError } from '../../src/debian/errors.ts';
import { compareDebianVersions, debianVersionProblem, isValidDebianVersion, parseDebianVersion } from '../../src/debian/version.ts';

const DATA = '/work/shared/data';
const ARCHIVE = `${DATA}/debian-archive-2026-11-24`;

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function assertOrder(a: string, b: string, expected: -1 | 0 | 1): void {
  assert.equal(sign(compareDebianVersions(a, b)), expected, `${a} vs ${b}`);
  assert.equal(sign(compareDebianVersions(b, a)), -expected || 0, `${b} vs ${a}`);
}

// dpkg's scripts/t/Dpkg_Version.t __DATA__ (guillemj/dpkg), verbatim.
const DPKG_VECTORS = `
1.0-1 2.0-2 -1
2.2~rc-4 2.2-1 -1
2.2-1 2.2~rc-4 1
1.0000-1 1.0-1 0
1 0:1 0
0 0:0-0 0
2:2.5 1:7.5 1
1:0foo 0foo 1
0:0foo 0foo 0
0foo 0foo 0
0foo- 0foo 0
0foo- 0foo-0 0
0foo 0fo 1
0foo- 0foo+ -1
0foo~1 0foo -1
0foo~foo+Bar 0foo~foo+bar -1
0foo~~ 0foo~ -1
1~ 1 -1
12345+that-really-is-some-ver-0 12345+that-really-is-some-ver-10 -1
0foo-0 0foo-01 -1
0foo.bar 0foobar 1
0foo.bar 0foo1bar 1
0foo.bar 0foo0bar 1
0foo1bar-1 0foobar-1 -1
0foo2.0 0foo2 1
0foo2.0.0 0foo2.10.0 -1
0foo2.0 0foo2.0.0 -1
0foo2.0 0foo2.10 -1
0foo2.1 0foo2.10 -1
1.09 1.9 0
1.0.8+nmu1 1.0.8 1
3.11 3.10+nmu1 1
0.9j-20080306-4 0.9i-20070324-2 1
1.2.0~b7-1 1.2.0~b6-1 1
1.011-1 1.06-2 1
0.0.9+dfsg1-1 0.0.8+dfsg1-3 1
4.6.99+svn6582-1 4.6.99+svn6496-1 1
53 52 1
0.9.9~pre122-1 0.9.9~pre111-1 1
2:2.3.2-2+lenny2 2:2.3.2-2 1
1:3.8.1-1 3.8.GA-1 1
1.0.1+gpl-1 1.0.1-2 1
1a 1000a -1
-0.6.5 0.9.1 -1
`;

// apt's test/versions.lst (Debian/apt), verbatim apart from comments.
const APT_VECTORS = `
7.6p2-4 7.6-0 1
1.0.3-3 1.0-1 1
1.3 1.2.2-2 1
1.3 1.2.2 1
a . -1
z . -1
1:0.4 10.3 1
1:1.25-4 1:1.25-8 -1
0:1.18.36 1.18.36 0
1.18.36 1.18.35 1
0:1.18.36 1.18.35 1
9:1.18.36:5.4-20 10:0.5.1-22 -1
9:1.18.36:5.4-20 9:1.18.36:5.5-1 -1
9:1.18.36:5.4-20 9:1.18.37:4.3-22 -1
1.18.36-0.17.35-18 1.18.36-19 1
1:1.2.13-3 1:1.2.13-3.1 -1
2.0.7pre1-4 2.0.7r-1 -1
0-pre 0-pre 0
0-pre 0-pree -1
1.1.6r2-2 1.1.6r-1 1
2.6b2-1 2.6b-2 1
98.1p5-1 98.1-pre2-b6-2 -1
0.4a6-2 0.4-1 1
1:3.0.5-2 1:3.0.5.1 -1
III-alpha9.8 III-alpha9.8-1.5 -1
3.0~rc1-1 3.0-1 -1
1.0 1.0-0 0
0.2 1.0-0 -1
1.0 1.0-0+b1 -1
1.0 1.0-0~ 1
0:0-0-0 0-0 1
0 0 0
0 00 0
1.2.3 1.2.3 0
4.4.3-2 4.4.3-2 0
1:2ab:5 1:2ab:5 0
7:1-a:b-5 7:1-a:b-5 0
57:1.2.3abYZ+~-4-5 57:1.2.3abYZ+~-4-5 0
1.2.3 0:1.2.3 0
1.2.3 1.2.3-0 0
009 9 0
009ab5 9ab5 0
1.2.3 1.2.3-1 -1
1.2.3 1.2.4 -1
1.2.4 1.2.3 1
1.2.24 1.2.3 1
0.10.0 0.8.7 1
3.2 2.3 1
1.3.2a 1.3.2 1
0.5.0~git 0.5.0~git2 -1
2a 21 -1
1.3.2a 1.3.2b -1
1:1.2.3 1.2.4 1
1:1.2.3 1:1.2.4 -1
1.2a+~bCd3 1.2a++ -1
1.2a+~bCd3 1.2a+~ 1
5:2 304-2 1
5:2 304:2 -1
25:2 3:2 1
1:2:123 1:12:3 -1
1.2-5 1.2-3-5 -1
5.10.0 5.005 1
3a9.8 3.10.2 -1
3a9.8 3~10 1
1.4+OOo3.0.0~ 1.4+OOo3.0.0-4 -1
2.4.7-1 2.4.7-z -1
1.002-1+b2 1.00 1
`;

function vectors(table: string): Array<[string, string, -1 | 0 | 1]> {
  return table
    .trim()
    .split('\n')
    .map((line) => {
      const [a, b, result] = line.split(' ');
      return [a, b, Number(result) as -1 | 0 | 1];
    });
}

describe('compareDebianVersions', () => {
  it("agrees with dpkg's own comparison vectors (Dpkg_Version.t)", () => {
    for (const [a, b, expected] of vectors(DPKG_VECTORS)) assertOrder(a, b, expected);
  });

  it("agrees with apt's comparison vectors (versions.lst)", () => {
    for (const [a, b, expected] of vectors(APT_VECTORS)) assertOrder(a, b, expected);
  });

  it('orders tilde before the end, the end before letters, letters before other symbols', () => {
    const ascending = ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0A', '1.0Z', '1.0a', '1.0a+', '1.0+', '1.0.', '1.0.1', '1.1'];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        assert.equal(sign(compareDebianVersions(ascending[i], ascending[j])), sign(i - j), `${ascending[i]} vs ${ascending[j]}`);
      }
    }
  });

  it('compares digit runs numerically, ignoring leading zeros, even past 2^53', () => {
    assertOrder('1.10', '1.9', 1);
    assertOrder('1.010', '1.10', 0);
    assertOrder('99999999999999999999', '100000000000000000000', -1);
    assertOrder('123456789012345678901234567890', '123456789012345678901234567891', -1);
  });

  it('compares epochs numerically before anything else', () => {
    assertOrder('10:1', '9:99', 1);
    assertOrder('1:1.0', '1.0', 1);
    assertOrder('0:1.0', '1.0', 0);
    assertOrder('00:1.0', '1.0', 0);
  });

  it('splits the revision at the last hyphen and treats a missing revision as 0', () => {
    assertOrder('1.0-1-2', '1.0-1-10', -1);
    assertOrder('1.0', '1.0-0', 0);
    assertOrder('1.0-1', '1.0-1+b1', -1);
    assertOrder('1.0-1~bpo12+1', '1.0-1', -1);
  });

  it('orders real security update versions the way apt picks them', () => {
    assertOrder('3.0.15-1~deb12u1', '3.0.17-1~deb12u3', -1);
    assertOrder('3.0.17-1~deb12u2', '3.0.17-1~deb12u3', -1);
    assertOrder('2.36-9+deb12u10', '2.36-9+deb12u9', 1);
    assertOrder('1:9.18.33-1~deb12u2', '1:9.18.41-1~deb12u1', -1);
    assertOrder('22.01+really26.02+dfsg-0+deb12u1', '22.01+dfsg-8', 1);
  });

  it('ignores blanks around a version like dpkg', () => {
    assertOrder(' 1.0-1\t', '1.0-1', 0);
    assertOrder('  2:1', '1:9 ', 1);
  });

  it('is a consistent total order over a mixed sample (antisymmetric, transitive after sorting)', () => {
    const sample = [...new Set(vectors(DPKG_VECTORS).concat(vectors(APT_VECTORS)).flatMap(([a, b]) => [a, b]))];
    for (const a of sample) {
      assert.equal(compareDebianVersions(a, a), 0);
      for (const b of sample) assert.equal(sign(compareDebianVersions(a, b)), -sign(compareDebianVersions(b, a)) || 0);
    }
    const sorted = [...sample].sort(compareDebianVersions);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) assert.ok(compareDebianVersions(sorted[i], sorted[j]) <= 0, `${sorted[i]} <= ${sorted[j]}`);
    }
  });

  it('agrees with a plain transliteration of dpkg on 100,000 generated near-identical pairs', () => {
    // Guards the fast path (resuming after a common prefix) against the textbook algorithm.
    const random = mulberry32(5612);
    const alphabet = '0123456789012345.~+abzAZ';
    const pick = (chars: string) => chars[Math.floor(random() * chars.length)];
    const generate = (): string => {
      let upstream = pick('0123456789');
      for (let n = Math.floor(random() * 8); n > 0; n--) upstream += pick(alphabet);
      let revision = '';
      for (let n = Math.floor(random() * 5); n > 0; n--) revision += pick(alphabet);
      const epoch = random() < 0.2 ? `${pick('0123')}:` : '';
      return `${epoch}${upstream}${revision && random() < 0.7 ? `-${revision}` : ''}`;
    };
    const mutate = (v: string): string => {
      const at = Math.floor(random() * (v.length + 1));
      const kind = random();
      if (kind < 0.4) return v.slice(0, at) + pick(alphabet) + v.slice(at + 1);
      if (kind < 0.7) return v.slice(0, at) + pick(alphabet) + v.slice(at);
      return v.slice(0, at) + v.slice(at + 1);
    };
    let checked = 0;
    while (checked < 100_000) {
      const a = generate();
      const b = random() < 0.8 ? mutate(a) : generate();
      if (!isValidDebianVersion(a) || !isValidDebianVersion(b)) continue;
      checked++;
      if (sign(compareDebianVersions(a, b)) !== sign(referenceCompare(a, b))) assert.fail(`${a} vs ${b}: ${compareDebianVersions(a, b)} but dpkg says ${referenceCompare(a, b)}`);
    }
  });

  it('never throws on an invalid version', () => {
    for (const v of ['', ':', '-', 'a:b', '1:', '-1:2', '1.0-', '\u00e4', '::::', '-----']) {
      assert.equal(typeof compareDebianVersions(v, '1.0'), 'number');
      assert.equal(typeof compareDebianVersions('1.0', v), 'number');
    }
  });
});

describe('parseDebianVersion', () => {
  // The parse cases of dpkg's lib/dpkg/t/t-version.c (guillemj/dpkg).
  it('splits versions as dpkg does', () => {
    const cases: Array<[string, number, string, string]> = [
      ['0', 0, '0', ''],
      ['0:0', 0, '0', ''],
      ['0:0-0', 0, '0', '0'],
      ['0:0.0-0.0', 0, '0.0', '0.0'],
      ['1:0', 1, '0', ''],
      ['5:1', 5, '1', ''],
      ['0:0-0-0', 0, '0-0', '0'],
      ['0:0-0-0-0', 0, '0-0-0', '0'],
      ['0:0:0-0', 0, '0:0', '0'],
      ['0:0:0:0-0', 0, '0:0:0', '0'],
      ['0:0:0-0-0', 0, '0:0-0', '0'],
      ['0:0-0:0-0', 0, '0-0:0', '0'],
      ['0:09azAZ.-+~:-0', 0, '09azAZ.-+~:', '0'],
      ['0:0-azAZ09.+~', 0, '0', 'azAZ09.+~'],
      ['  \t0:0-1', 0, '0', '1'],
      ['0:0-1\t  ', 0, '0', '1'],
      ['\t  0:0-1  \t', 0, '0', '1'],
      ['2147483647:1', 2147483647, '1', ''],
      ['1:3.0.17-1~deb12u3', 1, '3.0.17', '1~deb12u3'],
    ];
    for (const [text, epoch, upstream, revision] of cases) {
      assert.deepEqual(parseDebianVersion(text), { epoch, upstream, revision }, text);
      assert.ok(isValidDebianVersion(text), text);
    }
  });

  it("accepts an upstream version that does not start with a digit (only a warning in dpkg)", () => {
    assert.deepEqual(parseDebianVersion('0:abc3-0'), { epoch: 0, upstream: 'abc3', revision: '0' });
    assert.deepEqual(parseDebianVersion('III-alpha9.8'), { epoch: 0, upstream: 'III', revision: 'alpha9.8' });
    assert.ok(isValidDebianVersion('~1'));
  });

  it('refuses what dpkg refuses, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /version string is empty/],
      ['  ', /version string is empty/],
      ['0:', /nothing after colon/],
      [':1.0', /epoch in version is empty/],
      ['1.0-', /revision number is empty/],
      ['0:0 0-1', /embedded spaces/],
      ['-1:0-1', /epoch in version is negative/],
      ['999999999999999999999999:0-1', /epoch in version is too big/],
      ['2147483648:1', /epoch in version is too big/],
      ['a:0-0', /epoch in version is not a number/],
      ['A:0-0', /epoch in version is not a number/],
      ['-0', /version number is empty/],
      ['0:-0', /version number is empty/],
      ['0:0-0:0', /invalid character ":" in revision number/],
      ['1.0-\u00e4', /invalid character "ä" in revision number/],
      ['1.0\u00e4', /invalid character "ä" in version number/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(() => parseDebianVersion(text), (e: unknown) => e instanceof DebianFormatError && reason.test(e.message), JSON.stringify(text));
      assert.equal(isValidDebianVersion(text), false, JSON.stringify(text));
      assert.match(debianVersionProblem(text) ?? '', reason);
    }
  });

  it('refuses every character dpkg refuses in the upstream version and the revision', () => {
    for (const c of "!#@$%&/|\\<>()[]{};,_=*^'") {
      assert.equal(isValidDebianVersion(`0:0${c}-0`), false, `upstream with ${c}`);
    }
    for (const c of "!#@$%&/|\\<>()[]{}:;,_=*^'") {
      assert.equal(isValidDebianVersion(`0:0-0${c}`), false, `revision with ${c}`);
    }
  });

  it('is stricter than dpkg about signed epochs, which no archive uses', () => {
    assert.equal(isValidDebianVersion('+5:1'), false);
    assert.equal(isValidDebianVersion('-0:1'), false);
  });

  it('names the offending version in the message', () => {
    assert.throws(() => parseDebianVersion('1.0_1'), { message: 'invalid character "_" in version number "1.0_1"' });
  });
});

/** dpkg's parseversion + verrevcmp, transliterated as plainly as possible: the oracle for the fast path. */
function referenceCompare(a: string, b: string): number {
  const split = (v: string) => {
    const colon = v.indexOf(':');
    const epoch = colon === -1 ? 0 : Number(v.slice(0, colon));
    const rest = colon === -1 ? v : v.slice(colon + 1);
    const hyphen = rest.lastIndexOf('-');
    return hyphen === -1 ? { epoch, upstream: rest, revision: '' } : { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
  };
  const order = (c: string): number => {
    if (c === '' || /[0-9]/.test(c)) return 0;
    if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
    if (c === '~') return -1;
    return c.charCodeAt(0) + 256;
  };
  const isDigit = (c: string) => c !== '' && /[0-9]/.test(c);
  const verrevcmp = (x: string, y: string): number => {
    let i = 0;
    let j = 0;
    const at = (s: string, k: number) => (k < s.length ? s[k] : '');
    while (i < x.length || j < y.length) {
      let firstDiff = 0;
      while ((at(x, i) !== '' && !isDigit(at(x, i))) || (at(y, j) !== '' && !isDigit(at(y, j)))) {
        const ac = order(at(x, i));
        const bc = order(at(y, j));
        if (ac !== bc) return ac - bc;
        i++;
        j++;
      }
      while (at(x, i) === '0') i++;
      while (at(y, j) === '0') j++;
      while (isDigit(at(x, i)) && isDigit(at(y, j))) {
        if (!firstDiff) firstDiff = x.charCodeAt(i) - y.charCodeAt(j);
        i++;
        j++;
      }
      if (isDigit(at(x, i))) return 1;
      if (isDigit(at(y, j))) return -1;
      if (firstDiff) return firstDiff;
    }
    return 0;
  };
  const pa = split(a);
  const pb = split(b);
  if (pa.epoch !== pb.epoch) return pa.epoch - pb.epoch;
  return verrevcmp(pa.upstream, pb.upstream) || verrevcmp(pa.revision, pb.revision);
}

function decompress(path: string): string {
  const result = spawnSync('xz', ['-dc', path], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`xz -dc ${path} failed: ${result.stderr}`);
  return result.stdout;
}

/** Package name → versions, straight from the text, so this test does not depend on deb822.ts. */
function versionsByPackage(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/^Package: (\S+)\n(?:[^\n]+\n)*?Version: (\S+)$/gm)) {
    const list = out.get(m[1]) ?? [];
    list.push(m[2]);
    out.set(m[1], list);
  }
  return out;
}

function hasDpkg(): boolean {
  return spawnSync('dpkg', ['--version']).status === 0;
}

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('compareDebianVersions against dpkg --compare-versions', { skip: !hasDpkg() && 'dpkg is not installed' }, () => {
  it('agrees on real version pairs from a dpkg status file and the archive indexes', () => {
    const installed = versionsByPackage(readFileSync(`${DATA}/dpkg-status/bookworm-node-image.status`, 'utf8'));
    const indexes = [
      `${ARCHIVE}/debian-security/dists/bookworm-security/main/binary-amd64/Packages.xz`,
      `${ARCHIVE}/debian-security/dists/trixie-security/main/binary-amd64/Packages.xz`,
      `${ARCHIVE}/debian/dists/bookworm-updates/main/binary-amd64/Packages.xz`,
    ].map((path) => versionsByPackage(decompress(path)));

    const pairs: Array<[string, string]> = [];
    // The comparisons a scan really makes: installed version against each candidate.
    for (const index of indexes) {
      for (const [name, [mine]] of installed) {
        for (const candidate of index.get(name) ?? []) pairs.push([mine, candidate]);
      }
    }
    // Plus random pairs across everything, which mixes epochs, tildes and binNMUs.
    const all = [...new Set([...installed.values(), ...indexes.flatMap((i) => [...i.values()])].flat())];
    const random = mulberry32(20261124);
    while (pairs.length < 450) pairs.push([all[Math.floor(random() * all.length)], all[Math.floor(random() * all.length)]]);
    assert.ok(pairs.length >= 450);

    // One shell for all pairs: a process per comparison would take tens of seconds.
    const script = 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
    const result = spawnSync('sh', ['-c', script], { input: pairs.map(([a, b]) => `${a} ${b}\n`).join(''), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const answers = result.stdout.trim().split('\n').map(Number);
    assert.equal(answers.length, pairs.length);
    const disagreements = pairs.filter(([a, b], i) => sign(compareDebianVersions(a, b)) !== answers[i]);
    assert.deepEqual(disagreements, []);
    for (const v of all) assert.ok(isValidDebianVersion(v), v);
  });
});
