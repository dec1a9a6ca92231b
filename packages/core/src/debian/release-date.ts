import { DebianFormatError, quote } from './errors.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// RFC 2822 §3.3 as archives write it: `Sat, 11 Jul 2026 10:16:37 UTC`. Names are
// case-insensitive in RFC 2822; the zone is UTC/GMT/UT or a numeric offset.
const RFC2822_DATE = /^(?:([A-Za-z]{3}), )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (UTC|GMT|UT|[+-]\d{4})$/;

/**
 * Parses a Release `Date` or `Valid-Until`. Written by hand because `new Date(string)`
 * accepts almost anything (and reads `31 Feb` as 3 March), while a replay check is only
 * as good as the dates it compares. Throws DebianFormatError with the reason.
 */
export function parseReleaseDate(text: string): Date {
  const match = RFC2822_DATE.exec(text);
  if (match === null) throw new DebianFormatError(`not an RFC 2822 date like "Sat, 11 Jul 2026 10:16:37 UTC": ${quote(text)}`);
  const [, weekdayName, dayText, monthName, yearText, hourText, minuteText, secondText, zone] = match;
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month === -1) throw new DebianFormatError(`unknown month ${quote(monthName)} in date ${quote(text)}`);
  const year = Number(yearText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (year < 1970) throw new DebianFormatError(`year ${year} is before 1970 in date ${quote(text)}`);
  const midnight = new Date(Date.UTC(year, month, day));
  if (day < 1 || midnight.getUTCDate() !== day) throw new DebianFormatError(`day ${day} does not exist in ${monthName} ${year}: ${quote(text)}`);
  if (hour > 23 || minute > 59 || second > 59) throw new DebianFormatError(`time of day out of range in date ${quote(text)}`);
  if (weekdayName !== undefined) {
    const weekday = WEEKDAYS.indexOf(weekdayName.toLowerCase());
    if (weekday === -1) throw new DebianFormatError(`unknown weekday ${quote(weekdayName)} in date ${quote(text)}`);
    if (weekday !== midnight.getUTCDay()) throw new DebianFormatError(`weekday ${weekdayName} does not match the date ${quote(text)}`);
  }
  let offsetMinutes = 0;
  if (zone[0] === '+' || zone[0] === '-') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (hours > 23 || minutes > 59) throw new DebianFormatError(`time zone offset out of range in date ${quote(text)}`);
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(midnight.getTime() + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000);
}
