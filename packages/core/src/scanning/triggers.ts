/**
 * §5: what starts a scan, and how. Forced: always contact the update point (online) or always
 * evaluate (offline). Non-forced online: contact the update point only when the cached metadata
 * is older than the TTL. Offline: never contact it.
 */
export const scanTriggers = {
  schedule: { forced: false, online: true },
  scanNow: { forced: true, online: true },
  deploymentReevaluation: { forced: false, online: true },
  beforeDownload: { forced: false, online: true },
  beforeInstall: { forced: false, online: true },
  afterInstall: { forced: true, online: false },
  afterRestart: { forced: true, online: false },
} as const satisfies Record<string, ScanKind>;

export type ScanTrigger = keyof typeof scanTriggers;

export interface ScanKind {
  forced: boolean;
  online: boolean;
}

/** Whether a scan of this kind fetches metadata from the update point (given the cache's age). */
export function fetchesMetadata(kind: ScanKind, cache: { fetchedAt: Date } | null, now: Date, ttlHours: number): boolean {
  if (!kind.online) return false;
  if (kind.forced || cache === null) return true;
  return now.getTime() - cache.fetchedAt.getTime() >= ttlHours * 3_600_000;
}
