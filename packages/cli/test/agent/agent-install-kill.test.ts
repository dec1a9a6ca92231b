/**
 * Kill-safety of an install with real processes: `patchday agent install` and the dpkg it runs
 * are SIGKILLed while dpkg is in the middle of the upgrade. The next run finishes it — dpkg
 * --configure -a, then the half-installed package installed again — and reports the outcome
 * once; dpkg's own audit finds nothing left broken.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { runCli } from '../run-cli.ts';
import { catalogueEntryOf } from './support/dpkg-sandbox.ts';
import { EnforcementFixture, assignment } from './support/enforcement-fixture.ts';

const FOO = '00000000-0000-4000-8000-00000000f001';
const bin = new URL('../../bin/patchday.js', import.meta.url).pathname;

let f: EnforcementFixture;
let deploymentId: string;

before(async () => {
  f = await new EnforcementFixture(new VirtualClock(new Date())).start();
  f.box.dpkgInstall([
    await f.box.build({ package: 'libfoo1', version: '1.0-1', source: 'foo' }),
    await f.box.build({ package: 'foo-utils', version: '1.0-1', source: 'foo', depends: 'libfoo1' }),
  ]);
  // While var/log/hold exists, the new libfoo1's preinst waits — with dpkg mid-upgrade — and says which dpkg runs it.
  const hold = 'echo $PPID > "$DPKG_ROOT/var/log/dpkg.pid"; while [ -e "$DPKG_ROOT/var/log/hold" ]; do sleep 0.1; done';
  const update = [
    await f.box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', scripts: { preinst: hold } }),
    await f.box.build({ package: 'foo-utils', version: '1.1-1', source: 'foo', depends: 'libfoo1 (= 1.1-1)' }),
  ];
  f.serve(update);
  f.writeCatalogue([catalogueEntryOf(FOO, 'foo 1.1-1', update)]);
  const a = assignment([{ updateId: FOO }], { availableAt: '2020-01-01T00:00Z', deadlineAt: '2999-01-01T00:00Z' });
  deploymentId = a.deploymentId;
  f.writePolicy([a]);
});
after(() => f.dispose());

test('install killed with dpkg mid-upgrade: the next run repairs and finishes it, and reports it once', async () => {
  const log = join(f.box.root, 'var/log');
  execFileSync('touch', [join(log, 'hold')]);
  const args = ['agent', 'install', deploymentId, '--data-dir', f.box.dataDir, '--root', f.box.root, '--architecture', 'amd64', '--json'];
  const first = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
  for (let i = 0; !existsSync(join(log, 'dpkg.pid')); i++) {
    assert.ok(i < 600, 'dpkg never reached the preinst');
    await new Promise((r) => setTimeout(r, 50));
  }
  const dpkgPid = Number(readFileSync(join(log, 'dpkg.pid'), 'utf8'));
  first.kill('SIGKILL');
  process.kill(dpkgPid, 'SIGKILL');
  await new Promise((r) => first.once('exit', r));
  rmSync(join(log, 'hold'));
  assert.ok(f.files.readEnforcement().installing, 'the install marker is there');
  assert.notEqual(f.box.installed().libfoo1, '1.1-1');

  const second = await runCli(args, {});
  assert.equal(second.code, 0, second.stderr + second.stdout);
  assert.equal(JSON.parse(second.stdout).result, 'installed');
  assert.deepEqual(f.box.installed(), { libfoo1: '1.1-1', 'foo-utils': '1.1-1' });
  assert.equal(execFileSync('dpkg', [`--root=${f.box.root}`, '--audit']).toString(), '', 'dpkg --audit: nothing half-done');
  assert.equal(f.files.readEnforcement().installing, null);
  const outcomes = f.deploymentMessages(deploymentId, { [FOO]: 'foo' }).filter((m) => m.startsWith('301/'));
  assert.deepEqual(outcomes, ['301/7', '301/8', '301/1:foo', '301/1:foo', '301/4:foo'], 'two attempts, one outcome');
});
