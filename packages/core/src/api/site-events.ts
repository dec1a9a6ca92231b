import { z } from 'zod';

/**
 * What changed on a site, as `GET /api/v1/events` announces it to consoles (server-sent events).
 * An event says only which kind of thing changed, never what it now is: a console that hears one
 * asks again for what it shows (a conditional GET, so an unchanged view costs a 304), and what it
 * asks for stays under the API's own authorisation.
 */
export const siteEventKinds = [
  /** A sync started or finished (its run, status messages 6701/6702/6703, the catalogue). */
  'sync',
  /** A deployment package's download or a distribution point's copy moved on. */
  'content',
  /** A client reported (state messages, inventory, registration): compliance and deployment monitoring. */
  'clients',
  /** An alert was raised or cleared. */
  'alerts',
  /** An administrator (or a rule's run) changed something through the admin API. */
  'changes',
] as const;

export const SiteEventKind = z.enum(siteEventKinds);
export type SiteEventKind = z.infer<typeof SiteEventKind>;

/** The `data` of one server-sent event; its `event` field is the kind. */
export const SiteEvent = z.object({
  kind: SiteEventKind,
  /** Site time of the newest change this event stands for. */
  at: z.string(),
});
export type SiteEvent = z.infer<typeof SiteEvent>;
