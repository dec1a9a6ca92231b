import { z } from 'zod';
import { Classification, RebootBehaviour, Severity } from './vocabulary-schemas.ts';

/**
 * One binary package an update carries, with what a client needs to fetch and verify it.
 * Dependencies are not copied: dpkg reads them from the .deb and orders one install run itself.
 */
export const UpdateBinary = z.object({
  package: z.string(),
  version: z.string(),
  architecture: z.string(),
  filename: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  section: z.string().nullable(),
  priority: z.string().nullable(),
  summary: z.string().nullable(),
});
export type UpdateBinary = z.infer<typeof UpdateBinary>;

/** §2 metadata of an update: everything whose change bumps its revision. */
export const UpdateMetadata = z.object({
  updateId: z.string().uuid(),
  upstream: z.string(),
  product: z.string(),
  suite: z.string(),
  source: z.string(),
  version: z.string(),
  title: z.string(),
  description: z.string(),
  vendor: z.string(),
  classification: Classification,
  severity: Severity,
  releaseDate: z.string(),
  advisoryId: z.string().nullable(),
  cveIds: z.array(z.string()),
  referenceUrls: z.array(z.string()),
  language: z.string(),
  rebootBehaviour: RebootBehaviour,
  eula: z.boolean(),
  binaries: z.array(UpdateBinary),
});
export type UpdateMetadata = z.infer<typeof UpdateMetadata>;

/** What the catalogue says about an update's place in history. */
export const UpdateLifecycle = z.object({
  revision: z.number().int().positive(),
  present: z.boolean(),
  superseded: z.boolean(),
  supersededBy: z.string().nullable(),
  supersededAt: z.string().nullable(),
  expired: z.boolean(),
  firstSeenAt: z.string(),
  lastChangedAt: z.string(),
  changeSeq: z.number().int(),
});

export const UpdateSummary = UpdateMetadata.omit({ binaries: true, description: true }).extend(UpdateLifecycle.shape);
export type UpdateSummary = z.infer<typeof UpdateSummary>;

export const UpdateRevision = z.object({
  revision: z.number().int().positive(),
  changeSeq: z.number().int(),
  at: z.string(),
  changes: z.array(z.string()),
});

export const UpdateDetail = UpdateMetadata.extend(UpdateLifecycle.shape).extend({
  supersedes: z.array(z.object({ updateId: z.string(), title: z.string(), version: z.string() })),
  supersededByUpdate: z.object({ updateId: z.string(), title: z.string(), version: z.string() }).nullable(),
  revisions: z.array(UpdateRevision),
});
export type UpdateDetail = z.infer<typeof UpdateDetail>;
