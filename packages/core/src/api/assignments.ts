import { z } from 'zod';

/** One distribution point as policy names it to an agent (§6.1). */
export const DistributionPointRef = z.object({
  dpId: z.string().uuid(),
  name: z.string(),
  /** Base URL: content is at `{url}/content/{sha256}`. */
  url: z.string(),
});
export type DistributionPointRef = z.infer<typeof DistributionPointRef>;

/**
 * A deployment time. With `timeBasis: 'utc'` an ISO instant (`2026-12-08T22:00:00.000Z`); with
 * `'client-local'` a wall-clock time without offset (`2026-12-08T22:00`) that each agent reads in
 * its own time zone, so a fleet across zones installs at the same local hour (§6.4).
 */
export const DeploymentTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z)?$/, 'a deployment time is YYYY-MM-DDTHH:MM, with Z for UTC');

/** §6.5 who does not get the automatic restart: servers, workstations, both or neither. */
export const RestartSuppression = z.enum(['none', 'servers', 'workstations', 'both']);
export type RestartSuppression = z.infer<typeof RestartSuppression>;

/** The install handler an update needs (§6.6). Debian updates use `dpkg`; published ones may use `script`. */
export const InstallHandler = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dpkg') }),
  z.strictObject({
    kind: z.literal('script'),
    /** sha256 of the script file among the update's files; it is run with `arguments`. */
    scriptSha256: z.string().regex(/^[0-9a-f]{64}$/),
    arguments: z.array(z.string().max(1000)).max(100),
    timeoutSeconds: z.number().int().min(1).max(86_400),
    successExitCodes: z.array(z.number().int().min(0).max(255)).min(1).max(50),
  }),
]);
export type InstallHandler = z.infer<typeof InstallHandler>;

/** One update of an assignment: the agent finds its files (binaries) in its cached catalogue. */
export const AssignedUpdate = z.object({
  updateId: z.string().uuid(),
  /** §12 maximum run time of this update's install, in minutes (default 60). */
  maxRunMinutes: z.number().int().min(1).max(1440),
  handler: InstallHandler,
});
export type AssignedUpdate = z.infer<typeof AssignedUpdate>;

/**
 * §6.4 what a deployment puts into the policy of each client of its collection. A required
 * assignment has a deadline; an available one has none and installs only when the user asks.
 */
export const DeploymentAssignment = z.object({
  deploymentId: z.string().uuid(),
  name: z.string(),
  purpose: z.enum(['required', 'available']),
  timeBasis: z.enum(['utc', 'client-local']),
  availableAt: DeploymentTime,
  /** null for available deployments. */
  deadlineAt: DeploymentTime.nullable(),
  restartSuppression: RestartSuppression,
  /** §6.8 may installs and restarts happen outside the client's maintenance windows? */
  installOutsideWindows: z.boolean(),
  restartOutsideWindows: z.boolean(),
  /** Only report compliance (an ADR in report mode): evaluate, never download or install. */
  reportOnly: z.boolean(),
  updates: z.array(AssignedUpdate),
});
export type DeploymentAssignment = z.infer<typeof DeploymentAssignment>;
