import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineRole } from '@patchday/core';

/**
 * §6.5 whether the machine is a workstation or a server, for restart suppression: a display
 * manager enabled, or the graphical target as default, makes a workstation (read under the root).
 */
export function detectMachineRole(root: string): MachineRole {
  const systemd = join(root, 'etc/systemd/system');
  try {
    lstatSync(join(systemd, 'display-manager.service'));
    return 'workstation';
  } catch {
    // no display manager enabled
  }
  try {
    if (readlinkSync(join(systemd, 'default.target')).endsWith('graphical.target')) return 'workstation';
  } catch {
    // no default target set: systemd's own default is graphical only where a display manager exists
  }
  return 'server';
}
