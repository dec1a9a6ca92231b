import type { CatalogueEntry } from '../api/update-point.ts';
import { detectionStateIds, evaluateUpdate, type DetectionState } from '../compliance/applicability.ts';
import type { Inventory } from '../inventory/inventory.ts';

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

/** §4 for every update of the catalogue, with the shared evaluator. */
export function evaluateCatalogue(entries: Iterable<CatalogueEntry>, inventory: Inventory): Map<string, { state: DetectionState; revision: number }> {
  const states = new Map<string, { state: DetectionState; revision: number }>();
  for (const entry of entries) states.set(entry.updateId, { state: evaluateUpdate(entry.applicability, inventory), revision: entry.revision });
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
