import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  debianUpdatesOf,
  inventoryOsOf,
  parseDpkgStatus,
  parseOsRelease,
  parsePackagesIndex,
  type DpkgPackage,
  type Inventory,
  type UpdateMetadata,
} from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../src/store/schema.ts';
import { sharedData, snapshotRoot } from './site-harness.ts';

/** Real inventories and their variations, for compliance tests and the fleet benchmark. */

export const nodeImageStatusFile = join(sharedData, 'dpkg-status/bookworm-node-image.status');

export const bookwormOs = () => inventoryOsOf(parseOsRelease('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'), 'amd64');

/** The real node image: Debian 12, amd64, 710 installed packages. */
export function nodeImageInventory(facts: Record<string, string> = {}): Inventory {
  return { os: bookwormOs(), dpkg: parseDpkgStatus(readFileSync(nodeImageStatusFile, 'utf8')), facts };
}

/** The updates of one suite of the snapshot, as the sync builds them (no supersedence). */
export function snapshotUpdates(archive: 'debian' | 'debian-security', suite: string, product: string): UpdateMetadata[] {
  const text = execFileSync('xz', ['-dc', join(snapshotRoot, archive, 'dists', suite, 'main/binary-amd64/Packages.xz')], { maxBuffer: 1 << 30 }).toString('utf8');
  return debianUpdatesOf({ upstream: archive, product, suite, releaseDate: new Date('2026-11-24T00:00:00Z'), binaries: parsePackagesIndex(text) });
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same fleet. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version dpkg orders just below `version` (`~` sorts before the end). */
export const olderVersion = (version: string) => `${version}~old1`;
/** A version dpkg orders just above `version`. */
export const newerVersion = (version: string) => `${version}+new1`;

/**
 * A variation of `base`: `changes` packages picked at random, each set to an older or a newer
 * version or removed; and, for each of `patches` (updates), with probability `patchedShare`, its
 * installed binaries brought to the update's version (the machine installed it).
 */
export function varyInventory(
  base: Inventory,
  random: () => number,
  options: { changes: number; patches?: readonly UpdateMetadata[]; patchedShare?: number; facts?: Record<string, string> },
): Inventory {
  const dpkg: Record<string, DpkgPackage> = { ...base.dpkg! };
  const keys = Object.keys(dpkg);
  for (let i = 0; i < options.changes; i++) {
    const key = keys[Math.floor(random() * keys.length)];
    const p = dpkg[key];
    if (!p || p.version === null) continue;
    const roll = random();
    if (roll < 0.45) dpkg[key] = { ...p, version: olderVersion(p.version) };
    else if (roll < 0.9) dpkg[key] = { ...p, version: newerVersion(p.version) };
    else delete dpkg[key];
  }
  for (const update of options.patches ?? []) {
    if (random() >= (options.patchedShare ?? 0)) continue;
    for (const b of update.binaries) {
      for (const key of [b.package, `${b.package}:${b.architecture}`]) {
        const p = dpkg[key];
        if (p && p.version !== null && (p.architecture === b.architecture || b.architecture === 'all' || p.architecture === 'all')) dpkg[key] = { ...p, version: b.version };
      }
    }
  }
  return { os: base.os, dpkg, facts: options.facts ?? base.facts };
}

/** Inserts a client row directly (tests and benchmarks that do not go through enrolment). */
export async function insertClient(db: Kysely<Database>, name: string, options: { clientId?: string; status?: 'active' | 'pending' } = {}): Promise<string> {
  const clientId = options.clientId ?? randomUUID();
  await db
    .insertInto('clients')
    .values({ client_id: clientId, name, credential_hash: `test-${clientId}`, status: options.status ?? 'active', enrolment_token_id: null, enrolled_at: '2026-11-25T10:00:00.000Z', last_policy_at: null, last_inventory_at: null, inventory_sha256: null })
    .execute();
  return clientId;
}
