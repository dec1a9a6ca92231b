import { z } from 'zod';
import { Classification, Severity } from '../catalogue/vocabulary.ts';
import { UpdateSummary } from '../catalogue/update.ts';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `GET /api/v1/updates` and `patchday updates list` filters. */
export const UpdateQuery = z
  .object({
    product: z.string().max(100).optional(),
    classification: Classification.optional(),
    severity: Severity.optional(),
    releasedSince: z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date such as 2026-11-01').optional(),
    superseded: flag.optional(),
    expired: flag.optional(),
    text: z.string().min(1).max(200).optional(),
    advisory: z.string().max(64).optional(),
    cve: z.string().regex(/^CVE-\d{4}-\d{4,}$/i, 'a CVE id looks like CVE-2026-12345').optional(),
    source: z.string().max(200).optional(),
    suite: z.string().max(63).optional(),
    sort: z.enum(['releaseDate', '-releaseDate', 'title', '-title', 'product', 'classification', 'changeSeq', '-changeSeq']).default('-releaseDate'),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(1000).default(50),
  })
  .strict();
export type UpdateQuery = z.output<typeof UpdateQuery>;

export const UpdatePage = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  updates: z.array(UpdateSummary),
});
export type UpdatePage = z.infer<typeof UpdatePage>;
