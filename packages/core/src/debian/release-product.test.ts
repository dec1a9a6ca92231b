import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DebianFormatError } from './errors.ts';
import type { ReleaseFile } from './release.ts';
import { debianProductOf } from './release-product.ts';

function refuses(run: () => unknown, message: string): void {
  assert.throws(run, (e: unknown) => e instanceof DebianFormatError && e.message === message, message);
}

describe('debianProductOf', () => {
  const base: ReleaseFile = { date: new Date(0), architectures: [], components: [], acquireByHash: false, sha256: new Map() };

  it('takes the major release from Version', () => {
    assert.deepEqual(debianProductOf({ ...base, version: '12.15' }), { product: 'Debian 12', majorVersion: 12 });
    assert.deepEqual(debianProductOf({ ...base, version: '12' }), { product: 'Debian 12', majorVersion: 12 });
    assert.deepEqual(debianProductOf({ ...base, version: '12-updates' }), { product: 'Debian 12', majorVersion: 12 });
    assert.deepEqual(debianProductOf({ ...base, version: '13.8', codename: 'trixie' }), { product: 'Debian 13', majorVersion: 13 });
  });

  it('falls back to Codename, without the suite suffix', () => {
    const cases: Array<[string, number]> = [
      ['bookworm', 12],
      ['trixie-security', 13],
      ['bullseye-updates', 11],
      ['buster', 10],
      ['forky', 14],
      ['bookworm-backports', 12],
      ['trixie-proposed-updates', 13],
    ];
    for (const [codename, major] of cases) assert.equal(debianProductOf({ ...base, codename }).majorVersion, major, codename);
    assert.equal(debianProductOf({ ...base, version: 'testing', codename: 'forky' }).product, 'Debian 14');
  });

  it('refuses what it cannot place', () => {
    refuses(() => debianProductOf({ ...base, codename: 'sid' }), 'cannot tell which Debian release this is: no Version and Codename "sid"');
    refuses(() => debianProductOf(base), 'cannot tell which Debian release this is: no Version and no Codename');
    refuses(() => debianProductOf({ ...base, version: 'unstable' }), 'cannot tell which Debian release this is: Version "unstable" and no Codename');
    refuses(() => debianProductOf({ ...base, version: '0' }), 'field Version: Version "0" is not a Debian release');
  });

  it('refuses a Version that contradicts the Codename, and another distribution', () => {
    refuses(() => debianProductOf({ ...base, version: '12.15', codename: 'trixie' }), 'field Version: Version "12.15" says Debian 12 but Codename "trixie" is Debian 13');
    refuses(() => debianProductOf({ ...base, origin: 'Ubuntu', version: '22.04', codename: 'jammy' }), 'field Origin: not a Debian archive: Origin is "Ubuntu"');
  });
});
