import { z } from 'zod';
import { siteEventKinds } from './site-event-kinds.ts';

export const SiteEventKind = z.enum(siteEventKinds);
export type SiteEventKind = z.infer<typeof SiteEventKind>;

/** The `data` of one server-sent event; its `event` field is the kind. */
export const SiteEvent = z.object({
  kind: SiteEventKind,
  /** Site time of the newest change this event stands for. */
  at: z.string(),
});
export type SiteEvent = z.infer<typeof SiteEvent>;
