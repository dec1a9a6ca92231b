import type { UpcomingWindows } from '@patchday/core';

const DAY_MS = 86_400_000;
const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const dayLabel = (day: Date) => `${dayNames[day.getUTCDay()]} ${day.getUTCDate()} ${monthNames[day.getUTCMonth()]}`;
const clock = (at: Date) => at.toISOString().slice(11, 16);

/**
 * §6.8 the service windows of the next `days` days (UTC, from today): each day a 24-hour track with
 * the windows in it; a window past midnight continues on the next day.
 */
export function CalendarStrip({ windows, now, days = 14 }: { windows: UpcomingWindows['windows']; now: Date; days?: number }) {
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const spans = windows.map((w) => ({ start: new Date(w.start).getTime(), end: new Date(w.end).getTime() }));
  return (
    <ol className="calendar-strip" aria-label={`Maintenance windows in the next ${days} days`}>
      {Array.from({ length: days }, (_, i) => {
        const from = first + i * DAY_MS;
        const to = from + DAY_MS;
        const day = new Date(from);
        const parts = spans.filter((s) => s.end > from && s.start < to).map((s) => ({ start: Math.max(s.start, from), end: Math.min(s.end, to) }));
        return (
          <li key={from} aria-label={dayLabel(day)}>
            <span className={i === 0 ? 'strip-day today' : 'strip-day'}>{i === 0 ? 'Today' : dayLabel(day)}</span>
            <span className="strip-track">
              {parts.map((p) => {
                const text = `${clock(new Date(p.start))}–${p.end === to ? '24:00' : clock(new Date(p.end))}`;
                return (
                  <span
                    key={p.start}
                    className="strip-window"
                    title={`${dayLabel(day)} ${text} UTC`}
                    style={{ top: `${((p.start - from) / DAY_MS) * 100}%`, height: `${((p.end - p.start) / DAY_MS) * 100}%` }}
                  >
                    <span className="visually-hidden">{text}</span>
                  </span>
                );
              })}
              {parts.length === 0 && <span className="visually-hidden">no window</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
