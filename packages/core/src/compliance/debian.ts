import type { UpdateBinary, UpdateMetadata } from '../catalogue/update.ts';
import { quote } from '../debian/errors.ts';
import { compareDebianVersions, isValidDebianVersion } from '../debian/version.ts';
import { architectureMatches, dpkgStanzasOf, type Inventory, isInstalledStatus } from '../inventory/inventory.ts';
import type { ApplicabilityRule } from '../rules/rule.ts';
import type { UpdateApplicability } from './applicability.ts';

const DEBIAN_PRODUCT = /^Debian (\d+)$/;

/**
 * The rules of a Debian update, generated at sync time (§4): meant for Debian of the
 * update's major release on an architecture it carries binaries for; Required when one of
 * its binaries is installed at a lower version (dpkg order); Installed when at least one is
 * installed and every installed one is at its version or later; Not Required when none is
 * installed.
 *
 * A binary matches an installed package of the same name and architecture, `all` standing
 * for the machine's native architecture as in apt; packages of a foreign architecture
 * (`libc6:i386` on amd64) match only binaries of theirs.
 */
export function debianApplicabilityRules(update: Pick<UpdateMetadata, 'product' | 'binaries'>): UpdateApplicability {
  const product = DEBIAN_PRODUCT.exec(update.product);
  if (product === null) throw new Error(`not a Debian product: ${quote(update.product)}`);
  const os = { family: 'debian', versionId: product[1] };
  // An update synced for amd64 says nothing about an arm64 machine's packages; `all` binaries
  // are the same everywhere, so an update of only those fits every architecture.
  const architectures = [...new Set(update.binaries.map((b) => b.architecture).filter((a) => a !== 'all'))].sort();
  let prerequisites: ApplicabilityRule;
  if (architectures.length === 0) prerequisites = { os };
  else if (architectures.length === 1) prerequisites = { os: { ...os, architecture: architectures[0] } };
  else prerequisites = { and: [{ os }, { or: architectures.map((architecture) => ({ os: { architecture } })) }] };

  const installedBelow = (): ApplicabilityRule => ({
    or: update.binaries.map((b) => ({ dpkg: { package: b.package, architecture: b.architecture, version: { op: 'lt' as const, value: b.version } } })),
  });
  return {
    prerequisites,
    isInstallable: installedBelow(),
    // "Every installed binary at its version or later" is "none installed below it", which
    // takes one condition per binary instead of three.
    isInstalled: {
      and: [{ or: update.binaries.map((b) => ({ dpkg: { package: b.package, architecture: b.architecture } })) }, { not: installedBelow() }],
    },
  };
}

/** One installed package that an update would move to a newer version. */
export interface DebianUpgrade {
  package: string;
  architecture: string;
  from: string;
  to: string;
  /** Every given update that carries `to` (one upload can sit in two suites). */
  updateIds: string[];
}

/**
 * What installing `updates` would upgrade on the machine: for every installed package that a
 * binary of them matches at a higher version, the highest such version — the one apt would
 * choose among the same uploads. Pass the updates found Required; the list is apt's upgrade
 * list (§4) when those are the machine's Required updates among the non-superseded ones and
 * those {@link binariesLeftBehind} keeps in force.
 */
export function pendingDebianUpgrades(updates: readonly Pick<UpdateMetadata, 'updateId' | 'binaries'>[], inventory: Inventory): DebianUpgrade[] {
  const dpkg = inventory.dpkg;
  if (dpkg === null) return [];
  const native = inventory.os.architecture;
  const best = new Map<object, DebianUpgrade>();
  for (const update of updates) {
    for (const b of update.binaries) {
      for (const p of dpkgStanzasOf(dpkg, b.package)) {
        if (p.version === null || p.architecture === null || isInstalledStatus(p.status) !== true) continue;
        if (architectureMatches(p.architecture, b.architecture, native) !== true) continue;
        if (!isValidDebianVersion(p.version) || compareDebianVersions(p.version, b.version) >= 0) continue;
        const seen = best.get(p);
        const order = seen === undefined ? 1 : compareDebianVersions(b.version, seen.to);
        if (order > 0) best.set(p, { package: p.name, architecture: p.architecture, from: p.version, to: b.version, updateIds: [update.updateId] });
        else if (order === 0 && !seen!.updateIds.includes(update.updateId)) seen!.updateIds.push(update.updateId);
      }
    }
  }
  return [...best.values()].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : a.architecture < b.architecture ? -1 : a.architecture > b.architecture ? 1 : 0));
}

/**
 * Binaries whose newest published version only a superseded update carries, by that update.
 *
 * §2 supersedes by source: the newest upload of a source supersedes the older ones. But a
 * newer upload does not always build every binary the older one did (a library's soname
 * bump, a dropped transitional package, a new kernel ABI), and apt still upgrades such a
 * binary from the older upload. Those older updates must stay in force for §4's Required
 * updates to equal apt's upgrades; these are they. Pass only updates the upstream still
 * publishes, and the catalogue's verdicts for them.
 */
export function binariesLeftBehind(
  updates: readonly Pick<UpdateMetadata, 'updateId' | 'product' | 'binaries'>[],
  verdicts: ReadonlyMap<string, { superseded: boolean }>,
): Map<string, UpdateBinary[]> {
  const superseded = (u: { updateId: string }) => verdicts.get(u.updateId)?.superseded === true;
  const compatible = (a: string, b: string) => a === b || a === 'all' || b === 'all';
  // product → package → [architecture, version, update] of every published binary
  const offers = new Map<string, Map<string, Array<{ architecture: string; version: string; current: boolean; updateId: string; binary: UpdateBinary }>>>();
  for (const u of updates) {
    let byPackage = offers.get(u.product);
    if (!byPackage) offers.set(u.product, (byPackage = new Map()));
    for (const b of u.binaries) {
      const list = byPackage.get(b.package);
      const offer = { architecture: b.architecture, version: b.version, current: !superseded(u), updateId: u.updateId, binary: b };
      if (list) list.push(offer);
      else byPackage.set(b.package, [offer]);
    }
  }
  const left = new Map<string, UpdateBinary[]>();
  for (const byPackage of offers.values()) {
    for (const list of byPackage.values()) {
      for (const offer of list) {
        if (offer.current) continue;
        const newer = list.some((o) => o !== offer && compatible(o.architecture, offer.architecture) && (o.current ? compareDebianVersions(o.version, offer.version) >= 0 : compareDebianVersions(o.version, offer.version) > 0));
        if (newer) continue;
        const binaries = left.get(offer.updateId);
        if (binaries) binaries.push(offer.binary);
        else left.set(offer.updateId, [offer.binary]);
      }
    }
  }
  return left;
}
