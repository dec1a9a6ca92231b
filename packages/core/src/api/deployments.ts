import { z } from 'zod';
import { deploymentInstant } from '../deployment/deployment-time.ts';
import { DeploymentTime, RestartSuppression } from './assignments.ts';
import { stateMessageTopics } from './state-messages.ts';

/**
 * §6.4 / §6.5 / §9 deployments: an update group to a collection (`/api/v1/deployments`,
 * `patchday deployments …`). What each client gets is core's `DeploymentAssignment`.
 */

export const MAX_DEPLOYMENT_PAGE = 1000;

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());

export const DeploymentName = z
  .string()
  .min(1, 'a deployment name cannot be empty')
  .max(200, 'a deployment name is at most 200 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a deployment name cannot contain control characters')
  .refine((s) => s.trim() === s, 'a deployment name cannot start or end with white space');

const RunMinutes = z.number().int('a whole number of minutes').min(1, 'a maximum run time is at least 1 minute').max(1440, 'a maximum run time is at most 1440 minutes (24 h)');

/** §9: alert when, `afterDays` days after the available time, fewer than `belowPercent` % of the members are compliant. */
export const DeploymentAlertSettings = z.strictObject({
  belowPercent: z.number().min(1, 'belowPercent is 1 to 100').max(100, 'belowPercent is 1 to 100'),
  afterDays: z.number().int('afterDays is a whole number of days').min(0).max(365),
});
export type DeploymentAlertSettings = z.infer<typeof DeploymentAlertSettings>;

export const DeploymentPurpose = z.enum(['required', 'available']);
export const TimeBasis = z.enum(['utc', 'client-local']);

/** A deployment's settings as stored (`deployments.definition`), times normalised. */
export const DeploymentDefinition = z.strictObject({
  purpose: DeploymentPurpose,
  timeBasis: TimeBasis,
  availableAt: DeploymentTime,
  /** Required deployments only. */
  deadlineAt: DeploymentTime.nullable(),
  restartSuppression: RestartSuppression,
  installOutsideWindows: z.boolean(),
  restartOutsideWindows: z.boolean(),
  /** §12 maximum run time of each update's install (default 60 minutes)… */
  maxRunMinutes: RunMinutes,
  /** …unless overridden for that update. */
  updateMaxRunMinutes: z.record(z.string().uuid('an update id is a UUID'), RunMinutes),
  /** Only report compliance (an ADR in report mode): clients evaluate, never download or install. */
  reportOnly: z.boolean(),
  alerts: DeploymentAlertSettings.nullable(),
});
export type DeploymentDefinition = z.infer<typeof DeploymentDefinition>;

const def = DeploymentDefinition.shape;

/** `POST /api/v1/deployments`. */
export const CreateDeploymentRequest = z.strictObject({
  name: DeploymentName,
  groupId: uuid('an update group id'),
  collectionId: uuid('a collection id'),
  purpose: def.purpose.default('required'),
  timeBasis: def.timeBasis.default('utc'),
  /** Default: now (site time). */
  availableAt: def.availableAt.optional(),
  deadlineAt: def.deadlineAt.default(null),
  restartSuppression: def.restartSuppression.default('none'),
  installOutsideWindows: z.boolean().default(false),
  restartOutsideWindows: z.boolean().default(false),
  maxRunMinutes: def.maxRunMinutes.default(60),
  updateMaxRunMinutes: def.updateMaxRunMinutes.default({}),
  reportOnly: z.boolean().default(false),
  alerts: def.alerts.default(null),
  enabled: z.boolean().default(true),
});
export type CreateDeploymentRequest = z.input<typeof CreateDeploymentRequest>;

const fixed = (what: string) => z.never({ error: `a deployment's ${what} cannot be changed: create another deployment` }).optional();

