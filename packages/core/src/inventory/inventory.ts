import { z } from 'zod';
import { isPackageName } from '../debian/packages-index.ts';

/**
 * What an agent reports about its machine, and what the server keeps as the client's last
 * inventory (§4) so it can estimate compliance for a newly synced update before the client
 * rescans. Everything a rule condition reads comes from here; whatever the agent did not
 * collect is absent, and conditions on it evaluate to unknown.
 */

// Bounds for what a client may send (§11): far above any real machine.
const MAX_PACKAGES = 200_000;
const MAX_FILES = 10_000;
const MAX_FACTS = 10_000;
const MAX_COMMAND_RESULTS = 1_000;

const wants = ['unknown', 'install', 'hold', 'deinstall', 'purge'] as const;
// `hold` and `hold-reinstreq` are what dpkg before 1.15 wrote for the error flag.
const errorFlags = ['ok', 'reinstreq', 'hold', 'hold-reinstreq'] as const;
const packageStates = ['not-installed', 'config-files', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending', 'installed'] as const;

const DPKG_STATUS = new RegExp(`^(${wants.join('|')}) (${errorFlags.join('|')}) (${packageStates.join('|')})$`);

/** dpkg's `Status:` field: selection, error flag, package state (`install ok installed`). */
export const DpkgStatusText = z.string().regex(DPKG_STATUS, 'a dpkg status is "<want> <flag> <state>", e.g. "install ok installed"');

export const MultiArch = z.enum(['no', 'same', 'foreign', 'allowed']);
export type MultiArch = z.infer<typeof MultiArch>;

/** One stanza of the dpkg database, installed or not. */
export const DpkgPackage = z.strictObject({
  name: z.string().refine(isPackageName, 'not a Debian package name'),
  /** Absent only for stanzas dpkg keeps of packages long gone (`not-installed`). */
  architecture: z.string().max(64).nullable(),
  /** Absent only when nothing of the package is on the machine. */
  version: z.string().max(256).nullable(),
  status: DpkgStatusText,
  multiArch: MultiArch.nullable(),
});
export type DpkgPackage = z.infer<typeof DpkgPackage>;

export const InventoryOs = z.strictObject({
  /** os-release `ID` (`debian`; `linux` when the file has none, as os-release(5) says). */
  family: z.string().min(1).max(64),
  /** os-release `VERSION_ID` (`12`); Debian testing and unstable have none. */
  versionId: z.string().max(64).nullable(),
  /** os-release `VERSION_CODENAME` (`bookworm`). */
  codename: z.string().max(64).nullable(),
  /** The native dpkg architecture (`dpkg --print-architecture`). */
  architecture: z.string().max(64).nullable(),
});
export type InventoryOs = z.infer<typeof InventoryOs>;

/** A file the agent looked at: null when it does not exist. */
export const InventoryFile = z
  .strictObject({
    size: z.number().int().nonnegative(),
    /** Absent when the agent did not hash it (too large, unreadable). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .nullable();
export type InventoryFile = z.infer<typeof InventoryFile>;

/** A command the agent ran for a trusted rule: `exitCode` null when it timed out or was killed. */
export const CommandResult = z.strictObject({ exitCode: z.number().int().nullable() });
export type CommandResult = z.infer<typeof CommandResult>;

const boundedRecord = <T extends z.ZodType>(value: T, max: number, what: string) =>
  z.record(z.string().max(4096), value).refine((r) => Object.keys(r).length <= max, `at most ${max} ${what}`);

export const Inventory = z.strictObject({
  os: InventoryOs,
  /**
   * The dpkg database keyed the way dpkg names packages (`${binary:Package}`): `name`, or
   * `name:arch` for Multi-Arch `same` and foreign-architecture packages. Null on a machine
   * without dpkg.
   */
  dpkg: boundedRecord(DpkgPackage, MAX_PACKAGES, 'packages')
    .refine((r) => Object.entries(r).every(([key, p]) => key === p.name || key === `${p.name}:${p.architecture}`), 'a package is keyed by its name or name:architecture')
    .nullable(),
  /** Files the agent examined, by absolute path; a path not listed was not examined. */
  files: boundedRecord(InventoryFile, MAX_FILES, 'files').optional(),
  facts: boundedRecord(z.string().max(4096), MAX_FACTS, 'facts'),
  /** Results of trusted commands, keyed by {@link commandKey}. */
  commandResults: boundedRecord(CommandResult, MAX_COMMAND_RESULTS, 'command results').optional(),
});
export type Inventory = z.infer<typeof Inventory>;

/** The key a command's result is stored under: its argv, which is what identifies it. */
export function commandKey(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

/**
 * Whether a stanza's package is on the machine, as far as a version comparison is concerned.
 * `undefined` for a package caught mid-install or needing reinstallation: its files are
 * neither surely the old version nor surely the new one.
 *
 * The selection does not matter: a held package (`hold ok installed`) or one marked for
 * removal (`deinstall ok installed`) is still installed, and `apt list --upgradable` lists it.
 * Pending triggers leave a configured package, so those states count as installed too.
 */
export function isInstalledStatus(status: string): boolean | undefined {
  const [, flag, state] = status.split(' ');
  if (state === 'not-installed' || state === 'config-files') return false;
  if (flag !== 'ok') return undefined;
  if (state === 'installed' || state === 'triggers-pending' || state === 'triggers-awaited') return true;
  return undefined;
}

/**
 * Whether an installed package's architecture is the one asked for. apt files `all` packages
 * under the native architecture (a package may move between `all` and `amd64` from one
 * version to the next and apt upgrades it all the same), so `all` matches the native one;
 * undefined when that takes knowing the native architecture and the inventory lacks it.
 */
export function architectureMatches(installed: string | null, wanted: string, native: string | null): boolean | undefined {
  if (installed === null) return undefined;
  if (installed === wanted) return true;
  if (installed !== 'all' && wanted !== 'all') return false;
  if (native === null) return undefined;
  return (installed === 'all' ? native : installed) === (wanted === 'all' ? native : wanted);
}

// Per dpkg record: name → its stanzas. Built once per inventory, since one scan evaluates
// tens of thousands of rules against the same machine.
const byNameCache = new WeakMap<object, Map<string, DpkgPackage[]>>();

/** Every stanza of the package `name` (all architectures), or an empty list. */
export function dpkgStanzasOf(dpkg: Record<string, DpkgPackage>, name: string): readonly DpkgPackage[] {
  let byName = byNameCache.get(dpkg);
  if (byName === undefined) {
    byName = new Map();
    for (const p of Object.values(dpkg)) {
      const list = byName.get(p.name);
      if (list) list.push(p);
      else byName.set(p.name, [p]);
    }
    byNameCache.set(dpkg, byName);
  }
  return byName.get(name) ?? [];
}
