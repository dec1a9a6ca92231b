import { z } from 'zod';
import { oneLineName, UpdateIdList } from './update-groups.ts';

/**
 * §6.1 deployment packages: a named set of update files with its own source folder and a content
 * version (1 when created, 2 once its first files are downloaded, +1 on every later change of its
 * content). Files enter the site's content library only after their size and sha256 matched the
 * signed metadata.
 */

export const MAX_PACKAGE_CONTENT_PAGE = 1000;
/** How many file failures a download job keeps in its report (every failure is also on its file). */
export const MAX_JOB_ERRORS = 100;

/**
 * An absolute path on the site's machine, written plainly: no `.` or `..` segments, no empty
 * segments, no control characters, so what an administrator reads is where files go.
 */
export const AbsoluteFolder = z
  .string()
  .min(1, 'a folder cannot be empty')
  .max(4096, 'a folder path is at most 4096 characters')
  .refine((p) => p.startsWith('/'), 'a folder is an absolute path (starting with /)')
  // eslint-disable-next-line no-control-regex
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), 'a folder path cannot contain control characters')
  .refine((p) => !p.split('/').slice(1).some((seg, i, all) => seg === '.' || seg === '..' || (seg === '' && i < all.length - 1)), 'a folder path has no ".", ".." or empty segments')
  .transform((p) => (p.length > 1 ? p.replace(/\/$/, '') : p));

const Description = z.string().max(1000, 'a description is at most 1000 characters');

export const CreateDeploymentPackageRequest = z.strictObject({
  name: oneLineName('a deployment package'),
  description: Description.default(''),
  /** Default `<data dir>/package-sources/<package id>`; an administrator's folder must be empty or not exist yet. */
  sourceFolder: AbsoluteFolder.optional(),
});
export type CreateDeploymentPackageRequest = z.output<typeof CreateDeploymentPackageRequest>;

export const ChangeDeploymentPackageRequest = z
  .strictObject({ name: oneLineName('a deployment package').optional(), description: Description.optional() })
  .refine((r) => r.name !== undefined || r.description !== undefined, 'give a name or a description to change');

/** Where a download takes files from: each update's upstream (Filename under the upstream's URL), or a folder matched by base name. */
export const ContentOrigin = z.union([z.literal('upstream'), z.strictObject({ folder: AbsoluteFolder })]);
export type ContentOrigin = z.output<typeof ContentOrigin>;

/** `POST /api/v1/packages/:packageId/content`: the files of these updates (or of a group's) into the package. */
export const DownloadContentRequest = z
  .strictObject({
    updateIds: UpdateIdList.optional(),
    groupId: z.string().uuid('a group id is a UUID').transform((s) => s.toLowerCase()).optional(),
    from: ContentOrigin.default('upstream'),
  })
  .refine((r) => (r.updateIds === undefined) !== (r.groupId === undefined), 'give either updateIds or a groupId');
export type DownloadContentRequest = z.output<typeof DownloadContentRequest>;

/** `DELETE /api/v1/packages/:packageId/content`. */
export const RemoveContentRequest = z.strictObject({ updateIds: UpdateIdList });

export const PackageFileCounts = z.object({
  total: z.number().int(),
  stored: z.number().int(),
  pending: z.number().int(),
  failed: z.number().int(),
});

export const ContentFailure = z.object({
  updateId: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  error: z.string(),
});
export type ContentFailure = z.infer<typeof ContentFailure>;

/** A download into a package, running in the background; the last one stays readable until the next. */
export const ContentJob = z.object({
  state: z.enum(['running', 'succeeded', 'failed']),
  /** `upstream`, or the folder files were taken from. */
  from: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  files: z.object({ total: z.number().int(), stored: z.number().int(), failed: z.number().int() }),
  bytes: z.object({ total: z.number().int(), done: z.number().int() }),
  /** The first MAX_JOB_ERRORS failures. */
  failures: z.array(ContentFailure),
  /** The job itself could not go on (the site stopped, the source folder is not writable). */
  error: z.string().nullable(),
});
export type ContentJob = z.infer<typeof ContentJob>;

export const DeploymentPackage = z.object({
  packageId: z.string(),
  name: z.string(),
  description: z.string(),
  sourceFolder: z.string(),
  contentVersion: z.number().int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Updates with files in the package; `complete` of them have every file stored. */
  updates: z.object({ total: z.number().int(), complete: z.number().int() }),
  files: PackageFileCounts,
  bytes: z.object({ total: z.number().int(), stored: z.number().int() }),
  job: ContentJob.nullable(),
});
export type DeploymentPackage = z.infer<typeof DeploymentPackage>;

export const PackageContentQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PACKAGE_CONTENT_PAGE).default(50),
});

export const PackageUpdate = z.object({
  updateId: z.string(),
  title: z.string(),
  expired: z.boolean(),
  files: PackageFileCounts,
  bytes: z.number().int(),
  failures: z.array(ContentFailure),
});
export type PackageUpdate = z.infer<typeof PackageUpdate>;

export const DeploymentPackageDetail = DeploymentPackage.extend({
  content: z.object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    /** By title, then id. */
    updates: z.array(PackageUpdate),
  }),
});
export type DeploymentPackageDetail = z.infer<typeof DeploymentPackageDetail>;

/** What `POST /packages/:id/content` started. */
export const ContentDownloadStarted = z.object({
  package: DeploymentPackage,
  /** Files the job brings in (each file once, however many updates list it). */
  queued: z.number().int(),
  /** Files of those updates the package already has stored. */
  alreadyStored: z.number().int(),
  /** Members of the group left out because they expired. */
  skippedExpired: z.number().int(),
});
export type ContentDownloadStarted = z.infer<typeof ContentDownloadStarted>;

/** What `DELETE /packages/:id/content` did. */
export const ContentRemoval = z.object({
  package: DeploymentPackage,
  removedFiles: z.number().int(),
  /** Files that left the content library because no package references them any more. */
  releasedFiles: z.number().int(),
});
export type ContentRemoval = z.infer<typeof ContentRemoval>;

/** What `DELETE /packages/:id` did. */
export const PackageDeletion = z.object({
  packageId: z.string(),
  deleted: z.literal(true),
  releasedFiles: z.number().int(),
  /** Files still in the library because another package references them. */
  keptFiles: z.number().int(),
});
export type PackageDeletion = z.infer<typeof PackageDeletion>;
