import { z } from 'zod';
import { UpdateBinary } from '../catalogue/update.ts';
import { Classification, RebootBehaviour, Severity } from '../catalogue/vocabulary-schemas.ts';
import { DeliveredRule } from '../rules/rule.ts';

/**
 * `GET /up/v1/catalogue`: what an agent's online scan asks its update point for — the catalogue
 * of its own product and architecture, changed since the revision anchor it already holds.
 */
export const CatalogueQuery = z.strictObject({
  product: z.string().min(1).max(100),
  architecture: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'an architecture is a dpkg architecture name such as "amd64"'),
  /** The anchor of the agent's cached catalogue; 0 (or absent) for none. */
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
export type CatalogueQuery = z.infer<typeof CatalogueQuery>;

/** One update as an agent needs it to scan (and, later, to install). */
export const CatalogueEntry = z.object({
  updateId: z.string().uuid(),
  revision: z.number().int().positive(),
  title: z.string(),
  classification: Classification,
  severity: Severity,
  releaseDate: z.string(),
  /** Still published by the upstream; dropped updates stay as superseded history. */
  present: z.boolean(),
  superseded: z.boolean(),
  expired: z.boolean(),
  /** The catalogue sequence of the update's last change. */
  changeSeq: z.number().int(),
  /**
   * §6.5 whether installing it restarts the machine: `always` makes the agent restart after the
   * install; otherwise only Debian's `/var/run/reboot-required` does. Absent from catalogues cached
   * by older agents, where it counts as `may request`.
   */
  rebootBehaviour: RebootBehaviour.default('may request'),
  /** §4: generated from the synced metadata; the agent evaluates only these. */
  applicability: z.strictObject({ prerequisites: DeliveredRule, isInstallable: DeliveredRule, isInstalled: DeliveredRule }),
  binaries: z.array(UpdateBinary),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

export const CatalogueDelta = z.object({
  product: z.string(),
  architecture: z.string(),
  /** The catalogue sequence this answer brings the agent to: its next revision anchor. */
  anchor: z.number().int().nonnegative(),
  /** true: `updates` is the product's whole catalogue (replace the cache); false: a delta to merge. */
  complete: z.boolean(),
  updates: z.array(CatalogueEntry),
});
export type CatalogueDelta = z.infer<typeof CatalogueDelta>;
