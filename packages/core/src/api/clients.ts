import { z } from 'zod';
import { MaintenanceWindow } from '../deployment/maintenance-window.ts';
import { Inventory } from '../inventory/inventory.ts';
import { DeploymentAssignment, DistributionPointRef } from './assignments.ts';

const clientName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/, 'a client name is a host name: letters, digits, "." and "-"');

/** `patchday enrolment-tokens create` / `POST /api/v1/enrolment-tokens`. */
export const CreateEnrolmentTokenRequest = z
  .object({
    name: z.string().min(1).max(100).default('enrolment token'),
    /** How long the token can be used (default 7 days). */
    expiresInHours: z.number().int().min(1).max(24 * 365).default(24 * 7),
    /** How many agents may enrol with it; absent = any number until it expires. */
    uses: z.number().int().min(1).max(1_000_000).nullable().default(null),
    /** Clients that enrol with it become direct members of this collection. */
    collectionId: z.string().uuid('a collection id is a UUID').nullable().default(null),
  })
  .strict();

export const EnrolmentToken = z.object({
  tokenId: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  usesLeft: z.number().int().nullable(),
  revoked: z.boolean(),
  collectionId: z.string().nullable(),
});
export type EnrolmentToken = z.infer<typeof EnrolmentToken>;

/** `POST /mp/v1/register`: an agent's first request; without a token it waits for approval. */
export const RegisterRequest = z.object({ enrolmentToken: z.string().max(200).optional(), name: clientName }).strict();

export const RegisterResponse = z.object({
  clientId: z.string().uuid(),
  /** The agent's own credential, shown once; only its sha256 is kept. */
  credential: z.string(),
  status: z.enum(['active', 'pending']),
});
export type RegisterResponse = z.infer<typeof RegisterResponse>;

/** §12 client settings: what policy tells an agent about its own behaviour. */
export const ClientSettings = z.object({
  softwareUpdatesEnabled: z.boolean(),
  policyPollingMinutes: z.number().int(),
  firstScanWithinMinutes: z.number().int(),
  scanScheduleDays: z.number().int(),
  scanRandomisationMinutes: z.number().int(),
  deploymentReevaluationDays: z.number().int(),
  metadataTtlHours: z.number().int(),
  stateMessageBatchMinutes: z.number().int(),
  scanRetryMinutes: z.number().int(),
  scanRetries: z.number().int(),
  cacheMaximumMb: z.number().int(),
  /** §12: cached content younger than this is never evicted. */
  cacheMinimumAgeMinutes: z.number().int(),
  /** §6.5: how long after the deadline (or after an install at/after it) the agent restarts the machine. */
  restartCountdownMinutes: z.number().int(),
  /** The last part of that countdown, which the user cannot dismiss. */
  restartFinalCountdownMinutes: z.number().int(),
  /** How often the user is reminded while the countdown runs. */
  restartReminderMinutes: z.number().int(),
});
export type ClientSettings = z.infer<typeof ClientSettings>;

/** `GET /mp/v1/clients/:clientId/policy`: this client's, and only this client's, policy. */
export const ClientPolicy = z.object({
  clientId: z.string(),
  clientSettings: ClientSettings,
  /** Where to scan from; empty when software updates are disabled for the client (§3). */
  updatePoints: z.array(z.object({ url: z.string() })),
  /**
   * §6.1 where to fetch update files, in the order to try them: the agent takes each file from the
   * first that holds it (`GET {url}/content/{sha256}`, Range for resuming) and falls back to the next.
   */
  distributionPoints: z.array(DistributionPointRef),
  /**
   * Sent as `Authorization: Bearer <contentToken>` to distribution points, which hold no client
   * credentials: the site signs it (client id + expiry), every DP of the site can verify it.
   */
  contentToken: z.string(),
  /** §6.8 the maintenance windows of every collection the client is in (their union applies). */
  maintenanceWindows: z.array(MaintenanceWindow),
  /** §6.4 one per enabled deployment to a collection the client is in. */
  assignments: z.array(DeploymentAssignment),
});
export type ClientPolicy = z.infer<typeof ClientPolicy>;

/** `PUT /mp/v1/clients/:clientId/inventory`. */
export const InventoryReport = z.object({ inventory: Inventory }).strict();

/** A client's last scan, from its topic 501 state messages (§5). */
export const ClientScan = z.object({
  /** Agent time of the last scan progress message. */
  at: z.string(),
  /** Its state: 1 waiting for content, 2 running, 3 complete, 4 pending retry, 5 failed, 6 completed with errors. */
  stateId: z.number().int(),
  /** Why it failed or will be retried, as the agent said. */
  error: z.string().nullable(),
  /** The last completed scan (state 3 or 6): its catalogue anchor, product and agent time. */
  anchor: z.number().int().nullable(),
  product: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export type ClientScan = z.infer<typeof ClientScan>;

export const Client = z.object({
  clientId: z.string(),
  name: z.string(),
  status: z.enum(['active', 'pending']),
  enrolledAt: z.string(),
  lastPolicyAt: z.string().nullable(),
  lastInventoryAt: z.string().nullable(),
  /** When the site last stored a batch of this client's state messages. */
  lastStateMessageAt: z.string().nullable(),
  /** null until the client has sent a scan progress message. */
  lastScan: ClientScan.nullable(),
});
export type Client = z.infer<typeof Client>;
