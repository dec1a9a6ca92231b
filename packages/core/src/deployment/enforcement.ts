import type { AssignedUpdate, DeploymentAssignment } from '../api/assignments.ts';
import type { DetectionState } from '../compliance/applicability.ts';
import type { AssignmentTimes } from './deployment-time.ts';
import { installSlot, type MaintenanceWindow } from './maintenance-window.ts';

/** What an assignment is waiting for, as `patchday agent status` shows it. */
export type EnforcementWait = 'nothing' | 'report only' | 'user' | 'available time' | 'deadline' | 'maintenance window';

export interface EnforcementInput {
  assignment: DeploymentAssignment;
  times: AssignmentTimes;
  now: Date;
  clientTimeZone: string;
  /** The union of the client's windows (§6.8); none means no restriction. */
  windows: readonly MaintenanceWindow[];
  /**
   * Updates of the assignment that still have to be installed: Required by the last scan, not
   * already waiting for a restart, and not failed since the last re-evaluation.
   */
  toInstall: ReadonlySet<string>;
  /** The user asked to install it now (`patchday agent install`). */
  userRequested: boolean;
}

export interface EnforcementPlan {
  /** Fetch the files of the updates still to install into the cache now. */
  download: boolean;
  /** Updates that may start installing now, in the assignment's order. */
  install: AssignedUpdate[];
  /** Updates held back until a maintenance window leaves them enough time. */
  waitingForWindow: AssignedUpdate[];
  waitingFor: EnforcementWait;
  /** When to look at the assignment again; null when only a change (policy, user, scan) can move it. */
  wakeAt: Date | null;
  /** Why it cannot go on by itself (no window long enough); null when nothing is wrong. */
  problem: string | null;
}

const nothing = (waitingFor: EnforcementWait): EnforcementPlan => ({ download: false, install: [], waitingForWindow: [], waitingFor, wakeAt: null, problem: null });

/**
 * §6.4/§6.8 what to do with one assignment now. A required deployment downloads at once, installs
 * nothing before its deadline (earlier only when the user asks, from the available time on), and
 * at the deadline installs each update whose maximum run time fits in what is left of a
 * maintenance window — or at once when it may install outside windows or the client has none.
 * An available deployment does nothing until the user asks. A user's install is not held by
 * maintenance windows: the user chose the moment.
 */
export function planAssignment(input: EnforcementInput): EnforcementPlan {
  const { assignment, times, now } = input;
  if (assignment.reportOnly) return nothing('report only');
  const pending = assignment.updates.filter((u) => input.toInstall.has(u.updateId));
  if (pending.length === 0) return nothing('nothing');
  const available = now >= times.availableAt;
  const required = assignment.purpose === 'required';

  if (input.userRequested && available) return { download: true, install: pending, waitingForWindow: [], waitingFor: 'nothing', wakeAt: null, problem: null };
  if (!required) return input.userRequested ? { ...nothing('available time'), wakeAt: times.availableAt } : nothing('user');
  if (times.deadlineAt === null || now < times.deadlineAt) {
    return { download: true, install: [], waitingForWindow: [], waitingFor: available ? 'deadline' : 'available time', wakeAt: times.deadlineAt, problem: null };
  }

  if (assignment.installOutsideWindows) return { download: true, install: pending, waitingForWindow: [], waitingFor: 'nothing', wakeAt: null, problem: null };
  const install: AssignedUpdate[] = [];
  const waiting: AssignedUpdate[] = [];
  let wakeAt: Date | null = null;
  const tooLong: number[] = [];
  for (const update of pending) {
    const slot = installSlot(input.windows, now, update.maxRunMinutes, input.clientTimeZone);
    if (slot.canStart) {
      install.push(update);
      continue;
    }
    waiting.push(update);
    if (slot.nextStart === null) tooLong.push(update.maxRunMinutes);
    else if (wakeAt === null || slot.nextStart < wakeAt) wakeAt = slot.nextStart;
  }
  const problem = tooLong.length > 0 ? `no maintenance window of this client is long enough for a maximum run time of ${Math.max(...tooLong)} minutes` : null;
  return { download: true, install, waitingForWindow: waiting, waitingFor: waiting.length > 0 && install.length === 0 ? 'maintenance window' : 'nothing', wakeAt, problem };
}

/**
 * Whether an update of the plan may still start now: installs run one after the other, and the
 * time each takes eats into the window the next one needs.
 */
export function mayStartNow(input: Omit<EnforcementInput, 'toInstall' | 'times'>, update: AssignedUpdate): boolean {
  if (input.userRequested || input.assignment.installOutsideWindows) return true;
  return installSlot(input.windows, input.now, update.maxRunMinutes, input.clientTimeZone).canStart;
}

/**
 * §5 topic 300: compliant when every update of the deployment is Installed or Not Required and
 * none is still being done — waiting for its restart (which still counts as Required), or with
 * packages a failed run left half-configured.
 */
export function isCompliant(updates: readonly AssignedUpdate[], states: ReadonlyMap<string, DetectionState>, notDone: ReadonlySet<string>): boolean {
  return updates.every((u) => {
    const state = states.get(u.updateId);
    return (state === 'Installed' || state === 'Not Required') && !notDone.has(u.updateId);
  });
}
