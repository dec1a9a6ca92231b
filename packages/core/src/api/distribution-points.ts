import { z } from 'zod';

/**
 * §6.1 distribution points: the site's own content library (kind `site`, built in) and `patchday dp`
 * processes (kind `remote`) with libraries of their own. The admin API messages, and the
 * DP-facing `/dpm/v1` messages a remote distribution point exchanges with its site.
 */

/** The built-in distribution point of every site: its own content library, served at `/dp/v1`. */
export const SITE_DISTRIBUTION_POINT_ID = '00000000-0000-4000-8000-0000000000d1';
export const SITE_DISTRIBUTION_POINT_NAME = 'site';

/** Where content lives under a distribution point's base URL, on both kinds: `{base}/content/{sha256}`. */
export const DP_CONTENT_PATH = '/dp/v1';

/** A distribution point targets at most this many packages per request. */
export const MAX_DISTRIBUTE_TARGETS = 100;

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lower-case hex digits');

export const DistributionPointName = z
  .string()
  .min(1, 'a distribution point name cannot be empty')
  .max(100, 'a distribution point name is at most 100 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a distribution point name cannot contain control characters')
  .refine((s) => s.trim() === s, 'a distribution point name cannot start or end with white space');

/**
 * Where a remote distribution point listens, as agents reach it (`http://dp1.branch.example:8540`):
 * http(s), a host, an optional port and path prefix, nothing else. A trailing `/` is dropped.
 */
export const DistributionPointUrl = z
  .string()
  .max(2000, 'a distribution point URL is at most 2000 characters')
  .regex(
    /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(:\d{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/,
    'a distribution point URL is http:// or https://, a host, an optional port and path, without query or fragment',
  )
  .refine((u) => !/(^|\/)\.\.?(\/|$)/.test(u.replace(/^https?:\/\//, '')), 'a distribution point URL has no "." or ".." path segments')
  .transform((u) => u.replace(/\/+$/, ''));

/** `POST /api/v1/distribution-points`, `patchday dp add`. */
export const AddDistributionPointRequest = z.strictObject({
  name: DistributionPointName,
  url: DistributionPointUrl,
});
export type AddDistributionPointRequest = z.input<typeof AddDistributionPointRequest>;

/** `PATCH /api/v1/distribution-points/:dpId`: each field given replaces the stored one. */
export const UpdateDistributionPointRequest = z
  .strictObject({
    name: DistributionPointName.optional(),
    url: DistributionPointUrl.optional(),
    /** A disabled distribution point keeps its content but is left out of every client's policy. */
    enabled: z.boolean().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'an update names at least one field to change');
export type UpdateDistributionPointRequest = z.input<typeof UpdateDistributionPointRequest>;

/**
 * `PUT /api/v1/distribution-points/order`: the distribution points named come first, in this
 * order; the others follow in their current order. Agents try them in the resulting order.
 */
export const OrderDistributionPointsRequest = z.strictObject({
  dpIds: z
    .array(uuid('a distribution point id'))
    .min(1, 'name at least one distribution point')
    .max(1000)
    .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, 'a distribution point is named twice'),
});

/** `POST /api/v1/packages/:packageId/distribute`: send a package to these distribution points. */
export const DistributePackageRequest = z.strictObject({
  dpIds: z
    .array(uuid('a distribution point id'))
    .min(1, 'name at least one distribution point')
    .max(MAX_DISTRIBUTE_TARGETS, `at most ${MAX_DISTRIBUTE_TARGETS} distribution points per request`)
    .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, 'a distribution point is named twice'),
});

/**
 * How far a distribution point has got with a package's current content version: `pending` (not
 * started, or it holds an older content version), `in-progress`, `installed`, `failed` (with the error).
 */
export const DpPackageState = z.enum(['pending', 'in-progress', 'installed', 'failed']);
export type DpPackageState = z.infer<typeof DpPackageState>;

/** One package on one distribution point. */
export const DpPackageStatus = z.object({
  dpId: z.string(),
  dpName: z.string(),
  kind: z.enum(['site', 'remote']),
  packageId: z.string(),
  packageName: z.string(),
  state: DpPackageState,
  /** The content version the state is about (older than the package's while it is pending again). */
  contentVersion: z.number().int(),
  /** The package's current content version. */
  packageContentVersion: z.number().int(),
  bytesDone: z.number().int(),
  bytesTotal: z.number().int(),
  error: z.string().nullable(),
  updatedAt: z.string(),
});
export type DpPackageStatus = z.infer<typeof DpPackageStatus>;

export const DistributionPoint = z.object({
  dpId: z.string(),
  name: z.string(),
  kind: z.enum(['site', 'remote']),
  /** Where the distribution point listens (remote); null for the site's own. */
  url: z.string().nullable(),
  /** The base URL agents fetch content from: `{contentUrl}/content/{sha256}`. */
  contentUrl: z.string(),
  sortOrder: z.number().int(),
  enabled: z.boolean(),
  createdAt: z.string(),
  /** When a remote distribution point last asked its site for work. */
  lastSeenAt: z.string().nullable(),
  /** Counts of its packages per state. */
  summary: z.record(DpPackageState, z.number().int()),
  packages: z.array(DpPackageStatus),
});
export type DistributionPoint = z.infer<typeof DistributionPoint>;

/** A remote distribution point just added (or given a new credential): the credential is shown once. */
export const DistributionPointWithCredential = DistributionPoint.extend({ credential: z.string() });
export type DistributionPointWithCredential = z.infer<typeof DistributionPointWithCredential>;

/** `GET /api/v1/packages/:packageId/distribution`. */
export const PackageDistribution = z.object({
  packageId: z.string(),
  name: z.string(),
  contentVersion: z.number().int(),
  bytesTotal: z.number().int(),
  distributionPoints: z.array(DpPackageStatus),
});
export type PackageDistribution = z.infer<typeof PackageDistribution>;

/** One file a distribution point must hold. */
export const DpFile = z.object({ sha256: sha256Hex, size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
export type DpFile = z.infer<typeof DpFile>;

/** `GET /dpm/v1/targets`: everything a remote distribution point must hold, and what its site has recorded. */
export const DpTargets = z.object({
  dpId: z.string(),
  name: z.string(),
  /** The key content tokens are signed with (base64url), so the distribution point can verify agents. */
  contentTokenKey: z.string().min(43),
  packages: z.array(
    z.object({
      packageId: z.string(),
      name: z.string(),
      contentVersion: z.number().int(),
      /** Every file of the package is in the site's library: it can be fetched now. */
      ready: z.boolean(),
      files: z.array(DpFile),
      /** What the site last recorded for this distribution point and package (reports repeat nothing). */
      reported: z.object({ state: DpPackageState, contentVersion: z.number().int(), bytesDone: z.number().int() }),
    }),
  ),
});
export type DpTargets = z.infer<typeof DpTargets>;

/** One state change a remote distribution point reports about a package. */
export const DpPackageReport = z.strictObject({
  packageId: uuid('a package id'),
  contentVersion: z.number().int().min(1),
  state: z.enum(['in-progress', 'installed', 'failed']),
  bytesDone: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  bytesTotal: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  error: z.string().max(2000).nullable().default(null),
});
export type DpPackageReport = z.input<typeof DpPackageReport>;

/** `POST /dpm/v1/reports`. */
export const DpReportBatch = z.strictObject({ reports: z.array(DpPackageReport).min(1).max(1000) });

/** The answer: which reports changed the record (the others were stale or repeated). */
export const DpReportResult = z.object({ recorded: z.number().int(), ignored: z.number().int() });
export type DpReportResult = z.infer<typeof DpReportResult>;
