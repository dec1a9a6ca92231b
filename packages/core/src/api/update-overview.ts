import { z } from 'zod';
import { StateCounts } from './compliance.ts';

/**
 * What a catalogue listing shows beside each update (the console's All updates page): per-update
 * compliance counts for one page of updates at once, the products to filter by, and where an
 * update's files are (§6.1: red when no deployment package carries them).
 */

/** The most updates one `GET /api/v1/compliance/updates` names: a page of a listing. */
export const MAX_UPDATE_COUNTS_IDS = 200;

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());

/** `GET /api/v1/compliance/updates?ids=<id>,<id>…[&collectionId=…]`. */
export const UpdateCountsQuery = z.strictObject({
  ids: z
    .string()
    .min(1, 'name at least one update id')
    .transform((s) => s.split(','))
    .pipe(
      z
        .array(uuid('an update id'))
        .max(MAX_UPDATE_COUNTS_IDS, `at most ${MAX_UPDATE_COUNTS_IDS} update ids per request`)
        .transform((ids) => [...new Set(ids)]),
    ),
  collectionId: uuid('a collection id').optional(),
});
export type UpdateCountsQuery = z.output<typeof UpdateCountsQuery>;

export const UpdateCountsRow = z.object({
  updateId: z.string(),
  counts: StateCounts,
  /** (Installed + Not Required) / clients counted, in percent with one decimal; null with no clients. */
  percentCompliant: z.number().nullable(),
  /** No deployment package carries every file of the update. */
  withoutContent: z.boolean(),
});
export type UpdateCountsRow = z.infer<typeof UpdateCountsRow>;

/** In the order asked; ids of no update are left out. */
export const UpdateCountsList = z.object({
  collectionId: z.string().nullable(),
  clientsCounted: z.number().int(),
  updates: z.array(UpdateCountsRow),
});
export type UpdateCountsList = z.infer<typeof UpdateCountsList>;

/** `GET /api/v1/catalogue/products`: every product of the catalogue and how many updates it has. */
export const CatalogueProducts = z.object({
  products: z.array(z.object({ product: z.string(), updates: z.number().int(), suites: z.array(z.string()) })),
});
export type CatalogueProducts = z.infer<typeof CatalogueProducts>;

/** `GET /api/v1/updates/:updateId/content`: the deployment packages that hold files of the update. */
export const UpdateContentStatus = z.object({
  updateId: z.string(),
  /** Some package carries every file of the update (stored in the content library). */
  hasContent: z.boolean(),
  expired: z.boolean(),
  packages: z.array(
    z.object({
      packageId: z.string(),
      name: z.string(),
      contentVersion: z.number().int(),
      files: z.number().int(),
      stored: z.number().int(),
      /** Every file listed for the update in this package is stored. */
      complete: z.boolean(),
    }),
  ),
});
export type UpdateContentStatus = z.infer<typeof UpdateContentStatus>;
