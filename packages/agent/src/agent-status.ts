import { ClientSettings } from '@patchday/core';
import { z } from 'zod';
import { DeploymentView, LastScan } from './data-dir/agent-files.ts';

/** What one scan did: the answer to `patchday agent scan-now`. */
export const ScanSummary = z.object({
  scanId: z.string().nullable(),
  trigger: z.string(),
  result: z.enum(['complete', 'failed', 'pending retry', 'skipped']),
  reason: z.string().nullable(),
  counts: z.record(z.string(), z.number().int()),
  /** State messages queued by the scan. */
  messages: z.number().int(),
});
export type ScanSummary = z.infer<typeof ScanSummary>;

/** What one send did: the answer to `patchday agent send-now`. */
export const SendSummary = z.object({
  sent: z.number().int(),
  duplicates: z.number().int(),
  remaining: z.number().int(),
  error: z.string().nullable(),
});
export type SendSummary = z.infer<typeof SendSummary>;

/** The coming restart (§6.5), when installs need one. */
export const RestartStatus = z.object({
  /** not scheduled: no deployment restarts the machine by itself (suppressed, or available deployments only). */
  phase: z.enum(['not scheduled', 'scheduled', 'countdown', 'final countdown', 'due']),
  restartAt: z.string().nullable(),
  countdownFrom: z.string().nullable(),
  finalCountdownFrom: z.string().nullable(),
  /** The user may dismiss the notice until the final countdown begins. */
  dismissable: z.boolean(),
  minutesLeft: z.number().int().nullable(),
  heldForWindow: z.boolean(),
  /** Updates installed and waiting for the restart. */
  updates: z.number().int(),
  deploymentIds: z.array(z.string()),
  error: z.string().nullable(),
});
export type RestartStatus = z.infer<typeof RestartStatus>;

/** The enforcement part of `patchday agent status`. */
export const DeploymentsStatus = z.object({
  machineRole: z.enum(['server', 'workstation']),
  timeZone: z.string(),
  deployments: z.array(DeploymentView),
  restart: RestartStatus.nullable(),
  cache: z.object({ files: z.number().int(), bytes: z.number().int(), maximumMb: z.number().int().nullable() }),
});
export type DeploymentsStatus = z.infer<typeof DeploymentsStatus>;

/** `patchday agent install <deploymentId>`: what the install the user started did. */
export const InstallSummary = z.object({
  deploymentId: z.string(),
  name: z.string().nullable(),
  result: z.enum(['installed', 'pending restart', 'failed', 'nothing to install', 'not found', 'not available yet', 'report only']),
  message: z.string().nullable(),
  updates: z.array(z.object({ updateId: z.string(), title: z.string().nullable(), stateId: z.number().int(), state: z.string(), error: z.string().nullable() })),
});
export type InstallSummary = z.infer<typeof InstallSummary>;

const Attempt = z.object({ at: z.string(), error: z.string().nullable() }).nullable();

/** `patchday agent status`. */
export const AgentStatus = z.object({
  clientId: z.string().nullable(),
  name: z.string().nullable(),
  server: z.string().nullable(),
  registration: z.enum(['unregistered', 'pending', 'active']),
  policy: z.object({ receivedAt: z.string(), softwareUpdatesEnabled: z.boolean(), updatePoints: z.array(z.string()), settings: ClientSettings }).nullable(),
  lastPolicyPoll: Attempt,
  catalogue: z.object({ product: z.string(), architecture: z.string(), anchor: z.number().int(), fetchedAt: z.string(), updates: z.number().int() }).nullable(),
  lastScan: LastScan.nullable(),
  nextScanAt: z.string().nullable(),
  retryAt: z.string().nullable(),
  queuedMessages: z.number().int(),
  acknowledgedSeq: z.number().int(),
  lastSend: Attempt,
  enforcement: DeploymentsStatus,
});
export type AgentStatus = z.infer<typeof AgentStatus>;
