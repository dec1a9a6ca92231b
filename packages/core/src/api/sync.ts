import { z } from 'zod';
import { Classification } from '../catalogue/vocabulary-schemas.ts';

/** Top-level site only: which products, classifications and architectures the update point syncs. */
export const SyncCriteria = z
  .object({
    /** Empty = every product the upstreams publish. */
    products: z.array(z.string().min(1).max(100)).max(100).default([]),
    /** Empty = every classification. */
    classifications: z.array(Classification).max(20).default([]),
    /** Empty = each upstream's own architectures. */
    architectures: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/)).max(16).default([]),
  })
  .strict();
export type SyncCriteria = z.output<typeof SyncCriteria>;

export const SyncSchedule = z
  .object({
    enabled: z.boolean().default(true),
    /** Five-field cron (croner syntax, e.g. `0 3 * * *`, `0 3 * * 2#2` for the second Tuesday). */
    cron: z
      .string()
      .min(1)
      .max(100)
      .refine((c) => c.trim().split(/\s+/).length === 5, 'a sync schedule is a five-field cron expression (minute hour day-of-month month day-of-week)')
      .default('0 3 * * *'),
    timezone: z.string().min(1).max(64).default('UTC'),
  })
  .strict();
export type SyncSchedule = z.output<typeof SyncSchedule>;

/** §12: when superseded updates expire (0 = as soon as they are superseded). */
export const SupersedenceRules = z
  .object({ expireAfterMonths: z.number().int().min(0).max(120).default(3) })
  .strict();
export type SupersedenceRules = z.output<typeof SupersedenceRules>;

export const SyncRunRequest = z.object({ upstream: z.string().max(63).optional() }).strict();

export const SyncCounts = z.object({
  added: z.number().int(),
  revised: z.number().int(),
  superseded: z.number().int(),
  expired: z.number().int(),
  unchanged: z.number().int(),
});
export type SyncCounts = z.infer<typeof SyncCounts>;

export const SyncProgress = z.object({
  phase: z.string(),
  suitesDone: z.number().int(),
  suitesTotal: z.number().int(),
  detail: z.string(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const SyncRun = SyncCounts.extend({
  runId: z.number().int(),
  trigger: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  catalogueSeq: z.number().int().nullable(),
  progress: SyncProgress.nullable(),
  suites: z.array(z.object({ upstream: z.string(), suite: z.string(), product: z.string().nullable(), result: z.string(), updates: z.number().int() })),
});
export type SyncRun = z.infer<typeof SyncRun>;
