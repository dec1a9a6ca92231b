import type { RestartSuppression } from '../api/assignments.ts';
import type { ClientSettings } from '../api/clients.ts';
import { installSlot, type MaintenanceWindow } from './maintenance-window.ts';

const MINUTE = 60_000;
/** §12: the countdown after the deadline is at most 14 days. */
const MAX_COUNTDOWN_MINUTES = 14 * 24 * 60;
/** A restart needs this much of a maintenance window left to start in it. */
export const RESTART_MINUTES = 5;

/** Servers and workstations are treated apart by a deployment's restart suppression (§6.5). */
export type MachineRole = 'server' | 'workstation';

export function restartSuppressed(suppression: RestartSuppression, role: MachineRole): boolean {
  return suppression === 'both' || (suppression === 'servers' && role === 'server') || (suppression === 'workstations' && role === 'workstation');
}

/** One deployment whose installs left the machine needing a restart. */
export interface RestartNeed {
  deploymentId: string;
  /** When its (last) install that needs the restart finished. */
  installedAt: Date;
  /** Its deadline; null for an available deployment. */
  deadlineAt: Date | null;
  /** A required deployment whose restart is not suppressed for this machine restarts it itself. */
  automatic: boolean;
  restartOutsideWindows: boolean;
}

export type RestartSettings = Pick<ClientSettings, 'restartCountdownMinutes' | 'restartFinalCountdownMinutes' | 'restartReminderMinutes'>;

export interface RestartPlan {
  /** When the agent restarts the machine; null when no deployment restarts it by itself. */
  restartAt: Date | null;
  /** When the countdown the user sees begins, and when its last part (not dismissable) begins. */
  countdownFrom: Date | null;
  finalCountdownFrom: Date | null;
  /** The restart was moved to the start of a maintenance window. */
  heldForWindow: boolean;
  /** The deployments whose restart it is. */
  deploymentIds: string[];
}

const countdownMinutes = (settings: RestartSettings) => Math.min(Math.max(0, settings.restartCountdownMinutes), MAX_COUNTDOWN_MINUTES);

/**
 * §6.5 when the machine restarts. Each automatic deployment restarts it a countdown after its
 * deadline, or after its install when that came later: an install before the deadline does not
 * restart the machine before the deadline. Without permission to restart outside maintenance
 * windows, the restart moves to the next window. The earliest of them wins (one restart serves
 * every deployment waiting for it).
 */
export function planRestart(needs: readonly RestartNeed[], settings: RestartSettings, windows: readonly MaintenanceWindow[], clientTimeZone: string): RestartPlan {
  const countdown = countdownMinutes(settings) * MINUTE;
  const candidates: Array<{ at: Date; held: boolean; deploymentId: string }> = [];
  for (const need of needs) {
    if (!need.automatic) continue;
    const start = need.deadlineAt && need.deadlineAt > need.installedAt ? need.deadlineAt : need.installedAt;
    let at = new Date(start.getTime() + countdown);
    let held = false;
    if (!need.restartOutsideWindows) {
      const slot = installSlot(windows, at, RESTART_MINUTES, clientTimeZone);
      if (!slot.canStart) {
        if (slot.nextStart === null) continue;
        at = slot.nextStart;
        held = true;
      }
    }
    candidates.push({ at, held, deploymentId: need.deploymentId });
  }
  if (candidates.length === 0) return { restartAt: null, countdownFrom: null, finalCountdownFrom: null, heldForWindow: false, deploymentIds: [] };
  const best = candidates.reduce((a, b) => (b.at < a.at ? b : a));
  const deploymentIds = [...new Set(candidates.map((c) => c.deploymentId))];
  const final = Math.min(Math.max(0, settings.restartFinalCountdownMinutes) * MINUTE, countdown);
  return {
    restartAt: best.at,
    countdownFrom: new Date(best.at.getTime() - countdown),
    finalCountdownFrom: new Date(best.at.getTime() - final),
    heldForWindow: best.held,
    deploymentIds,
  };
}

/**
 * The moments the user is told about the coming restart: when the countdown begins, every
 * reminder interval after that, and when the final countdown begins.
 */
export function restartAnnouncements(plan: RestartPlan, settings: RestartSettings): Date[] {
  if (plan.countdownFrom === null || plan.finalCountdownFrom === null) return [];
  const out: Date[] = [plan.countdownFrom];
  const every = Math.max(1, settings.restartReminderMinutes) * MINUTE;
  for (let t = plan.countdownFrom.getTime() + every; t < plan.finalCountdownFrom.getTime(); t += every) out.push(new Date(t));
  if (plan.finalCountdownFrom.getTime() > plan.countdownFrom.getTime()) out.push(plan.finalCountdownFrom);
  return out;
}

export interface RestartCountdown {
  phase: 'not scheduled' | 'scheduled' | 'countdown' | 'final countdown' | 'due';
  /** The user may dismiss the notice until the final countdown. */
  dismissable: boolean;
  minutesLeft: number | null;
  /** The announcement to make now (the latest one due and not made yet), or null. */
  announce: Date | null;
  /** When something next happens: an announcement or the restart itself. */
  nextAt: Date | null;
}

/** Where the countdown stands at `now`, given the last announcement already made. */
export function restartCountdown(plan: RestartPlan, settings: RestartSettings, now: Date, lastAnnouncedAt: Date | null): RestartCountdown {
  if (plan.restartAt === null) return { phase: 'not scheduled', dismissable: true, minutesLeft: null, announce: null, nextAt: null };
  const minutesLeft = Math.max(0, Math.ceil((plan.restartAt.getTime() - now.getTime()) / MINUTE));
  if (now >= plan.restartAt) return { phase: 'due', dismissable: false, minutesLeft: 0, announce: null, nextAt: plan.restartAt };
  const times = restartAnnouncements(plan, settings);
  let announce: Date | null = null;
  for (const t of times) if (t <= now && (lastAnnouncedAt === null || t > lastAnnouncedAt)) announce = t;
  const next = times.find((t) => t > now) ?? plan.restartAt;
  const phase = now < plan.countdownFrom! ? 'scheduled' : now < plan.finalCountdownFrom! ? 'countdown' : 'final countdown';
  return { phase, dismissable: phase !== 'final countdown', minutesLeft, announce, nextAt: next < plan.restartAt ? next : plan.restartAt };
}
