import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inventoryOsOf, parseDpkgStatus, parseOsRelease, type Inventory } from '@patchday/core';

export interface MachineOptions {
  /** The machine's root: `/` in production, a sandbox root in tests. */
  root: string;
  /** The native dpkg architecture; by default that of the installed `dpkg` package. */
  architecture?: string;
}

function readUnderRoot(root: string, path: string): string | null {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The machine's inventory (§4): its dpkg database, os-release and host name, read fresh from
 * `root` for every scan. Nothing here runs a program: a sandbox root is read like `/`.
 */
export function readInventory(options: MachineOptions): Inventory {
  const { root } = options;
  const statusText = readUnderRoot(root, 'var/lib/dpkg/status');
  const dpkg = statusText === null ? null : parseDpkgStatus(statusText, options.architecture ? { nativeArchitecture: options.architecture } : {});
  const architecture = options.architecture ?? (dpkg?.dpkg?.architecture ?? null);
  const osRelease = readUnderRoot(root, 'etc/os-release') ?? readUnderRoot(root, 'usr/lib/os-release') ?? '';
  const facts: Record<string, string> = {};
  const hostname = hostnameOf(root);
  if (hostname) facts.hostname = hostname;
  return { os: inventoryOsOf(parseOsRelease(osRelease), architecture), dpkg, facts };
}

/** `/etc/hostname` of the root, the client's default name. */
export function hostnameOf(root: string): string | null {
  const text = readUnderRoot(root, 'etc/hostname');
  const name = text?.trim().split(/\s+/)[0];
  return name ? name : null;
}
