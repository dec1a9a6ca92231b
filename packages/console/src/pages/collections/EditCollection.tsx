import type { Collection } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { useAction } from '../software-updates/use-action.ts';
import { changedFields, CollectionFields, draftOfCollection } from './CollectionFields.tsx';

/**
 * Changes what makes the collection (`PATCH /api/v1/collections/:id` with only the fields changed);
 * the site refuses a name taken, a cycle of includes or limits, or a collection both included and
 * excluded, in words, and nothing changes.
 */
export function EditCollection({ collection: c, all, onClose }: { collection: Collection; all: Collection[]; onClose(saved: boolean): void }) {
  const api = useApi();
  const action = useAction();
  const [draft, setDraft] = useState(() => draftOfCollection(c));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const change = changedFields(draftOfCollection(c), draft);
    if (Object.keys(change).length === 0) return onClose(false);
    if (await action.run(() => api.patch<Collection>(`/collections/${c.collectionId}`, change))) onClose(true);
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`Edit collection ${c.name}`}>
      <CollectionFields value={draft} onChange={setDraft} others={all.filter((x) => x.collectionId !== c.collectionId)} builtIn={c.builtIn} />
      <FormButtons submit="Save collection" busy={action.busy} onCancel={() => onClose(false)} />
      <ErrorNotice error={action.error} />
    </form>
  );
}
