import type { ClientSettings } from '../api/clients.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A number in [0, 1): Math.random on a client, a fixed sequence in tests. */
export type Random = () => number;

/** §5/§12: the first scan, at a random time within `firstScanWithinMinutes` of receiving policy. */
export function firstScanAt(policyReceivedAt: Date, settings: ClientSettings, random: Random): Date {
  return new Date(policyReceivedAt.getTime() + Math.floor(random() * settings.firstScanWithinMinutes * MINUTE));
}

/**
 * §12: the scan schedule, every `scanScheduleDays` (never less than one day) after the last
 * scheduled scan, plus a random delay up to `scanRandomisationMinutes` so a fleet does not
 * scan in the same minute.
 */
export function nextScheduledScanAt(lastScanAt: Date, settings: ClientSettings, random: Random): Date {
  const days = Math.max(1, settings.scanScheduleDays);
  return new Date(lastScanAt.getTime() + days * DAY + Math.floor(random() * settings.scanRandomisationMinutes * MINUTE));
}

/** §12 scan failure: retry every `scanRetryMinutes`. */
export function scanRetryAt(failedAt: Date, settings: ClientSettings): Date {
  return new Date(failedAt.getTime() + settings.scanRetryMinutes * MINUTE);
}

export function minutesLater(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * MINUTE);
}
