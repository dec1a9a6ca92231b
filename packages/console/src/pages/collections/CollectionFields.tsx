import { ALL_SYSTEMS_COLLECTION_ID, type Collection } from '@patchday/core';

/** What makes a collection (§1) besides its rules, members and settings: shared by "New collection" and "Edit". */
export interface CollectionDraft {
  name: string;
  description: string;
  limitingCollectionId: string;
  includeCollectionIds: string[];
  excludeCollectionIds: string[];
}

export function draftOfCollection(c: Collection | null): CollectionDraft {
  return {
    name: c?.name ?? '',
    description: c?.description ?? '',
    limitingCollectionId: c?.limitingCollectionId ?? ALL_SYSTEMS_COLLECTION_ID,
    includeCollectionIds: c?.includeCollectionIds ?? [],
    excludeCollectionIds: c?.excludeCollectionIds ?? [],
  };
}

/** One option per collection, by id, for a collection chooser. */
export const collectionOptions = (collections: Collection[]) =>
  collections.map((c) => (
    <option key={c.collectionId} value={c.collectionId}>
      {c.name}
    </option>
  ));

/** The fields of `next` that differ from `before`, trimmed as the site wants them: a PATCH names only what changed. */
export function changedFields(before: CollectionDraft, next: CollectionDraft): Partial<CollectionDraft> {
  const wanted: CollectionDraft = { ...next, name: next.name.trim() };
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key as keyof CollectionDraft])));
}

/**
 * Name, description, limiting collection and the collections it includes and excludes. All Systems
 * (`builtIn`) holds every active client: only its description can change.
 */
export function CollectionFields({ value, onChange, others, builtIn = false }: { value: CollectionDraft; onChange(next: CollectionDraft): void; others: Collection[]; builtIn?: boolean }) {
  const set = (next: Partial<CollectionDraft>) => onChange({ ...value, ...next });
  const toggle = (list: 'includeCollectionIds' | 'excludeCollectionIds', id: string, on: boolean) => set({ [list]: on ? [...value[list], id] : value[list].filter((x) => x !== id) });
  const references = (list: 'includeCollectionIds' | 'excludeCollectionIds', legend: string) => (
    <fieldset className="collection-choices">
      <legend>{legend}</legend>
      {others.length === 0 && <span className="muted small">No other collection.</span>}
      {others.map((c) => (
        <label key={c.collectionId} className="inline">
          <input type="checkbox" checked={value[list].includes(c.collectionId)} onChange={(e) => toggle(list, c.collectionId, e.target.checked)} />
          {c.name}
        </label>
      ))}
    </fieldset>
  );
  return (
    <>
      {!builtIn && (
        <label>
          Name
          <input value={value.name} onChange={(e) => set({ name: e.target.value })} required maxLength={100} />
        </label>
      )}
      <label>
        Description
        <input className="medium" value={value.description} onChange={(e) => set({ description: e.target.value })} maxLength={1000} />
      </label>
      {!builtIn && (
        <>
          <label>
            Limiting collection
            <select value={value.limitingCollectionId} onChange={(e) => set({ limitingCollectionId: e.target.value })}>
              {collectionOptions(others)}
            </select>
          </label>
          {references('includeCollectionIds', 'Include the members of')}
          {references('excludeCollectionIds', 'Exclude the members of')}
        </>
      )}
    </>
  );
}
