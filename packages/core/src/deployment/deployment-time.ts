import type { DeploymentAssignment } from '../api/assignments.ts';
import { instantOf } from './maintenance-window.ts';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z)?$/;

/**
 * §6.4 the instant a deployment time names on this client. A UTC time (or any time written with
 * `Z`) is one instant for the whole fleet; a client-local time is read as wall-clock time in the
 * client's own zone, so every machine installs at the same local hour. A local time a clock
 * change skips or repeats is resolved as maintenance windows resolve it.
 */
export function deploymentInstant(time: string, basis: DeploymentAssignment['timeBasis'], clientTimeZone: string): Date {
  const m = PATTERN.exec(time);
  if (m === null) throw new Error(`${JSON.stringify(time)} is not a deployment time (YYYY-MM-DDTHH:MM, with Z for UTC)`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const extraMs = Number(m[6] ?? 0) * 1000 + Number((m[7] ?? '0').padEnd(3, '0'));
  const utc = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(utc);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || Number(m[6] ?? 0) > 59 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
    throw new Error(`${JSON.stringify(time)} is not a real date and time`);
  }
  if (basis === 'utc' || m[8] === 'Z') return new Date(utc + extraMs);
  return new Date(instantOf(year, month, day, hour, minute, clientTimeZone).getTime() + extraMs);
}

export interface AssignmentTimes {
  availableAt: Date;
  /** null for an available (optional) deployment. */
  deadlineAt: Date | null;
}

export function assignmentTimes(assignment: Pick<DeploymentAssignment, 'timeBasis' | 'availableAt' | 'deadlineAt'>, clientTimeZone: string): AssignmentTimes {
  return {
    availableAt: deploymentInstant(assignment.availableAt, assignment.timeBasis, clientTimeZone),
    deadlineAt: assignment.deadlineAt === null ? null : deploymentInstant(assignment.deadlineAt, assignment.timeBasis, clientTimeZone),
  };
}
