import { classifications, severities, type CatalogueProducts, type Collection } from '@patchday/core';
import { useResource } from '../../hooks/useResource.ts';
import type { FilterDraft } from './update-filter-draft.ts';

/**
 * §6.3 the criteria of an automatic deployment rule: core's UpdateFilter, field by field. Every
 * criterion given must hold; expired updates are never selected.
 */
export function CriteriaBuilder({ value, onChange, collections }: { value: FilterDraft; onChange(next: FilterDraft): void; collections: Collection[] }) {
  const products = useResource<CatalogueProducts>('/catalogue/products');
  const set = (key: keyof FilterDraft, text: string) => onChange({ ...value, [key]: text });
  const input = (key: keyof FilterDraft, label: string, props: { placeholder?: string; type?: string; className?: string } = {}) => (
    <label>
      {label}
      <input type={props.type ?? 'text'} placeholder={props.placeholder} className={props.className} value={value[key]} onChange={(e) => set(key, e.target.value)} />
    </label>
  );
  return (
    <fieldset>
      <legend>Criteria</legend>
      <div className="form-row">
        <label>
          Product
          <select value={value.product} onChange={(e) => set('product', e.target.value)}>
            <option value="">Any product</option>
            {(products.data?.products ?? []).map((p) => (
              <option key={p.product} value={p.product}>
                {p.product}
              </option>
            ))}
            {value.product && !products.data?.products.some((p) => p.product === value.product) && <option value={value.product}>{value.product}</option>}
          </select>
        </label>
        <label>
          Classification
          <select value={value.classification} onChange={(e) => set('classification', e.target.value)}>
            <option value="">Any classification</option>
            {classifications.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select value={value.severity} onChange={(e) => set('severity', e.target.value)}>
            <option value="">Any severity</option>
            {severities.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Superseded
          <select value={value.superseded} onChange={(e) => set('superseded', e.target.value)}>
            <option value="">Either</option>
            <option value="false">Not superseded</option>
            <option value="true">Superseded</option>
          </select>
        </label>
      </div>
      <div className="form-row">
        {input('releasedSince', 'Released since', { type: 'date' })}
        {input('releasedWithinDays', 'Released within (days)', { type: 'number', className: 'narrow' })}
        {input('requiredByAtLeast', 'Required by at least (clients)', { type: 'number', className: 'narrow' })}
        <label>
          Counting clients of
          <select value={value.collectionId} onChange={(e) => set('collectionId', e.target.value)}>
            <option value="">Every active client</option>
            {collections.map((c) => (
              <option key={c.collectionId} value={c.collectionId}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="form-row">
        {input('text', 'Text', { placeholder: 'title, description, advisory' })}
        {input('cve', 'CVE', { placeholder: 'CVE-2026-12345', className: 'medium' })}
        {input('advisory', 'Advisory', { placeholder: 'DSA-5800-1', className: 'medium' })}
        {input('source', 'Source package', { className: 'medium' })}
        {input('suite', 'Suite', { placeholder: 'bookworm-security', className: 'medium' })}
        {input('vendor', 'Vendor', { className: 'medium' })}
      </div>
    </fieldset>
  );
}
