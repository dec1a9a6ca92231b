/**
 * What the apt oracle tests share (copied from apt-oracle.test.ts, which keeps its own): the
 * catalogue an update point would hold after syncing a release's suites of the real snapshot,
 * an agent's scan of it, Patchday's resulting upgrades named as apt names packages, and apt
 * itself in a sandbox pointed at the same suites.
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import {
  computeSupersedence,
  debianApplicabilityRules,
  debianUpdatesOf,
  type DetectionState,
  evaluateUpdate,
  type Inventory,
  parsePackagesIndex,
  pendingDebianUpgrades,
  type UpdateMetadata,
} from '@patchday/core';
import { debianKeyring, snapshotRoot } from '../site-harness.ts';
import { type AptSandbox, createAptSandbox } from './apt-sandbox.ts';
import type { ArchiveServer } from './archive-server.ts';

const run = promisify(execFile);

export interface Suite {
  archive: 'debian' | 'debian-security';
  suite: string;
}

/** The main suite, its -updates and its -security, as an update point syncs a release. */
export function releaseSuites(codename: string): Suite[] {
  return [
    { archive: 'debian', suite: codename },
    { archive: 'debian', suite: `${codename}-updates` },
    { archive: 'debian-security', suite: `${codename}-security` },
  ];
}

/** A suite's amd64 Packages index of the snapshot, decompressed. */
export async function packagesText({ archive, suite }: Suite): Promise<string> {
  const { stdout } = await run('xz', ['-dc', `${snapshotRoot}/${archive}/dists/${suite}/main/binary-amd64/Packages.xz`], {
    maxBuffer: 1 << 30,
    encoding: 'buffer',
  });
  return stdout.toString('utf8');
}

/** The catalogue an update point would hold after syncing `suites` (their index texts given), with its supersedence. */
export function catalogueOf(suites: readonly Suite[], texts: readonly string[], product: string) {
  const updates = suites.flatMap((s, i) =>
    debianUpdatesOf({ upstream: s.archive, product, suite: s.suite, releaseDate: new Date('2026-11-24T00:00:00Z'), binaries: parsePackagesIndex(texts[i]!) }),
  );
  const verdicts = computeSupersedence(updates.map((u) => ({ updateId: u.updateId, product: u.product, source: u.source, version: u.version, suite: u.suite, present: true })));
  return { updates, verdicts };
}

/** What an agent does: evaluate each update's rules against its inventory. */
export function scan(updates: readonly UpdateMetadata[], inventory: Inventory): Map<string, DetectionState> {
  return new Map(updates.map((u) => [u.updateId, evaluateUpdate(debianApplicabilityRules(u), inventory)]));
}

/** package → version, named as apt names packages (foreign architectures qualified). */
export function patchdayUpgrades(required: readonly UpdateMetadata[], inventory: Inventory): Map<string, string> {
  const native = inventory.os.architecture;
  return new Map(
    pendingDebianUpgrades(required, inventory).map((u) => [u.architecture === native || u.architecture === 'all' ? u.package : `${u.package}:${u.architecture}`, u.to]),
  );
}

export const sorted = (m: ReadonlyMap<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** apt with `codename`'s three suites served by `server`, after `apt-get update`. */
export async function aptFor(server: ArchiveServer, codename: string, statusFile?: string): Promise<AptSandbox> {
  const sandbox = await createAptSandbox({
    sources: [
      { url: `${server.url}/debian`, suites: [codename, `${codename}-updates`], keyring: debianKeyring },
      { url: `${server.url}/debian-security`, suites: [`${codename}-security`], keyring: debianKeyring },
    ],
    arch: 'amd64',
    statusFile,
  });
  try {
    const update = await sandbox.update();
    assert.deepEqual(update.errors, [], update.stderr);
  } catch (err) {
    await sandbox.dispose();
    throw err;
  }
  return sandbox;
}

/** What Debian ships as /etc/os-release. */
export const OS_RELEASE = {
  bookworm: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
  trixie: `PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
NAME="Debian GNU/Linux"
VERSION_ID="13"
VERSION="13 (trixie)"
VERSION_CODENAME=trixie
DEBIAN_VERSION_FULL=13.8
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
} as const;
