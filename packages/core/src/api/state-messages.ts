import { z } from 'zod';

/** §5 topics, numbered as administrators know them. */
export const stateMessageTopics = {
  /** per-deployment compliance: 1 compliant, 2 non-compliant */
  deploymentCompliance: 300,
  /** per-deployment enforcement */
  enforcement: 301,
  /** per-deployment evaluation: 1 activated, 2 succeeded, 3 failed */
  evaluation: 302,
  /** per-update detection: 0 unknown, 1 not required, 2 required, 3 installed */
  detection: 500,
  /** scan progress */
  scanProgress: 501,
} as const;

/** §5 topic 501 state ids. */
export const scanProgressStateIds = {
  waitingForContent: 1,
  running: 2,
  complete: 3,
  pendingRetry: 4,
  failed: 5,
  completedWithErrors: 6,
} as const;

const common = {
  /**
   * The agent's own sequence number for the message, increasing by one per message. The
   * management point keeps the highest it has stored per client and ignores any message at
   * or below it, so a batch resent after a lost acknowledgement changes nothing.
   */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** When the agent created the message (its clock). */
  time: z.string().datetime({ offset: true }),
};

/** Topic 500: an update's detection state changed on this client since its last scan. */
export const DetectionStateMessage = z.strictObject({
  ...common,
  topic: z.literal(500),
  stateId: z.number().int().min(0).max(3),
  updateId: z.string().uuid(),
  /** The update revision the state was evaluated for. */
  revision: z.number().int().positive(),
});

/**
 * Topic 501: scan progress. A completed scan (3 or 6) names the catalogue anchor it evaluated,
 * and the product: every update of that product up to the anchor that the client has not
 * reported otherwise is Not Required on it.
 */
export const ScanProgressMessage = z.strictObject({
  ...common,
  topic: z.literal(501),
  stateId: z.number().int().min(1).max(6),
  scanId: z.string().uuid(),
  product: z.string().max(100).nullable(),
  anchor: z.number().int().nonnegative().nullable(),
  /** Why the scan failed or will be retried; what an administrator reads. */
  error: z.string().max(2000).nullable(),
});

/** §5 topic 301 state ids: a deployment's enforcement on this client. */
export const enforcementStateIds = {
  installing: 1,
  waitingForRestart: 2,
  waitingForAnotherInstall: 3,
  success: 4,
  pendingRestart: 5,
  failedInstall: 6,
  downloading: 7,
  downloaded: 8,
  failedDownload: 9,
  waitingForMaintenanceWindow: 10,
} as const;

/** §5 topic 302 state ids. */
export const evaluationStateIds = { activated: 1, succeeded: 2, failed: 3 } as const;

/** §5 topic 300 state ids. */
export const deploymentComplianceStateIds = { compliant: 1, nonCompliant: 2 } as const;

const deployment = {
  ...common,
  deploymentId: z.string().uuid(),
  /** What went wrong, as an administrator reads it (dpkg's error, a sha256 mismatch…); null when nothing did. */
  error: z.string().max(4000).nullable(),
};

/** Topic 300: is this client compliant with the deployment (every update of it installed or not required)? */
export const DeploymentComplianceMessage = z.strictObject({ ...deployment, topic: z.literal(300), stateId: z.number().int().min(1).max(2) });

/** Topic 301: enforcement progress; `updateId` names the update it is about, when one. */
export const EnforcementStateMessage = z.strictObject({
  ...deployment,
  topic: z.literal(301),
  stateId: z.number().int().min(1).max(10),
  updateId: z.string().uuid().nullable(),
});

/** Topic 302: the agent evaluated the assignment (activated when it first saw it). */
export const EvaluationStateMessage = z.strictObject({ ...deployment, topic: z.literal(302), stateId: z.number().int().min(1).max(3) });

export const StateMessage = z.discriminatedUnion('topic', [DetectionStateMessage, ScanProgressMessage, DeploymentComplianceMessage, EnforcementStateMessage, EvaluationStateMessage]);
export type StateMessage = z.infer<typeof StateMessage>;
export type DetectionStateMessage = z.infer<typeof DetectionStateMessage>;
export type ScanProgressMessage = z.infer<typeof ScanProgressMessage>;
export type DeploymentComplianceMessage = z.infer<typeof DeploymentComplianceMessage>;
export type EnforcementStateMessage = z.infer<typeof EnforcementStateMessage>;
export type EvaluationStateMessage = z.infer<typeof EvaluationStateMessage>;

export const MAX_STATE_MESSAGES_PER_BATCH = 1000;

/** `POST /mp/v1/clients/:clientId/state-messages`. */
export const StateMessageBatch = z.strictObject({
  messages: z.array(StateMessage).min(1).max(MAX_STATE_MESSAGES_PER_BATCH),
});
export type StateMessageBatch = z.infer<typeof StateMessageBatch>;

/** The acknowledgement: the agent may forget every message up to `acknowledgedSeq`. */
export const StateMessageAck = z.object({
  acknowledgedSeq: z.number().int().nonnegative(),
  stored: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
});
export type StateMessageAck = z.infer<typeof StateMessageAck>;
