import { defaultMaintenanceWindow, type MaintenanceWindow, type MaintenanceWindowChange } from '@patchday/core';
import { useId, useState, type FormEvent } from 'react';
import { FormButtons } from '../../components/FormButtons.tsx';
import { weekdays } from './window-text.ts';

type Kind = MaintenanceWindow['recurrence']['kind'];

interface Draft {
  name: string;
  kind: Kind;
  daysOfWeek: number[];
  dayOfMonth: number;
  week: string;
  dayOfWeek: number;
  start: string;
  durationMinutes: number;
  zone: 'client-local' | 'UTC' | 'other';
  otherZone: string;
  enabled: boolean;
}

function draftOf(w: MaintenanceWindow, named: boolean): Draft {
  const r = w.recurrence;
  return {
    name: named ? w.name : '',
    kind: r.kind,
    daysOfWeek: r.kind === 'weekly' ? r.daysOfWeek : [0],
    dayOfMonth: r.kind === 'monthly' ? r.dayOfMonth : 1,
    week: r.kind === 'monthly-nth-weekday' ? String(r.week) : '2',
    dayOfWeek: r.kind === 'monthly-nth-weekday' ? r.dayOfWeek : 2,
    start: w.start,
    durationMinutes: w.durationMinutes,
    zone: w.timeZone === 'client-local' || w.timeZone === 'UTC' ? w.timeZone : 'other',
    otherZone: w.timeZone === 'client-local' || w.timeZone === 'UTC' ? '' : w.timeZone,
    enabled: w.enabled,
  };
}

function recurrenceOf(d: Draft): MaintenanceWindow['recurrence'] {
  switch (d.kind) {
    case 'daily':
      return { kind: 'daily' };
    case 'weekly':
      return { kind: 'weekly', daysOfWeek: [...d.daysOfWeek].sort((a, b) => a - b) };
    case 'monthly':
      return { kind: 'monthly', dayOfMonth: d.dayOfMonth };
    case 'monthly-nth-weekday':
      return { kind: 'monthly-nth-weekday', week: d.week === 'last' ? 'last' : Number(d.week), dayOfWeek: d.dayOfWeek };
  }
}

/**
 * Adds or edits a maintenance window (§6.8). A new one starts from the §12 console default:
 * weekly on Sunday, 01:00–04:00 client local time. The site checks the whole window and says what
 * is wrong; an unnamed new window gets the default name.
 */
export function WindowForm({ editing, onSubmit, onCancel, busy }: { editing: MaintenanceWindow | null; onSubmit(change: MaintenanceWindowChange): void; onCancel(): void; busy: boolean }) {
  const [d, setD] = useState<Draft>(() => draftOf(editing ?? defaultMaintenanceWindow, editing !== null));
  const id = useId();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((x) => ({ ...x, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const change: MaintenanceWindowChange = {
      recurrence: recurrenceOf(d),
      start: d.start,
      durationMinutes: d.durationMinutes,
      timeZone: d.zone === 'other' ? d.otherZone.trim() : d.zone,
      enabled: d.enabled,
    };
    if (d.name.trim() !== '') change.name = d.name.trim();
    onSubmit(change);
  };

  return (
    <form className="window-form" onSubmit={submit} aria-label={editing ? `Edit maintenance window ${editing.name}` : 'Add a maintenance window'}>
      <label>
        Name
        <input value={d.name} placeholder={defaultMaintenanceWindow.name} onChange={(e) => set('name', e.target.value)} required={editing !== null} maxLength={100} />
      </label>
      <label>
        Repeats
        <select value={d.kind} onChange={(e) => set('kind', e.target.value as Kind)}>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
          <option value="monthly">Monthly on a day</option>
          <option value="monthly-nth-weekday">Monthly on a weekday</option>
        </select>
      </label>
      {d.kind === 'weekly' && (
        <fieldset>
          <legend>Days</legend>
          {weekdays.map((day, i) => (
            <label key={day} className="inline">
              <input
                type="checkbox"
                checked={d.daysOfWeek.includes(i)}
                onChange={(e) => set('daysOfWeek', e.target.checked ? [...d.daysOfWeek, i] : d.daysOfWeek.filter((x) => x !== i))}
              />
              {day}
            </label>
          ))}
        </fieldset>
      )}
      {d.kind === 'monthly' && (
        <label>
          Day of the month
          <input type="number" className="narrow" min={1} max={31} value={d.dayOfMonth} onChange={(e) => set('dayOfMonth', Number(e.target.value))} />
        </label>
      )}
      {d.kind === 'monthly-nth-weekday' && (
        <>
          <label>
            Week
            <select value={d.week} onChange={(e) => set('week', e.target.value)}>
              <option value="1">First</option>
              <option value="2">Second</option>
              <option value="3">Third</option>
              <option value="4">Fourth</option>
              <option value="last">Last</option>
            </select>
          </label>
          <label>
            Weekday
            <select value={d.dayOfWeek} onChange={(e) => set('dayOfWeek', Number(e.target.value))}>
              {weekdays.map((day, i) => (
                <option key={day} value={i}>
                  {day}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <label>
        Start
        <input type="time" value={d.start} onChange={(e) => set('start', e.target.value)} required />
      </label>
      <label>
        Duration (minutes)
        <input type="number" className="narrow" min={5} max={1439} value={d.durationMinutes} onChange={(e) => set('durationMinutes', Number(e.target.value))} />
      </label>
      <label>
        Time zone
        <select value={d.zone} onChange={(e) => set('zone', e.target.value as Draft['zone'])}>
          <option value="client-local">Client local time</option>
          <option value="UTC">UTC</option>
          <option value="other">Another zone…</option>
        </select>
      </label>
      {d.zone === 'other' && (
        <label>
          IANA time zone
          <input className="medium" list={`${id}-zones`} value={d.otherZone} placeholder="Europe/Amsterdam" onChange={(e) => set('otherZone', e.target.value)} required />
          <datalist id={`${id}-zones`}>
            {['Europe/Amsterdam', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney'].map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </label>
      )}
      <label className="inline">
        <input type="checkbox" checked={d.enabled} onChange={(e) => set('enabled', e.target.checked)} />
        Enabled
      </label>
      <FormButtons submit={editing ? 'Save window' : 'Add window'} busy={busy} onCancel={onCancel} />
    </form>
  );
}
