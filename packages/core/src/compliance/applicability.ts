import { z } from 'zod';
import type { Inventory } from '../inventory/inventory.ts';
import { ApplicabilityRule } from '../rules/rule.ts';
import { evaluateRule } from '../rules/evaluate.ts';

/** §2/§4: the three rules every update carries. */
export const UpdateApplicability = z.strictObject({
  /** Whether the update is meant for this kind of machine at all. */
  prerequisites: ApplicabilityRule,
  /** Whether installing it would change something. */
  isInstallable: ApplicabilityRule,
  /** Whether it is already in place. */
  isInstalled: ApplicabilityRule,
});
export type UpdateApplicability = z.infer<typeof UpdateApplicability>;

export const detectionStates = ['Unknown', 'Not Required', 'Required', 'Installed'] as const;
/** §4 compliance of one update on one client. */
export const DetectionState = z.enum(detectionStates);
export type DetectionState = z.infer<typeof DetectionState>;

/** §5: per-update detection state messages. */
export const DETECTION_TOPIC = 500;

/** §5 topic 500 state ids, numbered as administrators know them. */
export const detectionStateIds = {
  Unknown: 0,
  'Not Required': 1,
  Required: 2,
  Installed: 3,
} as const satisfies Record<DetectionState, number>;

export function detectionStateOfId(id: number): DetectionState | undefined {
  return detectionStates.find((state) => detectionStateIds[state] === id);
}

/**
 * §4: prerequisites false → Not Required; is-installed true → Installed; installable and not
 * installed → Required; not installable and not installed → Not Required. Wherever an unknown
 * could change that answer the state is Unknown: an unknown is-installed could hide Installed
 * behind any other state, so it always leaves the update Unknown.
 */
export function evaluateUpdate(rules: UpdateApplicability, inventory: Inventory): DetectionState {
  const prerequisites = evaluateRule(rules.prerequisites, inventory);
  if (prerequisites === 'false') return 'Not Required';
  if (prerequisites === 'unknown') return 'Unknown';
  const installed = evaluateRule(rules.isInstalled, inventory);
  if (installed === 'true') return 'Installed';
  if (installed === 'unknown') return 'Unknown';
  const installable = evaluateRule(rules.isInstallable, inventory);
  if (installable === 'true') return 'Required';
  if (installable === 'false') return 'Not Required';
  return 'Unknown';
}
