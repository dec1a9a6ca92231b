import { z } from 'zod';
import { classifications, rebootBehaviours, severities } from './vocabulary.ts';

export const Classification = z.enum(classifications);
export type Classification = z.infer<typeof Classification>;

export const Severity = z.enum(severities);
export type Severity = z.infer<typeof Severity>;

export const RebootBehaviour = z.enum(rebootBehaviours);
export type RebootBehaviour = z.infer<typeof RebootBehaviour>;
