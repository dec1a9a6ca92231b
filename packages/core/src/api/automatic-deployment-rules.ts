import { z } from 'zod';
import { isKnownTimeZone } from '../deployment/maintenance-window.ts';
import { RestartSuppression } from './assignments.ts';
import { DeploymentAlertSettings, DeploymentName, DeploymentPurpose, TimeBasis } from './deployments.ts';
import { oneLineName } from './update-groups.ts';
import { UpdateSummary } from '../catalogue/update.ts';
import { UpdateFilter } from './updates.ts';

/**
 * §6.3 automatic deployment rules (`/api/v1/adrs`, `patchday adr …`): on a schedule, refill one
 * update group with the updates that match the rule's criteria now, download their files into the
 * rule's deployment package, distribute it, and keep the rule's deployments of that group.
 */

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());
const MINUTES_PER_YEAR = 365 * 1440;

/** When the rule runs: a cron expression (croner syntax: `0 22 * * TUE#2` is the second Tuesday at 22:00) in a time zone. */
export const AdrSchedule = z.strictObject({
  cron: z.string().min(9, 'a cron expression has five or six fields, e.g. "0 22 * * TUE#2"').max(100),
  timeZone: z.string().max(64).refine(isKnownTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not a known IANA time zone (e.g. Europe/Amsterdam, UTC)` }),
});
export type AdrSchedule = z.infer<typeof AdrSchedule>;

/**
 * One deployment the rule keeps of its group. Times are relative to each run: the deployment's
 * available time is the run's time plus `availableAfterMinutes`, its deadline the run's time plus
 * `deadlineAfterMinutes` (required deployments only).
 */
export const AdrDeploymentTemplate = z.strictObject({
  /** Default: "<rule name> → <collection name>". */
  name: DeploymentName.optional(),
  collectionId: uuid('a collection id'),
  purpose: DeploymentPurpose.default('required'),
  timeBasis: TimeBasis.default('utc'),
  availableAfterMinutes: z.number().int().min(0).max(MINUTES_PER_YEAR).default(0),
  /** Required only; default 7 days after the run. */
  deadlineAfterMinutes: z.number().int().min(0).max(MINUTES_PER_YEAR).nullable().optional(),
  restartSuppression: RestartSuppression.default('none'),
  installOutsideWindows: z.boolean().default(false),
  restartOutsideWindows: z.boolean().default(false),
  maxRunMinutes: z.number().int().min(1).max(1440).default(60),
  alerts: DeploymentAlertSettings.nullable().default(null),
  enabled: z.boolean().default(true),
});
export type AdrDeploymentTemplate = z.output<typeof AdrDeploymentTemplate>;

/** The deployment a template made (set after the first run that created it). */
export const StoredAdrDeployment = AdrDeploymentTemplate.extend({ deploymentId: z.string().uuid().nullable() });
export type StoredAdrDeployment = z.output<typeof StoredAdrDeployment>;

export const AdrDownloadSettings = z.strictObject({
  /** Download the selected updates' files into the rule's package at each run (from the upstream). */
  download: z.boolean().default(true),
  /** Distribution points to send the package to; empty = every enabled distribution point. */
  distributionPointIds: z.array(uuid('a distribution point id')).max(100).default([]),
});
export type AdrDownloadSettings = z.output<typeof AdrDownloadSettings>;

const ruleFields = {
  description: z.string().max(1000).default(''),
  criteria: UpdateFilter,
  /** null: the rule runs only when asked (`run now`). */
  schedule: AdrSchedule.nullable().default(null),
  /** `report`: refill the group and let clients report compliance with it, never install. */
  mode: z.enum(['deploy', 'report']).default('deploy'),
  download: AdrDownloadSettings.default({ download: true, distributionPointIds: [] }),
  deployments: z.array(AdrDeploymentTemplate).min(1, 'a rule carries at least one deployment').max(50),
};

/** `POST /api/v1/adrs`. Without a group or package id, the rule gets its own, named after it. */
export const CreateAdrRequest = z.strictObject({
  name: oneLineName('an automatic deployment rule'),
  enabled: z.boolean().default(true),
  groupId: uuid('an update group id').optional(),
  packageId: uuid('a deployment package id').optional(),
  ...ruleFields,
});
export type CreateAdrRequest = z.input<typeof CreateAdrRequest>;

/** `PATCH /api/v1/adrs/:adrId`: fields given replace the stored ones (deployments: the whole list). */
export const UpdateAdrRequest = z
  .strictObject({
    name: oneLineName('an automatic deployment rule').optional(),
    enabled: z.boolean().optional(),
    description: ruleFields.description.optional(),
    criteria: UpdateFilter.optional(),
    schedule: AdrSchedule.nullable().optional(),
    mode: ruleFields.mode.optional(),
    download: AdrDownloadSettings.optional(),
    deployments: ruleFields.deployments.optional(),
  })
  .refine((r) => Object.keys(r).length > 0, 'name at least one field to change');

/** What is stored in `automatic_deployment_rules.definition`. */
export const AdrDefinition = z.strictObject({
  description: z.string(),
  criteria: UpdateFilter,
  schedule: AdrSchedule.nullable(),
  mode: z.enum(['deploy', 'report']),
  download: AdrDownloadSettings,
  deployments: z.array(StoredAdrDeployment),
});
export type AdrDefinition = z.output<typeof AdrDefinition>;

export const AdrRunResult = z.object({
  at: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  status: z.enum(['succeeded', 'failed']),
  /** Updates in the group after the run, and how that changed. */
  updates: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  /** Files the run started downloading into the package (already stored ones not counted); the package shows the download's progress. */
  filesQueued: z.number().int(),
  deploymentsCreated: z.number().int(),
  error: z.string().nullable(),
});
export type AdrRunResult = z.infer<typeof AdrRunResult>;

export const AutomaticDeploymentRule = z.object({
  adrId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  groupId: z.string(),
  groupName: z.string(),
  packageId: z.string().nullable(),
  packageName: z.string().nullable(),
  description: z.string(),
  criteria: UpdateFilter,
  schedule: AdrSchedule.nullable(),
  mode: z.enum(['deploy', 'report']),
  download: AdrDownloadSettings,
  deployments: z.array(StoredAdrDeployment.extend({ deploymentEnabled: z.boolean().nullable() })),
  nextRunAt: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  lastRun: AdrRunResult.nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AutomaticDeploymentRule = z.infer<typeof AutomaticDeploymentRule>;

/** `POST /api/v1/adrs/:adrId/preview`: what a run would select now; nothing changes. */
export const AdrPreview = z.object({
  adrId: z.string(),
  at: z.string(),
  /** Updates the group would hold. */
  total: z.number().int(),
  /** Of those, not in the group now / in the group now but no longer selected. */
  wouldAdd: z.number().int(),
  wouldRemove: z.number().int(),
  /** The first 1,000 selected, newest first. */
  updates: z.array(UpdateSummary),
});
export type AdrPreview = z.infer<typeof AdrPreview>;
