import type { UpdateFilter } from '@patchday/core';

/**
 * The catalogue criteria (core's UpdateFilter) as form fields: every field text, '' for "any".
 * The All updates page's query has the same names for the criteria it offers.
 */
export interface FilterDraft {
  product: string;
  classification: string;
  severity: string;
  releasedSince: string;
  releasedWithinDays: string;
  /** '' = either. */
  superseded: '' | 'true' | 'false';
  requiredByAtLeast: string;
  /** Whose clients count toward requiredByAtLeast; '' = every active client. */
  collectionId: string;
  text: string;
  advisory: string;
  cve: string;
  source: string;
  suite: string;
  vendor: string;
}

const textKeys = ['product', 'classification', 'severity', 'releasedSince', 'collectionId', 'text', 'advisory', 'cve', 'source', 'suite', 'vendor'] as const;
const numberKeys = ['releasedWithinDays', 'requiredByAtLeast'] as const;

export const emptyDraft: FilterDraft = {
  product: '',
  classification: '',
  severity: '',
  releasedSince: '',
  releasedWithinDays: '',
  superseded: '',
  requiredByAtLeast: '',
  collectionId: '',
  text: '',
  advisory: '',
  cve: '',
  source: '',
  suite: '',
  vendor: '',
};

/**
 * The filter the site is sent. A number field that is not a whole number goes as typed, so the
 * site's validation names it.
 */
export function filterOfDraft(draft: Partial<FilterDraft>): UpdateFilter {
  const filter: Record<string, unknown> = {};
  for (const key of textKeys) {
    const value = draft[key]?.trim();
    if (value) filter[key] = value;
  }
  for (const key of numberKeys) {
    const value = draft[key]?.trim();
    if (value) filter[key] = /^\d+$/.test(value) ? Number(value) : value;
  }
  if (draft.superseded) filter.superseded = draft.superseded === 'true';
  return filter as UpdateFilter;
}

export function draftOfFilter(filter: UpdateFilter): FilterDraft {
  const draft: FilterDraft = { ...emptyDraft };
  for (const key of textKeys) draft[key] = filter[key] ?? '';
  for (const key of numberKeys) draft[key] = filter[key] === undefined ? '' : String(filter[key]);
  draft.superseded = filter.superseded === undefined ? '' : filter.superseded ? 'true' : 'false';
  return draft;
}

/** The criteria in words: "Security Updates, Critical, not superseded, required by at least 50 clients". */
export function describeFilter(filter: UpdateFilter, collectionName?: (collectionId: string) => string): string {
  const parts: string[] = [];
  if (filter.product) parts.push(filter.product);
  if (filter.classification) parts.push(filter.classification);
  if (filter.severity) parts.push(`severity ${filter.severity}`);
  if (filter.superseded !== undefined) parts.push(filter.superseded ? 'superseded' : 'not superseded');
  if (filter.expired !== undefined) parts.push(filter.expired ? 'expired' : 'not expired');
  if (filter.releasedSince) parts.push(`released since ${filter.releasedSince}`);
  if (filter.releasedWithinDays !== undefined) parts.push(`released within ${filter.releasedWithinDays} days`);
  if (filter.text) parts.push(`text "${filter.text}"`);
  if (filter.advisory) parts.push(`advisory ${filter.advisory}`);
  if (filter.cve) parts.push(filter.cve);
  if (filter.source) parts.push(`source ${filter.source}`);
  if (filter.suite) parts.push(`suite ${filter.suite}`);
  if (filter.vendor) parts.push(`vendor ${filter.vendor}`);
  if (filter.requiredByAtLeast !== undefined) {
    const scope = filter.collectionId ? ` of ${collectionName?.(filter.collectionId) ?? filter.collectionId}` : '';
    parts.push(`required by at least ${filter.requiredByAtLeast} client${filter.requiredByAtLeast === 1 ? '' : 's'}${scope}`);
  }
  return parts.length ? parts.join(', ') : 'every update of the catalogue';
}
