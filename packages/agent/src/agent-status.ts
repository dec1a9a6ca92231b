import { ClientSettings } from '@patchday/core';
import { z } from 'zod';
import { LastScan } from './data-dir/agent-files.ts';

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
});
export type AgentStatus = z.infer<typeof AgentStatus>;
