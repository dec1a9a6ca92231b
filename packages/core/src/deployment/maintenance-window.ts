import { z } from 'zod';

/**
 * §6.8 / §12 maintenance windows: recurring windows, per collection, outside which required
 * installs and restarts wait. Pure: times are computed with the platform's time-zone database
 * (Intl), never the machine's own zone.
 */

const MINUTE = 60_000;

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM, 00:00 to 23:59');
const DayOfWeek = z.number().int().min(0).max(6);

/** An IANA time zone the platform knows, or the client's own local time. */
const WindowTimeZone = z.union([
  z.literal('client-local'),
  z.string().max(64).refine(isKnownTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not a known IANA time zone` }),
]);

export const WindowRecurrence = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('daily') }),
  /** 0 = Sunday … 6 = Saturday. */
  z.strictObject({ kind: z.literal('weekly'), daysOfWeek: z.array(DayOfWeek).min(1).max(7) }),
  /** A day of the month; months without it (31 in April) have no window. */
  z.strictObject({ kind: z.literal('monthly'), dayOfMonth: z.number().int().min(1).max(31) }),
  /** The nth weekday of the month: "the second Tuesday", or the last one. */
  z.strictObject({ kind: z.literal('monthly-nth-weekday'), week: z.union([z.number().int().min(1).max(4), z.literal('last')]), dayOfWeek: DayOfWeek }),
]);
export type WindowRecurrence = z.infer<typeof WindowRecurrence>;

export const MaintenanceWindow = z.strictObject({
  name: z.string().min(1).max(100),
  recurrence: WindowRecurrence,
  /** Local start time in `timeZone`. */
  start: TimeOfDay,
  /** §12: from 5 minutes to less than 24 hours. */
  durationMinutes: z.number().int().min(5).max(24 * 60 - 1),
  timeZone: WindowTimeZone,
  enabled: z.boolean().default(true),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

/** The console's default when adding a window (§12): weekly 01:00–04:00 client local time. */
export const defaultMaintenanceWindow: MaintenanceWindow = {
  name: 'Maintenance window',
  recurrence: { kind: 'weekly', daysOfWeek: [0] },
  start: '01:00',
  durationMinutes: 180,
  timeZone: 'client-local',
  enabled: true,
};

export interface Interval {
  start: Date;
  end: Date;
}

export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of `at` in `zone`. */
function wallClock(at: Date, zone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  let format = partsFormatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    partsFormatters.set(zone, format);
  }
  const fields: Record<string, number> = {};
  for (const part of format.formatToParts(at)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute };
}

/** The zone's offset from UTC at `at`, in minutes. */
function offsetMinutes(at: Date, zone: string): number {
  const w = wallClock(at, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return Math.round((asUtc - Math.floor(at.getTime() / MINUTE) * MINUTE) / MINUTE);
}

/**
 * The instant a local wall-clock time names in `zone`. A time skipped by a clock change
 * (02:30 on the night clocks go forward) is taken as the same length of time after the
 * change; a time that happens twice (clocks going back) is its first occurrence.
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, zone: string): Date {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  // The offset either side of the wall time: try the earlier (larger) offset first.
  const candidates = [...new Set([offsetMinutes(new Date(naive - 12 * 60 * MINUTE), zone), offsetMinutes(new Date(naive + 12 * 60 * MINUTE), zone)])].sort((a, b) => b - a);
  for (const offset of candidates) {
    const at = new Date(naive - offset * MINUTE);
    const w = wallClock(at, zone);
    if (w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute) return at;
  }
  // Skipped by a change forward: after the change, as far as the wall time was past its start.
  return new Date(naive - Math.min(...candidates) * MINUTE);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function occursOn(recurrence: WindowRecurrence, year: number, month: number, day: number): boolean {
  switch (recurrence.kind) {
    case 'daily':
      return true;
    case 'weekly':
      return recurrence.daysOfWeek.includes(dayOfWeek(year, month, day));
    case 'monthly':
      return recurrence.dayOfMonth === day;
    case 'monthly-nth-weekday': {
      if (dayOfWeek(year, month, day) !== recurrence.dayOfWeek) return false;
      if (recurrence.week === 'last') return day + 7 > daysInMonth(year, month);
      return Math.ceil(day / 7) === recurrence.week;
    }
  }
}

/**
 * The window's occurrences that overlap [from, to), as instants. `clientTimeZone` is the zone
 * of a window in client local time.
 */
export function windowOccurrences(window: MaintenanceWindow, from: Date, to: Date, clientTimeZone: string): Interval[] {
  if (!window.enabled || to <= from) return [];
  const zone = window.timeZone === 'client-local' ? clientTimeZone : window.timeZone;
  const [hour, minute] = window.start.split(':').map(Number);
  const out: Interval[] = [];
  // Local days from the day before `from` (a window may run past midnight) to the day of `to`.
  const first = wallClock(new Date(from.getTime() - 24 * 60 * MINUTE), zone);
  let cursor = Date.UTC(first.year, first.month - 1, first.day);
  const last = wallClock(to, zone);
  const end = Date.UTC(last.year, last.month - 1, last.day);
  for (; cursor <= end; cursor += 24 * 60 * MINUTE) {
    const d = new Date(cursor);
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    if (!occursOn(window.recurrence, y, m, day)) continue;
    const start = instantOf(y, m, day, hour, minute, zone);
    const stop = new Date(start.getTime() + window.durationMinutes * MINUTE);
    if (stop > from && start < to) out.push({ start, end: stop });
  }
  return out;
}

/** Overlapping or touching intervals become one (§12: overlapping windows merge). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: Interval[] = [];
  for (const i of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && i.start.getTime() <= previous.end.getTime()) {
      if (i.end > previous.end) previous.end = i.end;
    } else {
      merged.push({ start: i.start, end: i.end });
    }
  }
  return merged;
}

/** The union of every window of every collection the client is in, over [from, to). */
export function serviceWindows(windows: readonly MaintenanceWindow[], from: Date, to: Date, clientTimeZone: string): Interval[] {
  return mergeIntervals(windows.flatMap((w) => windowOccurrences(w, from, to, clientTimeZone)));
}

/** How far ahead a client looks for its next window: the longest recurrence is monthly. */
const LOOKAHEAD_MS = 62 * 24 * 60 * MINUTE;

export type InstallSlot =
  | { canStart: true; windowEnd: Date | null }
  | { canStart: false; nextStart: Date | null };

/**
 * §6.8: whether an install of `maxRunMinutes` may start at `now`. With no windows at all, any
 * time is allowed. Otherwise it must start inside a (merged) window with at least its maximum
 * run time left; if not, the answer names the next window start that leaves enough time.
 */
export function installSlot(windows: readonly MaintenanceWindow[], now: Date, maxRunMinutes: number, clientTimeZone: string): InstallSlot {
  const enabled = windows.filter((w) => w.enabled);
  if (enabled.length === 0) return { canStart: true, windowEnd: null };
  const need = maxRunMinutes * MINUTE;
  const spans = serviceWindows(enabled, new Date(now.getTime() - 24 * 60 * MINUTE), new Date(now.getTime() + LOOKAHEAD_MS), clientTimeZone);
  for (const span of spans) {
    if (span.end <= now) continue;
    const start = span.start > now ? span.start : now;
    if (span.end.getTime() - start.getTime() >= need) {
      return start.getTime() === now.getTime() ? { canStart: true, windowEnd: span.end } : { canStart: false, nextStart: start };
    }
  }
  return { canStart: false, nextStart: null };
}
