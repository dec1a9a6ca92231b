import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { inventoryOsOf, parseDpkgStatus, parseOsRelease, type Inventory } from '@patchday/core';

export interface MachineOptions {
  /** The machine's root: `/` in production, a sandbox root in tests. */
  root: string;
  /** The native dpkg architecture; by default that of the installed `dpkg` package. */
  architecture?: string;
  /** Absolute paths (on the machine) that `file` conditions of the catalogue ask about. */
  files?: readonly string[];
}

/** Files larger than this are recorded by size only: their sha256 stays unknown. */
const MAX_HASHED_BYTES = 64 * 1024 * 1024;

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
  const inventory: Inventory = { os: inventoryOsOf(parseOsRelease(osRelease), architecture), dpkg, facts };
  if (options.files?.length) inventory.files = examineFiles(root, options.files);
  return inventory;
}

/**
 * What `file` conditions read: size and sha256 of each path, null when it does not exist. A
 * path that resolves outside the root (a symlink in a sandbox pointing at the host) is left
 * out, so conditions on it are unknown rather than answered from the wrong machine.
 */
function examineFiles(root: string, paths: readonly string[]): NonNullable<Inventory['files']> {
  const files: NonNullable<Inventory['files']> = {};
  const realRoot = realpathSync(root);
  for (const path of paths) {
    const onDisk = join(root, path);
    let real: string;
    try {
      real = realpathSync(onDisk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        try {
          lstatSync(onDisk);
        } catch {
          files[path] = null;
        }
      }
      continue;
    }
    const inside = relative(realRoot, real);
    if (inside.startsWith('..') || isAbsolute(inside)) continue;
    const stat = lstatSync(real);
    if (!stat.isFile()) continue;
    files[path] = stat.size <= MAX_HASHED_BYTES ? { size: stat.size, sha256: createHash('sha256').update(readFileSync(real)).digest('hex') } : { size: stat.size };
  }
  return files;
}

/** `/etc/hostname` of the root, the client's default name. */
export function hostnameOf(root: string): string | null {
  const text = readUnderRoot(root, 'etc/hostname');
  const name = text?.trim().split(/\s+/)[0];
  return name ? name : null;
}
