import { z } from 'zod';
import { Classification, Severity } from '../catalogue/vocabulary-schemas.ts';
import { UpdateSummary } from '../catalogue/update.ts';
import { MAX_UPDATE_COUNTS_IDS, UpdateCountsList } from './update-overview.ts';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The most clients an update can be required by that a filter may ask for. */
export const MAX_REQUIRED_BY = 10_000_000;

/** Criteria whose text form is the same in a query string and in a JSON body. */
const textCriteria = {
  product: z.string().max(100).optional(),
  classification: Classification.optional(),
  severity: Severity.optional(),
  releasedSince: z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date such as 2026-11-01').optional(),
  text: z.string().min(1).max(200).optional(),
  advisory: z.string().max(64).optional(),
  cve: z.string().regex(/^CVE-\d{4}-\d{4,}$/i, 'a CVE id looks like CVE-2026-12345').optional(),
  source: z.string().max(200).optional(),
  suite: z.string().max(63).optional(),
  vendor: z.string().max(200).optional(),
  /** Counts only the members of this collection toward `requiredByAtLeast`. */
  collectionId: z.string().uuid('a collection id is a UUID').transform((s) => s.toLowerCase()).optional(),
};

const scopeNeedsCount = (f: { collectionId?: string; requiredByAtLeast?: number }) => f.collectionId === undefined || f.requiredByAtLeast !== undefined;
const scopeMessage = { message: 'collectionId says whose clients count toward requiredByAtLeast: give requiredByAtLeast too', path: ['collectionId'] };

/**
 * §6.2/§6.3 catalogue criteria as a JSON document (update groups, automatic deployment rules).
 * Every criterion given must hold. `releasedWithinDays` counts back from the site's clock when the
 * filter runs; `requiredByAtLeast` counts active clients whose last reported detection state (topic
 * 500) for the update is Required, all of them or the members of `collectionId`.
 */
export const UpdateFilter = z
  .strictObject({
    ...textCriteria,
    releasedWithinDays: z.number().int().min(1).max(36_500).optional(),
    superseded: z.boolean().optional(),
    expired: z.boolean().optional(),
    requiredByAtLeast: z.number().int().min(1).max(MAX_REQUIRED_BY).optional(),
  })
  .refine(scopeNeedsCount, scopeMessage);
export type UpdateFilter = z.output<typeof UpdateFilter>;

/** `GET /api/v1/updates` and `patchday updates list` filters: the UpdateFilter criteria as query parameters, and paging. */
export const UpdateQuery = z
  .strictObject({
    ...textCriteria,
    releasedWithinDays: z.coerce.number().int().min(1).max(36_500).optional(),
    superseded: flag.optional(),
    expired: flag.optional(),
    requiredByAtLeast: z.coerce.number().int().min(1).max(MAX_REQUIRED_BY).optional(),
    sort: z.enum(['releaseDate', '-releaseDate', 'title', '-title', 'product', 'classification', 'changeSeq', '-changeSeq']).default('-releaseDate'),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(1000).default(50),
    /**
     * Answer the page's per-update counts with it (as `GET /compliance/updates` counts them; of the
     * members of `collectionId` when one is given): one round trip for a listing's first view.
     */
    withCounts: flag.optional(),
  })
  .refine(scopeNeedsCount, scopeMessage)
  .refine((q) => !q.withCounts || q.pageSize <= MAX_UPDATE_COUNTS_IDS, { message: `withCounts counts at most ${MAX_UPDATE_COUNTS_IDS} updates: ask for a smaller pageSize`, path: ['withCounts'] });
export type UpdateQuery = z.output<typeof UpdateQuery>;

export const UpdatePage = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  updates: z.array(UpdateSummary),
  /** With `withCounts=true` only. */
  counts: UpdateCountsList.optional(),
});
export type UpdatePage = z.infer<typeof UpdatePage>;
