import type { StateCounts } from '@patchday/core';
import { formatNumber } from './format.ts';

/** The four §4 states in the order administrators read them, with their colours (styles.css). */
export const detectionStates = ['Required', 'Installed', 'Not Required', 'Unknown'] as const;
export const stateClass = (state: (typeof detectionStates)[number]) => `state-${state.toLowerCase().replace(' ', '-')}`;

/** One thin stacked bar of a state count split, with its numbers for screen readers and tooltips. */
export function StateCountsBar({ counts }: { counts: StateCounts }) {
  const total = detectionStates.reduce((sum, s) => sum + counts[s], 0);
  const label = detectionStates.map((s) => `${s} ${formatNumber(counts[s])}`).join(', ');
  return (
    <span className="counts-bar" role="img" aria-label={label} title={label}>
      {total > 0 &&
        detectionStates.map((s) => (counts[s] > 0 ? <span key={s} className={stateClass(s)} style={{ width: `${(100 * counts[s]) / total}%` }} /> : null))}
    </span>
  );
}
