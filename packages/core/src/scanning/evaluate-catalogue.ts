import type { CatalogueEntry } from '../api/update-point.ts';
import { detectionStateIds, evaluateUpdate, type DetectionState, type UpdateApplicability } from '../compliance/applicability.ts';
import { dpkgStanzasOf, type Inventory } from '../inventory/inventory.ts';
import { ruleReadsOf } from '../rules/atoms.ts';

/** The last state an agent reported for an update, and for which revision. */
export interface ReportedState {
  stateId: number;
  revision: number;
}

export interface DetectionChange {
  updateId: string;
  revision: number;
  state: DetectionState;
  stateId: number;
}

/** Per update's rules: the dpkg packages they read, or null when they read more than os and dpkg. */
const packagesRead = new WeakMap<UpdateApplicability, readonly string[] | null>();
/** Per update's rules: the answer on a machine with none of those packages, and for which os. */
const answerWithoutPackages = new WeakMap<UpdateApplicability, { os: string; state: DetectionState }>();

function packagesReadBy(rules: UpdateApplicability): readonly string[] | null {
  let names = packagesRead.get(rules);
  if (names === undefined) {
    const reads = ruleReadsOf([rules.prerequisites, rules.isInstallable, rules.isInstalled]);
    names = reads.osAndDpkgOnly ? [...reads.dpkgPackages] : null;
    packagesRead.set(rules, names);
  }
  return names;
}

/**
 * §4 for every update of the catalogue, with the shared evaluator. Most updates name only
 * packages the machine does not have; rules that read nothing but the os and the named
 * packages' stanzas (every Debian update's) give those the same answer on every scan of a
 * machine with the same os, so that answer is kept and reused — exactly what the evaluator
 * would say, without walking the rules again.
 */
export function evaluateCatalogue(entries: Iterable<CatalogueEntry>, inventory: Inventory): Map<string, { state: DetectionState; revision: number }> {
  const states = new Map<string, { state: DetectionState; revision: number }>();
  const dpkg = inventory.dpkg;
  const os = JSON.stringify(inventory.os);
  const withoutPackages: Inventory = { os: inventory.os, dpkg: {}, facts: {} };
  for (const entry of entries) {
    const rules = entry.applicability;
    const names = dpkg === null ? null : packagesReadBy(rules);
    let state: DetectionState;
    if (names !== null && names.every((name) => dpkgStanzasOf(dpkg!, name).length === 0)) {
      const known = answerWithoutPackages.get(rules);
      if (known !== undefined && known.os === os) state = known.state;
      else answerWithoutPackages.set(rules, { os, state: (state = evaluateUpdate(rules, withoutPackages)) });
    } else {
      state = evaluateUpdate(rules, inventory);
    }
    states.set(entry.updateId, { state, revision: entry.revision });
  }
  return states;
}

const NOT_REQUIRED = detectionStateIds['Not Required'];

/**
 * §5: one state message per update whose state changed since the last scan. A completed scan
 * tells the site that every update it does not report otherwise is Not Required, so Not
 * Required is the baseline of an update never reported; a revised update is reported again
 * unless it is Not Required, since the site treats revisions after the scan's anchor as unknown.
 */
export function detectionChanges(
  previous: ReadonlyMap<string, ReportedState>,
  current: ReadonlyMap<string, { state: DetectionState; revision: number }>,
): DetectionChange[] {
  const changes: DetectionChange[] = [];
  for (const [updateId, { state, revision }] of current) {
    const stateId = detectionStateIds[state];
    const before = previous.get(updateId);
    const changed = before === undefined ? stateId !== NOT_REQUIRED : before.stateId !== stateId || (before.revision !== revision && stateId !== NOT_REQUIRED);
    if (changed) changes.push({ updateId, revision, state, stateId });
  }
  return changes;
}
