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
