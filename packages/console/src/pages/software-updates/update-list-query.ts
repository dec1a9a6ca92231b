import type { UpdateQuery } from '@patchday/core';
import { queryString } from '../../api/client.ts';

/**
 * The All updates page's filter, sort and page, kept in the address (shareable, Back works) and
 * passed to `GET /api/v1/updates` as they are: the server filters, sorts and pages.
 */
export interface UpdateListQuery {
  product: string;
  classification: string;
  severity: string;
  releasedSince: string;
  /** '' = either. */
  superseded: '' | 'true' | 'false';
  requiredByAtLeast: string;
  text: string;
  cve: string;
  sort: UpdateQuery['sort'];
  page: number;
  pageSize: number;
}

export const filterKeys = ['product', 'classification', 'severity', 'releasedSince', 'superseded', 'requiredByAtLeast', 'text', 'cve'] as const;
export type FilterKey = (typeof filterKeys)[number];

const sorts: readonly UpdateQuery['sort'][] = ['releaseDate', '-releaseDate', 'title', '-title', 'product', 'classification', 'changeSeq', '-changeSeq'];
export const DEFAULT_SORT: UpdateQuery['sort'] = '-releaseDate';
export const DEFAULT_PAGE_SIZE = 50;

export function readQuery(params: URLSearchParams): UpdateListQuery {
  const text = (key: string) => params.get(key) ?? '';
  const superseded = text('superseded');
  const sort = text('sort') as UpdateQuery['sort'];
  const positive = (key: string, fallback: number) => {
    const n = Number(params.get(key));
    return Number.isInteger(n) && n >= 1 ? n : fallback;
  };
  return {
    product: text('product'),
    classification: text('classification'),
    severity: text('severity'),
    releasedSince: text('releasedSince'),
    superseded: superseded === 'true' || superseded === 'false' ? superseded : '',
    requiredByAtLeast: text('requiredByAtLeast'),
    text: text('text'),
    cve: text('cve'),
    sort: sorts.includes(sort) ? sort : DEFAULT_SORT,
    page: positive('page', 1),
    pageSize: positive('pageSize', DEFAULT_PAGE_SIZE),
  };
}

/** The address's search part: only what differs from the defaults. */
export function searchOf(q: UpdateListQuery): string {
  return queryString({
    ...Object.fromEntries(filterKeys.map((k) => [k, q[k]])),
    sort: q.sort === DEFAULT_SORT ? undefined : q.sort,
    page: q.page === 1 ? undefined : q.page,
    pageSize: q.pageSize === DEFAULT_PAGE_SIZE ? undefined : q.pageSize,
  });
}

export function apiPathOf(q: UpdateListQuery, options: { withCounts?: boolean } = {}): string {
  return `/updates${queryString({ ...Object.fromEntries(filterKeys.map((k) => [k, q[k].trim()])), sort: q.sort, page: q.page, pageSize: q.pageSize, withCounts: options.withCounts || undefined })}`;
}