/** `PATCH /api/v1/deployments/:deploymentId`: each field given replaces the stored one. */
export const UpdateDeploymentRequest = z.strictObject({
  name: DeploymentName.optional(),
  purpose: def.purpose.optional(),
  timeBasis: def.timeBasis.optional(),
  availableAt: def.availableAt.optional(),
  deadlineAt: def.deadlineAt.optional(),
  restartSuppression: def.restartSuppression.optional(),
  installOutsideWindows: z.boolean().optional(),
  restartOutsideWindows: z.boolean().optional(),
  maxRunMinutes: def.maxRunMinutes.optional(),
  updateMaxRunMinutes: def.updateMaxRunMinutes.optional(),
  reportOnly: z.boolean().optional(),
  alerts: def.alerts.optional(),
  enabled: z.boolean().optional(),
  groupId: fixed('update group'),
  collectionId: fixed('collection'),
});
export type UpdateDeploymentRequest = z.infer<typeof UpdateDeploymentRequest>;

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z)?$/;

/**
 * A deployment time checked against its basis and normalised: UTC times become ISO instants
 * (`2026-12-08T22:00:00.000Z`), client-local ones wall-clock times without offset
 * (`2026-12-08T22:00:00`). Returns an error text instead when the time is not real or not of its basis.
 */
export function normaliseDeploymentTime(value: string, basis: 'utc' | 'client-local', field: string): { time: string } | { error: string } {
  const m = TIME.exec(value);
  if (!m) return { error: `${field}: ${JSON.stringify(value)} is not YYYY-MM-DDTHH:MM[:SS]` };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, Number((m[7] ?? '0').padEnd(3, '0'))));
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return { error: `${field}: ${JSON.stringify(value)} is not a real date and time` };
  }
  if (basis === 'utc') {
    if (!m[8]) return { error: `${field}: a UTC deployment time ends with Z (${value}Z), or set timeBasis to client-local` };
    return { time: at.toISOString() };
  }
  if (m[8]) return { error: `${field}: a client-local deployment time has no Z: it is read in each client's own time zone (${value.slice(0, -1)})` };
  return { time: at.toISOString().slice(0, 19) };
}

/**
 * The rules between a deployment's fields: a required deployment has a deadline no earlier than its
 * available time, an available one has none. Returns the definition with normalised times, or the problems.
 */
export function checkDeploymentDefinition(d: DeploymentDefinition): { definition: DeploymentDefinition } | { problems: string[] } {
  const problems: string[] = [];
  const available = normaliseDeploymentTime(d.availableAt, d.timeBasis, 'availableAt');
  const deadline = d.deadlineAt === null ? null : normaliseDeploymentTime(d.deadlineAt, d.timeBasis, 'deadlineAt');
  if ('error' in available) problems.push(available.error);
  if (deadline && 'error' in deadline) problems.push(deadline.error);
  if (d.purpose === 'required' && d.deadlineAt === null) problems.push('deadlineAt: a required deployment needs a deadline (or make it purpose "available")');
  if (d.purpose === 'available' && d.deadlineAt !== null) problems.push('deadlineAt: an available deployment has no deadline: clients install it only when the user asks (or make it purpose "required")');
  if (problems.length) return { problems };
  const availableAt = (available as { time: string }).time;
  const deadlineAt = deadline ? (deadline as { time: string }).time : null;
  // Both in one basis: comparing them as UTC compares the wall-clock times of client-local ones.
  if (deadlineAt !== null && deploymentInstant(deadlineAt, d.timeBasis, 'UTC') < deploymentInstant(availableAt, d.timeBasis, 'UTC')) {
    return { problems: [`deadlineAt: the deadline (${deadlineAt}) is before the available time (${availableAt})`] };
  }
  return { definition: { ...d, availableAt, deadlineAt } };
}

/** An update a deployment holds that is flagged (expired, or with files in no package). */
const FlaggedUpdates = z.object({
  count: z.number().int(),
  /** The first few, by title. */
  updates: z.array(z.object({ updateId: z.string(), title: z.string() })),
});

