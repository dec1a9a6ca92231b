import { classifications, severities, type CatalogueProducts } from '@patchday/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useResource } from '../../hooks/useResource.ts';
import { filterKeys, type FilterKey, type UpdateListQuery } from './update-list-query.ts';

type Filters = Pick<UpdateListQuery, FilterKey>;

/**
 * §6.2 step 1: the criteria of the catalogue filter. Lists apply at once; typed criteria apply with
 * Enter or "Apply". The server validates every criterion and says what is wrong.
 */
export function UpdateFilters({ query, onChange }: { query: UpdateListQuery; onChange(filters: Filters): void }) {
  const products = useResource<CatalogueProducts>('/catalogue/products');
  const [draft, setDraft] = useState<Filters>(query);
  useEffect(() => setDraft(query), [query]);

  const set = (key: FilterKey, value: string, applyNow = false) => {
    const next = { ...draft, [key]: value } as Filters;
    setDraft(next);
    if (applyNow) onChange(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(draft);
  };
  const empty = Object.fromEntries(filterKeys.map((k) => [k, ''])) as Filters;
  const filtered = filterKeys.some((k) => query[k] !== '');

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter updates">
      <label>
        Product
        <select value={draft.product} onChange={(e) => set('product', e.target.value, true)}>
          <option value="">All products</option>
          {(products.data?.products ?? []).map((p) => (
            <option key={p.product} value={p.product}>
              {p.product} ({p.updates})
            </option>
          ))}
          {draft.product && !products.data?.products.some((p) => p.product === draft.product) && <option value={draft.product}>{draft.product}</option>}
        </select>
      </label>
      <label>
        Classification
        <select value={draft.classification} onChange={(e) => set('classification', e.target.value, true)}>
          <option value="">All classifications</option>
          {classifications.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Severity
        <select value={draft.severity} onChange={(e) => set('severity', e.target.value, true)}>
          <option value="">All severities</option>
          {severities.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Superseded
        <select value={draft.superseded} onChange={(e) => set('superseded', e.target.value, true)}>
          <option value="">Either</option>
          <option value="false">Not superseded</option>
          <option value="true">Superseded</option>
        </select>
      </label>
      <label>
        Released since
        <input type="date" value={draft.releasedSince} onChange={(e) => set('releasedSince', e.target.value, true)} />
      </label>
      <label>
        Required by at least
        <input type="number" min={1} inputMode="numeric" placeholder="clients" className="narrow" value={draft.requiredByAtLeast} onChange={(e) => set('requiredByAtLeast', e.target.value)} />
      </label>
      <label>
        Text
        <input type="search" placeholder="title, description, advisory" value={draft.text} onChange={(e) => set('text', e.target.value)} />
      </label>
      <label>
        CVE
        <input type="search" placeholder="CVE-2026-12345" className="medium" value={draft.cve} onChange={(e) => set('cve', e.target.value)} />
      </label>
      <div className="filter-buttons">
        <button type="submit" className="primary">
          Apply
        </button>
        {filtered && (
          <button type="button" onClick={() => onChange(empty)}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}
