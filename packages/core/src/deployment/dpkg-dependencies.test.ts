import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDeb822All } from '../debian/deb822.ts';
import { configuredPackages, dependencyOrder, dependencyProblems, installStages, packageControlOf, parseRelations } from './dpkg-dependencies.ts';

const status = `Package: libfoo1
Status: install ok installed
Version: 1.0-1
Architecture: amd64
Multi-Arch: same

Package: foo-utils
Status: install ok installed
Version: 1.0-1
Architecture: amd64
Depends: libfoo1 (>= 1.0), libc6 (>= 2.36) | libc6-compat

Package: pinned
Status: install ok installed
Version: 3
Architecture: all
Depends: foo-utils (<< 2)

Package: libc6
Status: install ok installed
Version: 2.36-9
Architecture: amd64
Provides: libc6-compat (= 2.36)

Package: gone
Status: deinstall ok config-files
Version: 0.1
Architecture: amd64
`;
const installed = configuredPackages(parseDeb822All(status));
const deb = (fields: Record<string, string>) => packageControlOf({ Architecture: 'amd64', ...fields });

describe('dependency check before dpkg runs (§6.6)', () => {
  test('relationship fields: alternatives, versions, architecture qualifiers, old operators', () => {
    assert.deepEqual(parseRelations('a (>= 1:2.0), b | c:any, d (< 3),\n e [amd64]'), [
      [{ name: 'a', archQualifier: null, op: '>=', version: '1:2.0' }],
      [
        { name: 'b', archQualifier: null, op: null, version: null },
        { name: 'c', archQualifier: 'any', op: null, version: null },
      ],
      [{ name: 'd', archQualifier: null, op: '<=', version: '3' }],
      [{ name: 'e', archQualifier: null, op: null, version: null }],
    ]);
    assert.throws(() => parseRelations('a (>= '), /cannot read the relationship/);
  });

  test('only configured packages satisfy dependencies', () => {
    assert.deepEqual(installed.map((p) => p.package), ['libfoo1', 'foo-utils', 'pinned', 'libc6']);
  });

  test('an upgrade whose dependencies the machine and the update satisfy together is fine', () => {
    const problems = dependencyProblems(installed, [deb({ Package: 'libfoo1', Version: '1.1-1', 'Multi-Arch': 'same', Depends: 'libc6-compat (>= 2.30)' }), deb({ Package: 'foo-utils', Version: '1.1-1', Depends: 'libfoo1 (= 1.1-1)' })]);
    assert.deepEqual(problems, []);
  });

  test('a dependency nobody provides is named, with the package that needs it', () => {
    const problems = dependencyProblems(installed, [deb({ Package: 'libfoo1', Version: '1.1-1', 'Multi-Arch': 'same', 'Pre-Depends': 'libbar2 (>= 2)' })]);
    assert.deepEqual(problems, ['libfoo1 1.1-1 pre-depends on libbar2 (>= 2), which neither the machine nor this update provides']);
  });

  test('an upgrade that would break an installed package\'s versioned dependency is refused (dpkg would not)', () => {
    const problems = dependencyProblems(installed, [deb({ Package: 'foo-utils', Version: '2.0-1', Depends: 'libfoo1' })]);
    assert.deepEqual(problems, ['installing it would break pinned 3 on the machine, which depends on foo-utils (<< 2)']);
  });

  test('Breaks and Conflicts either way', () => {
    assert.deepEqual(dependencyProblems(installed, [deb({ Package: 'libfoo1', Version: '1.1-1', 'Multi-Arch': 'same', Breaks: 'foo-utils (<< 1.1)' })]), ['libfoo1 1.1-1 breaks foo-utils 1.0-1']);
    const withConflict = [...installed, deb({ Package: 'old-tool', Version: '1', Conflicts: 'libfoo1 (>= 1.1)' })];
    assert.deepEqual(dependencyProblems(withConflict, [deb({ Package: 'libfoo1', Version: '1.1-1', 'Multi-Arch': 'same' })]), ['old-tool 1 on the machine conflicts with libfoo1 1.1-1']);
  });

  test('files go to dpkg with what they (pre-)depend on first', () => {
    const utils = deb({ Package: 'foo-utils', Version: '1.1-1', Depends: 'libfoo1 (= 1.1-1)' });
    const lib = deb({ Package: 'libfoo1', Version: '1.1-1', 'Pre-Depends': 'libfoo-common' });
    const common = deb({ Package: 'libfoo-common', Version: '1.1-1', Architecture: 'all' });
    assert.deepEqual(dependencyOrder([utils, lib, common]).map((p) => p.package), ['libfoo-common', 'libfoo1', 'foo-utils']);
  });

  test('a package pre-depending on another of the same update waits for a later dpkg run', () => {
    const utils = deb({ Package: 'foo-utils', Version: '1.1-1', Depends: 'libfoo1 (= 1.1-1)' });
    const lib = deb({ Package: 'libfoo1', Version: '1.1-1', 'Pre-Depends': 'libfoo-common (>= 1.1)' });
    const common = deb({ Package: 'libfoo-common', Version: '1.1-1', Architecture: 'all' });
    const { stages, problems } = installStages(installed, [utils, lib, common]);
    assert.deepEqual(stages.map((s) => s.map((p) => p.package)), [['libfoo-common'], ['libfoo1', 'foo-utils']]);
    assert.deepEqual(problems, []);
    // Without pre-dependencies on each other: one run.
    assert.equal(installStages(installed, [utils, deb({ Package: 'libfoo1', Version: '1.1-1' })]).stages.length, 1);
  });

  test('a run that could not configure on its own is named', () => {
    const common = deb({ Package: 'libfoo-common', Version: '1.1-1', Architecture: 'all', Depends: 'libfoo1 (>= 1.1)' });
    const lib = deb({ Package: 'libfoo1', Version: '1.1-1', 'Pre-Depends': 'libfoo-common (>= 1.1)' });
    assert.deepEqual(installStages(installed, [lib, common]).problems, ['libfoo-common 1.1-1 depends on libfoo1 (>= 1.1), which only a later dpkg run of this update would install']);
  });
});
