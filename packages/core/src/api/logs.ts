import { z } from 'zod';

const isoTime = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time');
const limit = z.coerce.number().int().min(1).max(1000).default(100);

export const StatusMessageQuery = z
  .object({
    messageId: z.coerce.number().int().min(0).max(99999).optional(),
    severity: z.enum(['info', 'warning', 'error']).optional(),
    component: z.string().max(64).optional(),
    since: isoTime.optional(),
    limit,
  })
  .strict();

export const StatusMessage = z.object({
  id: z.number().int(),
  messageId: z.number().int(),
  severity: z.string(),
  component: z.string(),
  text: z.string(),
  details: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export type StatusMessage = z.infer<typeof StatusMessage>;

export const AuditQuery = z
  .object({ actor: z.string().max(64).optional(), action: z.string().max(64).optional(), since: isoTime.optional(), limit })
  .strict();

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
