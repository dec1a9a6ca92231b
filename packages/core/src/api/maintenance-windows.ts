import { z } from 'zod';
import { MaintenanceWindow, isKnownTimeZone } from '../deployment/maintenance-window.ts';

/**
 * §6.8 a collection's maintenance windows (`/api/v1/collections/:collectionId/maintenance-windows`,
 * `patchday windows …`). The window itself is core's `MaintenanceWindow`.
 */

const fields = MaintenanceWindow.shape;

/**
 * `POST …/maintenance-windows` (whatever is left out comes from the §12 console default: weekly on
 * Sunday, 01:00–04:00 client local time) and `PATCH …/maintenance-windows/:windowId` (what is left out
 * stays as stored). The result is validated again as a whole window.
 */
export const MaintenanceWindowChange = z.strictObject({
  name: fields.name.optional(),
  recurrence: fields.recurrence.optional(),
  start: fields.start.optional(),
  durationMinutes: fields.durationMinutes.optional(),
  timeZone: fields.timeZone.optional(),
  enabled: z.boolean().optional(),
});
export type MaintenanceWindowChange = z.infer<typeof MaintenanceWindowChange>;

export const CollectionMaintenanceWindow = MaintenanceWindow.extend({
  windowId: z.string().uuid(),
  collectionId: z.string().uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CollectionMaintenanceWindow = z.infer<typeof CollectionMaintenanceWindow>;

export const MaintenanceWindowList = z.object({
  collectionId: z.string().uuid(),
  collectionName: z.string(),
  windows: z.array(CollectionMaintenanceWindow),
});
export type MaintenanceWindowList = z.infer<typeof MaintenanceWindowList>;

/** `GET …/maintenance-windows/next` of a collection or a client. */
export const UpcomingWindowsQuery = z.strictObject({
  count: z.coerce.number().int().min(1).max(100).default(5),
  /** The zone in which windows in client local time are shown (default UTC: the site cannot know a client's own zone). */
  timeZone: z
    .string()
    .max(64)
    .refine(isKnownTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not a known IANA time zone` })
    .default('UTC'),
});

/** The next service windows: the union of every window that applies, overlapping ones merged (§6.8). */
export const UpcomingWindows = z.object({
  target: z.object({ kind: z.enum(['client', 'collection']), id: z.string(), name: z.string() }),
  timeZone: z.string(),
  /** The windows that make up the union, with the collection each belongs to. */
  sources: z.array(z.object({ windowId: z.string(), name: z.string(), collectionId: z.string(), collectionName: z.string(), enabled: z.boolean() })),
  windows: z.array(z.object({ start: z.string(), end: z.string(), durationMinutes: z.number().int() })),
});
export type UpcomingWindows = z.infer<typeof UpcomingWindows>;
