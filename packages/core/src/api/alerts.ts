import { z } from 'zod';

/** §9 alerts (`GET /api/v1/alerts`, `patchday alerts list`). */

export const AlertKind = z.enum(['deployment-compliance', 'sync-failure']);
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertsQuery = z.strictObject({
  /** `open` (default): alerts whose condition still holds; `all`: cleared ones too, newest first. */
  state: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const Alert = z.object({
  alertId: z.number().int(),
  kind: AlertKind,
  /** The deployment id, or `update-point` for sync failures. */
  targetId: z.string(),
  /** The deployment's name, or `update point`. */
  targetName: z.string(),
  severity: z.enum(['warning', 'error']),
  text: z.string(),
  raisedAt: z.string(),
  /** null while the condition holds. */
  clearedAt: z.string().nullable(),
});
export type Alert = z.infer<typeof Alert>;

export const AlertList = z.object({ alerts: z.array(Alert) });
export type AlertList = z.infer<typeof AlertList>;

/** `POST /api/v1/alerts/evaluate`: what an evaluation changed. */
export const AlertEvaluation = z.object({ at: z.string(), raised: z.number().int(), cleared: z.number().int(), open: z.number().int() });
export type AlertEvaluation = z.infer<typeof AlertEvaluation>;
