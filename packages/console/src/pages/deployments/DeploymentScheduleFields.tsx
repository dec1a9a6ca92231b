import type { Deployment } from '@patchday/core';

/**
 * §6.4 a deployment's purpose and times, as the deploy wizard creates them and the deployment page
 * edits them. Times are 'YYYY-MM-DDTHH:MM' as the date-time field gives them, in the deployment's basis.
 */
export interface ScheduleDraft {
  purpose: 'required' | 'available';
  timeBasis: 'utc' | 'client-local';
  /** '' = as soon as it is created (only when creating). */
  availableAt: string;
  deadlineAt: string;
}

/** A wall-clock time of the form in the deployment's basis: UTC ones end with Z, client-local ones have none. */
const wireTime = (value: string, basis: ScheduleDraft['timeBasis']) => (basis === 'utc' ? `${value}Z` : value);

export const timeWords = (value: string, basis: ScheduleDraft['timeBasis']) => `${value.replace('T', ' ')} ${basis === 'utc' ? 'UTC' : "in each client's local time"}`;

/** The API's fields for a draft (CreateDeploymentRequest and UpdateDeploymentRequest share them). */
export function scheduleOf(d: ScheduleDraft) {
  return {
    purpose: d.purpose,
    timeBasis: d.timeBasis,
    ...(d.availableAt ? { availableAt: wireTime(d.availableAt, d.timeBasis) } : {}),
    deadlineAt: d.purpose === 'required' && d.deadlineAt ? wireTime(d.deadlineAt, d.timeBasis) : null,
  };
}

/** A stored time as the date-time field shows it: no zone, no milliseconds, no zero seconds. */
const fieldTime = (stored: string | null) => (stored ?? '').replace(/(\.\d+)?Z$/, '').replace(/:00$/, '');

export function draftOfSchedule(d: Pick<Deployment, 'purpose' | 'timeBasis' | 'availableAt' | 'deadlineAt'>): ScheduleDraft {
  return { purpose: d.purpose, timeBasis: d.timeBasis, availableAt: fieldTime(d.availableAt), deadlineAt: fieldTime(d.deadlineAt) };
}

/** Purpose, time basis, available time and deadline; `editing` makes the available time required (a stored one is never "now"). */
export function ScheduleFields({ value, onChange, editing = false }: { value: ScheduleDraft; onChange(next: Partial<ScheduleDraft>): void; editing?: boolean }) {
  return (
    <>
      <fieldset>
        <legend>Purpose</legend>
        <div className="form-row">
          <label className="check">
            <input type="radio" name="purpose" checked={value.purpose === 'required'} onChange={() => onChange({ purpose: 'required' })} />
            Required: clients install by the deadline
          </label>
          <label className="check">
            <input type="radio" name="purpose" checked={value.purpose === 'available'} onChange={() => onChange({ purpose: 'available', deadlineAt: '' })} />
            Available: clients install only when their user asks
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Schedule</legend>
        <div className="form-row">
          <label>
            Times are in
            <select value={value.timeBasis} onChange={(e) => onChange({ timeBasis: e.target.value as ScheduleDraft['timeBasis'] })}>
              <option value="utc">UTC</option>
              <option value="client-local">Each client's local time</option>
            </select>
          </label>
          <label>
            Available time
            <input type="datetime-local" value={value.availableAt} onChange={(e) => onChange({ availableAt: e.target.value })} required={editing} />
          </label>
          {value.purpose === 'required' && (
            <label>
              Deadline
              <input type="datetime-local" value={value.deadlineAt} onChange={(e) => onChange({ deadlineAt: e.target.value })} required />
            </label>
          )}
        </div>
        <p className="hint">
          {editing ? 'Changing a time changes it in the policy of every member at its next poll.' : 'No available time: as soon as it is created (the site\'s time).'}{' '}
          {value.timeBasis === 'client-local' ? 'Each client reads the times in its own time zone, so a fleet across zones installs at the same local hour.' : 'Every client reads the same instant.'}
        </p>
      </fieldset>
    </>
  );
}
