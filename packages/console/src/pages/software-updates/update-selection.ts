import { useSyncExternalStore } from 'react';

/**
 * The updates an administrator ticked on the All updates page, across pages and filters, for the
 * actions that work on a selection (an update group from it). Kept for the browser tab's session.
 */
const KEY = 'patchday.selectedUpdates';
const listeners = new Set<() => void>();
let selected: ReadonlySet<string> = load();

function load(): ReadonlySet<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function store(next: ReadonlySet<string>) {
  selected = next;
  sessionStorage.setItem(KEY, JSON.stringify([...next]));
  for (const listener of listeners) listener();
}

export function selectedUpdateIds(): string[] {
  return [...selected];
}

export function setUpdatesSelected(updateIds: readonly string[], on: boolean): void {
  const next = new Set(selected);
  for (const id of updateIds) {
    if (on) next.add(id);
    else next.delete(id);
  }
  store(next);
}

export function clearUpdateSelection(): void {
  store(new Set());
}

export function useUpdateSelection(): ReadonlySet<string> {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => selected,
  );
}
