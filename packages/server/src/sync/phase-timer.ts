/** Milliseconds per phase of a sync step, for the `suite read` log line operators tune by. */
export function phaseTimer(): { timings: Record<string, number>; lap(phase: string): void } {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  return {
    timings,
    lap(phase) {
      const now = performance.now();
      timings[phase] = (timings[phase] ?? 0) + Math.round(now - mark);
      mark = now;
    },
  };
}
