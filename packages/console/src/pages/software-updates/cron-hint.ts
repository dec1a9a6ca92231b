/**
 * A cron schedule in words, for the common shapes of a patch schedule ("the second Tuesday of the
 * month at 22:00"). Anything else gets null: the site still computes its next run on save.
 */
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const dayKeys = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const ordinals = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

/** Schedules administrators start from. */
export const cronExamples = [
  { label: 'Second Tuesday 22:00', cron: '0 22 * * TUE#2' },
  { label: 'Every day 03:00', cron: '0 3 * * *' },
  { label: 'Saturdays 01:30', cron: '30 1 * * SAT' },
  { label: 'Last Friday 18:00', cron: '0 18 * * FRI#L' },
] as const;

function day(field: string): number | null {
  const upper = field.toUpperCase();
  if (/^[0-7]$/.test(upper)) return Number(upper) % 7;
  const index = dayKeys.indexOf(upper);
  return index < 0 ? null : index;
}

function daysInWords(field: string): string | null {
  if (field === '*' || field === '?') return 'every day';
  const nth = /^([A-Za-z]{3}|[0-7])#([1-5]|L)$/.exec(field);
  if (nth) {
    const d = day(nth[1]);
    if (d === null) return null;
    return `the ${nth[2] === 'L' ? 'last' : ordinals[Number(nth[2])]} ${dayNames[d]} of the month`;
  }
  const last = /^([A-Za-z]{3}|[0-7])L$/.exec(field);
  if (last) {
    const d = day(last[1]);
    return d === null ? null : `the last ${dayNames[d]} of the month`;
  }
  const range = /^([A-Za-z]{3}|[0-7])-([A-Za-z]{3}|[0-7])$/.exec(field);
  if (range) {
    const from = day(range[1]);
    const to = day(range[2]);
    return from === null || to === null ? null : `${dayNames[from]} to ${dayNames[to]}`;
  }
  const list = field.split(',').map(day);
  if (list.some((d) => d === null)) return null;
  const names = list.map((d) => `${dayNames[d!]}s`);
  return names.length === 1 ? `every ${names[0].slice(0, -1)}` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function describeCron(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length === 6) fields.shift();
  if (fields.length !== 5) return null;
  const [minute, hour, dom, month, dow] = fields;
  if (!/^\d{1,2}$/.test(minute) || Number(minute) > 59) return null;
  if (month !== '*') return null;
  const at = (h: string) => `${h.padStart(2, '0')}:${minute.padStart(2, '0')}`;
  let time: string;
  if (/^\d{1,2}$/.test(hour) && Number(hour) < 24) time = `at ${at(hour)}`;
  else if (hour === '*') time = `every hour at minute ${Number(minute)}`;
  else if (/^\d{1,2}(,\d{1,2})+$/.test(hour)) time = `at ${hour.split(',').map(at).join(', ')}`;
  else return null;
  if (dom !== '*' && dom !== '?') {
    if (dow !== '*' && dow !== '?') return null;
    if (dom === 'L') return `The last day of the month ${time}`;
    if (!/^\d{1,2}$/.test(dom) || Number(dom) < 1 || Number(dom) > 31) return null;
    return `Day ${Number(dom)} of every month ${time}`;
  }
  const days = daysInWords(dow);
  if (!days) return null;
  if (hour === '*' && days === 'every day') return `Every hour at minute ${Number(minute)}`;
  return `${days.charAt(0).toUpperCase()}${days.slice(1)} ${time}`;
}
