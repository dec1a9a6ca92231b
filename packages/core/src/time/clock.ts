/**
 * Every schedule, TTL, deadline and retry reads time through a Clock, so a test can run
 * a month of virtual time in a second and nothing depends on today's date.
 */
export interface Clock {
  now(): Date;
  /** Runs `fire` once at `at` (or at once if `at` is past). Returns a cancel function. */
  at(at: Date, fire: () => void): () => void;
}

/** The longest delay setTimeout accepts; longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => new Date(),
  at(at, fire) {
    let handle: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const arm = () => {
      const wait = at.getTime() - Date.now();
      if (wait <= 0) {
        handle = setTimeout(() => !cancelled && fire(), 0);
        return;
      }
      handle = setTimeout(arm, Math.min(wait, MAX_TIMEOUT_MS));
      handle.unref?.();
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
    };
  },
};

interface VirtualTimer {
  at: number;
  seq: number;
  fire: () => void;
}

/** A clock that only moves when told to: `advance` fires due timers in time order. */
export class VirtualClock implements Clock {
  private current: number;
  private timers: VirtualTimer[] = [];
  private seq = 0;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new Error(`VirtualClock: invalid start time ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  at(at: Date, fire: () => void): () => void {
    const timer = { at: at.getTime(), seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    this.advanceTo(new Date(this.current + ms));
  }

  advanceTo(target: Date): void {
    const end = target.getTime();
    if (end < this.current) throw new Error('VirtualClock cannot go back in time');
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fire();
    }
    this.current = end;
  }

  /** Timers still waiting, for tests that assert something is scheduled. */
  pending(): Date[] {
    return this.timers.map((t) => new Date(t.at)).sort((a, b) => a.getTime() - b.getTime());
  }
}

/**
 * A clock that starts at `start` and then runs at real speed: a site started for a test or a
 * demonstration lives on the date of its data (e.g. before a snapshot's Valid-Until).
 */
export function startingAt(start: Date): Clock {
  const offset = start.getTime() - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    at: (at, fire) => systemClock.at(new Date(at.getTime() - offset), fire),
  };
}
