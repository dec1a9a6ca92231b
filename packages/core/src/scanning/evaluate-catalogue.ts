import type { CatalogueEntry } from '../api/update-point.ts';
import { detectionStateIds, evaluateUpdate, type DetectionState } from '../compliance/applicability.ts';
import type { Inventory } from '../inventory/inventory.ts';
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

/**
 * A catalogue made ready for repeated scans: for each update, the dpkg packages its rules read
 * (null when they read more than the os and dpkg), and the answers kept for a machine without
 * any of those packages.
 */
interface PreparedCatalogue {
  entries: readonly CatalogueEntry[];
  reads: ReadonlyArray<readonly string[] | null>;
  /** The os (as JSON) the kept answers hold for; they are dropped when it changes. */
  keptFor: string | null;
  kept: Array<DetectionState | undefined>;
}

// Keyed by the entries array: an agent scans the same catalogue object until a delta replaces it.
const prepared = new WeakMap<readonly CatalogueEntry[], PreparedCatalogue>();

function prepare(entries: readonly CatalogueEntry[]): PreparedCatalogue {
  let catalogue = prepared.get(entries);
  if (catalogue === undefined) {
    const reads = entries.map((e) => {
      const r = ruleReadsOf([e.applicability.prerequisites, e.applicability.isInstallable, e.applicability.isInstalled]);
      return r.osAndDpkgOnly ? [...r.dpkgPackages] : null;
    });
    catalogue = { entries, reads, keptFor: null, kept: [] };
    prepared.set(entries, catalogue);
  }
  return catalogue;
}

/**
 * §4 for every update of the catalogue (in the entries' order), with the shared evaluator. Most updates name only
 * packages the machine does not have; rules that read nothing but the os and the named
 * packages' stanzas (every Debian update's) give those the same answer on every machine with the
 * same os, so that answer is kept and reused — exactly what the evaluator would say, without
 * walking the rules again. Treat the entries array as immutable once scanned.
 */
export function evaluateCatalogue(entries: readonly CatalogueEntry[], inventory: Inventory): DetectionState[] {
  const catalogue = prepare(entries);
  const dpkg = inventory.dpkg;
  const os = JSON.stringify(inventory.os);
  if (catalogue.keptFor !== os) {
    catalogue.keptFor = os;
    catalogue.kept = [];
  }
  const installed = new Set<string>();
  if (dpkg !== null) for (const key in dpkg) installed.add(dpkg[key].name);
  const withoutPackages: Inventory = { os: inventory.os, dpkg: {}, facts: {} };
  const states = new Array<DetectionState>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const names = dpkg === null ? null : catalogue.reads[i];
    let readsInstalled = names === null;
    if (names !== null) {
      for (let j = 0; j < names.length && !readsInstalled; j++) readsInstalled = installed.has(names[j]);
    }
    states[i] = readsInstalled
      ? evaluateUpdate(entries[i].applicability, inventory)
      : (catalogue.kept[i] ??= evaluateUpdate(entries[i].applicability, withoutPackages));
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
export function detectionChanges(previous: ReadonlyMap<string, ReportedState>, entries: readonly CatalogueEntry[], states: readonly DetectionState[]): DetectionChange[] {
  const changes: DetectionChange[] = [];
  for (let i = 0; i < entries.length; i++) {
    const { updateId, revision } = entries[i];
    const state = states[i];
    const stateId = detectionStateIds[state];
    const before = previous.get(updateId);
    const changed = before === undefined ? stateId !== NOT_REQUIRED : before.stateId !== stateId || (before.revision !== revision && stateId !== NOT_REQUIRED);
    if (changed) changes.push({ updateId, revision, state, stateId });
  }
  return changes;
}
