import { z } from 'zod';

/** §2 classifications, spelled as administrators know them. */
export const classifications = [
  'Critical Updates', 'Definition Updates', 'Feature Packs', 'Security Updates', 'Service Packs',
  'Tools', 'Update Rollups', 'Updates', 'Upgrades',
] as const;
export const Classification = z.enum(classifications);
export type Classification = z.infer<typeof Classification>;

export const severities = ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified'] as const;
export const Severity = z.enum(severities);
export type Severity = z.infer<typeof Severity>;

export const rebootBehaviours = ['never', 'may request', 'always'] as const;
export const RebootBehaviour = z.enum(rebootBehaviours);
export type RebootBehaviour = z.infer<typeof RebootBehaviour>;