export const Deployment = DeploymentDefinition.extend({
  deploymentId: z.string().uuid(),
  name: z.string(),
  groupId: z.string(),
  groupName: z.string(),
  collectionId: z.string(),
  collectionName: z.string(),
  /** The automatic deployment rule that created it, if one did. */
  adrId: z.string().nullable(),
  enabled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Updates of the group now (each reaches the clients unless expired). */
  updateCount: z.number().int(),
  /** §6.1 / §12 what the console shows in red. */
  flags: z.object({ expiredUpdates: FlaggedUpdates, updatesWithoutContent: FlaggedUpdates }),
});
export type Deployment = z.infer<typeof Deployment>;

/** §9 what a client's states say about a deployment. */
export const DeploymentCategory = z.enum(['compliant', 'in-progress', 'waiting', 'error', 'unknown']);
export type DeploymentCategory = z.infer<typeof DeploymentCategory>;

export const DeploymentStatusQuery = z.strictObject({
  category: DeploymentCategory.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_DEPLOYMENT_PAGE).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** One stored state message of a client about a deployment (the last per topic). */
export const DeploymentStateRecord = z.object({
  topic: z.number().int(),
  stateId: z.number().int(),
  /** `installing`, `failed install`… */
  state: z.string(),
  updateId: z.string().nullable(),
  error: z.string().nullable(),
  /** Agent time of the message. */
  at: z.string(),
  receivedAt: z.string(),
});
export type DeploymentStateRecord = z.infer<typeof DeploymentStateRecord>;

export const DeploymentClientStatus = z.object({
  clientId: z.string(),
  name: z.string(),
  category: DeploymentCategory,
  /** Why, in words: `waiting for maintenance window`, `failed install`, `no state message yet`… */
  detail: z.string(),
  /** The error text of an error. */
  error: z.string().nullable(),
  states: z.array(DeploymentStateRecord),
});
export type DeploymentClientStatus = z.infer<typeof DeploymentClientStatus>;

export const DeploymentCounts = z.object({
  members: z.number().int(),
  compliant: z.number().int(),
  inProgress: z.number().int(),
  waiting: z.number().int(),
  error: z.number().int(),
  unknown: z.number().int(),
});
export type DeploymentCounts = z.infer<typeof DeploymentCounts>;

/** `GET /api/v1/deployments/:deploymentId/status`: counts over every member, and a page of member rows. */
export const DeploymentStatus = z.object({
  deploymentId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  counts: DeploymentCounts,
  /** compliant / members × 100 (0 for a collection without members). */
  percentCompliant: z.number(),
  category: DeploymentCategory.nullable(),
  /** Rows matching the filter. */
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  clients: z.array(DeploymentClientStatus),
});
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

/** `GET /api/v1/clients/:clientId/deployments`: the client's assignments and its states of each. */
export const ClientDeployments = z.object({
  clientId: z.string(),
  name: z.string(),
  deployments: z.array(
    z.object({
      deploymentId: z.string(),
      name: z.string(),
      collectionId: z.string(),
      collectionName: z.string(),
      purpose: DeploymentPurpose,
      timeBasis: TimeBasis,
      availableAt: z.string(),
      deadlineAt: z.string().nullable(),
      category: DeploymentCategory,
      detail: z.string(),
      error: z.string().nullable(),
      states: z.array(DeploymentStateRecord),
    }),
  ),
});
export type ClientDeployments = z.infer<typeof ClientDeployments>;

const enforcementNames = ['', 'installing', 'waiting for restart', 'waiting for another install', 'success', 'pending restart', 'failed install', 'downloading', 'downloaded', 'failed download', 'waiting for maintenance window'];

/** §5 the administrator's name of a deployment state (topics 300, 301, 302). */
export function deploymentStateName(topic: number, stateId: number): string {
  if (topic === stateMessageTopics.deploymentCompliance) return ['', 'compliant', 'non-compliant'][stateId] ?? `state ${stateId}`;
  if (topic === stateMessageTopics.enforcement) return enforcementNames[stateId] ?? `state ${stateId}`;
  if (topic === stateMessageTopics.evaluation) return ['', 'activated', 'evaluation succeeded', 'evaluation failed'][stateId] ?? `state ${stateId}`;
  return `topic ${topic} state ${stateId}`;
}
