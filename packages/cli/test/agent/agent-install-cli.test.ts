/**
 * `patchday agent install <deploymentId>` and the deployments part of `patchday agent status`,
 * run as a user runs them: with no agent running the command does the install itself, into a
 * sandbox root, from a distribution point on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { runCli } from '../run-cli.ts';
import { catalogueEntryOf } from './support/dpkg-sandbox.ts';
import { EnforcementFixture, assignment } from './support/enforcement-fixture.ts';

const FOO = '00000000-0000-4000-8000-00000000f001';

let f: EnforcementFixture;
let deploymentId: string;
const patchday = (args: string[]) => runCli(args, {});

before(async () => {
  // The command runs on the real clock: the deployment became available long ago and its deadline is far off.
  f = await new EnforcementFixture(new VirtualClock(new Date())).start();
  f.box.dpkgInstall([await f.box.build({ package: 'libfoo1', version: '1.0-1', source: 'foo' })]);
  const update = [await f.box.build({ package: 'libfoo1', version: '1.1-1', source: 'foo', scripts: { postinst: 'touch "$DPKG_ROOT/var/run/reboot-required"' } })];
  f.serve(update);
  f.writeCatalogue([catalogueEntryOf(FOO, 'foo 1.1-1', update)]);
  const a = assignment([{ updateId: FOO }], { availableAt: '2020-01-01T00:00Z', deadlineAt: '2999-01-01T00:00Z' });
  deploymentId = a.deploymentId;
  f.writePolicy([a, assignment([{ updateId: FOO }], { name: 'Compliance only', reportOnly: true })]);
});
after(() => f.dispose());

test('an unknown or malformed deployment id is refused with its own exit code', async () => {
  const unknown = await patchday(['agent', 'install', '00000000-0000-4000-8000-000000000000', '--data-dir', f.box.dataDir, '--root', f.box.root, '--architecture', 'amd64']);
  assert.equal(unknown.code, 4, unknown.stderr);
  assert.match(unknown.stdout, /result:\s+not found/);
  const bad = await patchday(['agent', 'install', 'december', '--data-dir', f.box.dataDir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /a deployment id is a UUID, not "december"/);
});

test('install: downloads, installs with dpkg into the root, and says a restart is needed', async () => {
  const r = await patchday(['agent', 'install', deploymentId, '--data-dir', f.box.dataDir, '--root', f.box.root, '--architecture', 'amd64', '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.ranBy, 'this command');
  assert.equal(summary.result, 'pending restart');
  assert.deepEqual(summary.updates.map((u: { title: string; state: string }) => [u.title, u.state]), [['foo 1.1-1', 'pending restart']]);
  assert.equal(f.box.installed().libfoo1, '1.1-1');
});

test('status lists the deployments and the coming restart', async () => {
  const human = await patchday(['agent', 'status', '--data-dir', f.box.dataDir, '--root', f.box.root]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /machine role:\s+server/);
  assert.match(human.stdout, /content cache:\s+1 files, [\d.]+ MB of 5120 MB/);
  assert.match(human.stdout, /restart:\s+scheduled — at 2999-01-01T01:30:00\.000Z.*\(1 update waiting for it\)/);
  assert.match(human.stdout, new RegExp(`${deploymentId}\\s+December security updates\\s+required\\s+2999-01-01T00:00:00\\.000Z\\s+pending restart`));
  const json = JSON.parse((await patchday(['agent', 'status', '--data-dir', f.box.dataDir, '--json'])).stdout);
  assert.deepEqual(json.enforcement.deployments.map((d: { name: string; reportOnly: boolean }) => [d.name, d.reportOnly]), [['December security updates', false], ['Compliance only', true]]);
  assert.equal(json.enforcement.restart.phase, 'scheduled');

  const reportOnly = json.enforcement.deployments[1].deploymentId;
  const refused = await patchday(['agent', 'install', reportOnly, '--data-dir', f.box.dataDir, '--root', f.box.root, '--architecture', 'amd64']);
  assert.equal(refused.code, 2);
  assert.match(refused.stdout, /only reports compliance/);
});
