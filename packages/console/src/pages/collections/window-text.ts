import type { MaintenanceWindow } from '@patchday/core';

export const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const ordinals = ['', 'first', 'second', 'third', 'fourth'];

/** `Weekly on Sunday`, `Monthly on the second Tuesday`… */
export function recurrenceText(r: MaintenanceWindow['recurrence']): string {
  switch (r.kind) {
    case 'daily':
      return 'Daily';
    case 'weekly':
      return `Weekly on ${[...r.daysOfWeek].sort((a, b) => a - b).map((d) => weekdays[d]).join(', ')}`;
    case 'monthly':
      return `Monthly on day ${r.dayOfMonth}`;
    case 'monthly-nth-weekday':
      return `Monthly on the ${r.week === 'last' ? 'last' : ordinals[r.week]} ${weekdays[r.dayOfWeek]}`;
  }
}

/** `01:00–04:00` (the end wraps past midnight as a clock does). */
export function hoursText(start: string, durationMinutes: number): string {
  const [h, m] = start.split(':').map(Number);
  const end = (h * 60 + m + durationMinutes) % (24 * 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${start}–${pad(Math.floor(end / 60))}:${pad(end % 60)}`;
}

export const zoneText = (zone: string): string => (zone === 'client-local' ? 'client local time' : zone);

export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}

/** The whole window in one line: `Weekly on Sunday, 01:00–04:00 (3 h), client local time`. */
export function windowText(w: Pick<MaintenanceWindow, 'recurrence' | 'start' | 'durationMinutes' | 'timeZone'>): string {
  return `${recurrenceText(w.recurrence)}, ${hoursText(w.start, w.durationMinutes)} (${durationText(w.durationMinutes)}), ${zoneText(w.timeZone)}`;
}
