import { MaintenanceWindow, serviceWindows, type CollectionMaintenanceWindow, type Interval } from '@patchday/core';
import type { Selectable } from 'kysely';
import type { MaintenanceWindowsTable } from '../store/schema.ts';

export function toCollectionWindow(row: Selectable<MaintenanceWindowsTable>): CollectionMaintenanceWindow {
  return { windowId: row.window_id, collectionId: row.collection_id, ...MaintenanceWindow.parse(JSON.parse(row.definition)), createdAt: row.created_at, updatedAt: row.updated_at };
}

/** The window alone, without its ids and times: what is stored, and what a change applies to. */
export function windowOf(w: MaintenanceWindow): MaintenanceWindow {
  const { name, recurrence, start, durationMinutes, timeZone, enabled } = w;
  return { name, recurrence, start, durationMinutes, timeZone, enabled };
}

export const definitionOf = (w: MaintenanceWindow): string => JSON.stringify(windowOf(w));

const DAY_MS = 86_400_000;
/** Far enough for any recurrence to occur (a 31st of the month, the last Friday) many times. */
const HORIZONS_DAYS = [62, 190, 400, 800];

/**
 * The next `count` service windows from `now` (one in progress included): the union of `windows`,
 * overlapping ones merged (§6.8). Windows in client local time are placed in `timeZone`.
 */
export function upcomingWindows(windows: readonly MaintenanceWindow[], now: Date, count: number, timeZone: string): Interval[] {
  let found: Interval[] = [];
  for (const days of HORIZONS_DAYS) {
    found = serviceWindows(windows, now, new Date(now.getTime() + days * DAY_MS), timeZone);
    if (found.length >= count + 1) break;
  }
  // The last one may be cut short by the horizon's end; it is only shown when nothing follows.
  return found.slice(0, count);
}
