import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { detectMachineRole } from './machine-role.ts';
import { SandboxRestartDriver, SystemRestartDriver, restartDriverFor } from './restart-driver.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'patchday-restart-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('the sandbox driver: a restart is a new boot id, clears reboot-required, and is recorded', async () => {
  const driver = new SandboxRestartDriver(root);
  const boot = driver.bootId();
  assert.equal(driver.bootId(), boot, 'stable until a restart');
  mkdirSync(join(root, 'var/run'), { recursive: true });
  writeFileSync(join(root, 'var/run/reboot-required'), '*** System restart required ***\n');
  await driver.announce('Patchday will restart this machine in 90 minutes');
  await driver.restart();
  assert.notEqual(driver.bootId(), boot);
  assert.equal(existsSync(join(root, 'var/run/reboot-required')), false);
  assert.deepEqual(driver.restarts(), [`restart from boot ${boot}`]);
  assert.deepEqual(driver.announcements(), ['Patchday will restart this machine in 90 minutes']);
  assert.equal(new SandboxRestartDriver(root).restarts().length, 1, 'another process sees it too');
});

test('only the real root gets the real reboot', () => {
  assert.ok(restartDriverFor(root) instanceof SandboxRestartDriver);
  assert.ok(restartDriverFor('/') instanceof SystemRestartDriver);
});

test('machine role: a display manager or the graphical target makes a workstation, else a server', () => {
  assert.equal(detectMachineRole(root), 'server');
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  symlinkSync('/lib/systemd/system/multi-user.target', join(root, 'etc/systemd/system/default.target'));
  assert.equal(detectMachineRole(root), 'server');
  rmSync(join(root, 'etc/systemd/system/default.target'));
  symlinkSync('/lib/systemd/system/graphical.target', join(root, 'etc/systemd/system/default.target'));
  assert.equal(detectMachineRole(root), 'workstation');
  rmSync(join(root, 'etc/systemd/system/default.target'));
  symlinkSync('/lib/systemd/system/gdm3.service', join(root, 'etc/systemd/system/display-manager.service'));
  assert.equal(detectMachineRole(root), 'workstation', 'a dangling link counts: it is the enablement that matters');
});
