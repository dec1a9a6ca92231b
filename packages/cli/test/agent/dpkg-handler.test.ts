/**
 * §6.6 the dpkg install handler against a sandbox root holding real packages built with
 * dpkg-deb: all-or-nothing checks before dpkg runs, dependency order, dpkg's own error text,
 * Debian's reboot-required flag, and finishing a run that was interrupted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { finishInterruptedDpkg, installWithDpkg, type InstallFile } from '../../../agent/src/deployment/dpkg-handler.ts';
import type { BuiltDeb } from '../../../server/test/support/deb-archive.ts';
import { DpkgSandbox } from './support/dpkg-sandbox.ts';

const logConfigure = (name: string) => ({ postinst: `if [ "$1" = configure ]; then echo "${name} $DPKG_MAINTSCRIPT_PACKAGE" >> "$DPKG_ROOT/var/log/configure-order"; fi` });
const fileOf = (deb: BuiltDeb): InstallFile => ({ path: deb.path, sha256: deb.sha256, size: deb.size, name: deb.filename, package: deb.spec.package, version: deb.spec.version, architecture: deb.spec.architecture ?? 'amd64' });

describe('the dpkg install handler in a sandbox root', () => {
  let box: DpkgSandbox;

  beforeEach(async () => {
    box = new DpkgSandbox();
    box.dpkgInstall([
      await box.build({ package: 'libfoo-common', version: '1.0-1', source: 'foo', architecture: 'all' }),
      await box.build({ package: 'libfoo1', version: '1.0-1', source: 'foo', depends: 'libfoo-common' }),
      await box.build({ package: 'foo-utils', version: '1.0-1', source: 'foo', depends: 'libfoo1 (>= 1.0)' }),
      await box.build({ package: 'pinned-tool', version: '3', depends: 'foo-utils (<< 2)' }),
    ]);
  });
  afterEach(() => box.dispose());

  test('installs every file in one run, in dependency order whatever order they came in', async () => {
    const debs = [
      await box.build({ package: 'foo-utils', version: '1.1-1', source: 'foo', depends: 'libfoo1 (= 1.1-1)', scripts: logConfigure('configure') }),
      await box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', preDepends: 'libfoo-common (>= 1.1)', scripts: logConfigure('configure') }),
      await box.build({ package: 'libfoo-common', version: '1.1-1', source: 'foo', architecture: 'all', scripts: logConfigure('configure') }),
    ];
    const outcome = await installWithDpkg(box.root, debs.map(fileOf), 60);
    assert.deepEqual(outcome, { ok: true, error: null, restartNeeded: false, unchanged: false });
    assert.deepEqual(box.installed(), { 'libfoo-common': '1.1-1', libfoo1: '1.1-1', 'foo-utils': '1.1-1', 'pinned-tool': '3' });
    assert.deepEqual(readFileSync(join(box.root, 'var/log/configure-order'), 'utf8').trim().split('\n'), ['configure libfoo-common', 'configure libfoo1', 'configure foo-utils']);
  });

  test('an unsatisfiable dependency fails before dpkg runs, and the root is exactly as it was', async () => {
    const before = box.snapshot();
    const debs = [
      await box.build({ package: 'libfoo1', version: '1.2-1', source: 'foo', depends: 'libbar2 (>= 2), libfoo-common' }),
      await box.build({ package: 'foo-utils', version: '2.0-1', source: 'foo', depends: 'libfoo1 (>= 1.2)' }),
    ];
    const outcome = await installWithDpkg(box.root, debs.map(fileOf), 60);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.unchanged, true);
    assert.match(outcome.error!, /^dependencies cannot be satisfied, nothing was installed: /);
    assert.match(outcome.error!, /libfoo1 1\.2-1 depends on libbar2 \(>= 2\), which neither the machine nor this update provides/);
    assert.match(outcome.error!, /installing it would break pinned-tool 3 on the machine, which depends on foo-utils \(<< 2\)/);
    assert.deepEqual(box.snapshot(), before);
  });

  test('a file missing from the cache or changed in it fails before anything is touched', async () => {
    const before = box.snapshot();
    const deb = await box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', depends: 'libfoo-common' });
    const missing = await installWithDpkg(box.root, [{ ...fileOf(deb), path: join(box.base, 'nowhere.deb') }], 60);
    assert.match(missing.error!, /libfoo1_1\.1-1_amd64\.deb is not in the cache/);
    const changed = join(box.base, 'changed.deb');
    copyFileSync(deb.path, changed);
    const bytes = readFileSync(changed);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(changed, bytes);
    const tampered = await installWithDpkg(box.root, [{ ...fileOf(deb), path: changed }], 60);
    assert.match(tampered.error!, /libfoo1_1\.1-1_amd64\.deb in the cache changed: sha256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    assert.deepEqual(box.snapshot(), before);
  });

  test('dpkg\'s own error text is the failure when a maintainer script fails', async () => {
    const deb = await box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', depends: 'libfoo-common', scripts: { postinst: 'echo "cannot reach the licence server" >&2; exit 1' } });
    const outcome = await installWithDpkg(box.root, [fileOf(deb)], 60);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.unchanged, false);
    assert.match(outcome.error!, /^dpkg failed \(exit 1\): /);
    assert.match(outcome.error!, /cannot reach the licence server/);
    assert.match(outcome.error!, /installed libfoo1 package post-installation script subprocess returned error exit status 1/);
  });

  test('Debian\'s reboot-required flag under the root means the install needs a restart', async () => {
    const deb = await box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', depends: 'libfoo-common', scripts: { postinst: 'touch "$DPKG_ROOT/var/run/reboot-required"' } });
    const outcome = await installWithDpkg(box.root, [fileOf(deb)], 60);
    assert.deepEqual(outcome, { ok: true, error: null, restartNeeded: true, unchanged: false });
    assert.ok(existsSync(join(box.root, 'var/run/reboot-required')));
  });

  test('an install interrupted after unpacking is finished by dpkg --configure -a', async () => {
    const deb = await box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', depends: 'libfoo-common' });
    execFileSync('dpkg', [`--root=${box.root}`, '--force-script-chrootless', '--force-not-root', '--unpack', deb.path], { stdio: 'pipe' });
    assert.equal(box.installed().libfoo1, undefined, 'unpacked, not configured');
    const finished = await finishInterruptedDpkg(box.root, 5);
    assert.equal(finished.ok, true, finished.output);
    assert.equal(box.installed().libfoo1, '1.1-1');
  });
});
