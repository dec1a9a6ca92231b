import { z } from 'zod';
import { DetectionState } from '../compliance/applicability.ts';
import { Classification, Severity } from '../catalogue/vocabulary.ts';

export const ClientComplianceQuery = z.object({ include: z.enum(['required', 'all']).default('required') }).strict();

/** `GET /api/v1/clients/:clientId/compliance`: the site's estimate from the client's last inventory (§4). */
export const ClientCompliance = z.object({
  clientId: z.string(),
  name: z.string(),
  product: z.string().nullable(),
  /** Computed by the site from the stored inventory; the client's own scan confirms it later. */
  estimated: z.literal(true),
  inventoryAt: z.string().nullable(),
  counts: z.record(DetectionState, z.number().int()),
  updates: z.array(
    z.object({
      updateId: z.string(),
      title: z.string(),
      classification: Classification,
      severity: Severity,
      state: DetectionState,
      /** For Required updates: the installed binaries it would upgrade. */
      upgrades: z.array(z.object({ package: z.string(), architecture: z.string(), installed: z.string(), target: z.string() })),
    }),
  ),
});
export type ClientCompliance = z.infer<typeof ClientCompliance>;

/** `GET /api/v1/updates/:updateId/compliance`: one update across the fleet (§9), estimated from stored inventories. */
export const UpdateCompliance = z.object({
  updateId: z.string(),
  title: z.string(),
  estimated: z.literal(true),
  counts: z.record(DetectionState, z.number().int()),
  /** Installed or Not Required, over all clients that reported an inventory; null with none. */
  percentCompliant: z.number().nullable(),
  clients: z.array(z.object({ clientId: z.string(), name: z.string(), state: DetectionState })),
});
export type UpdateCompliance = z.infer<typeof UpdateCompliance>;
