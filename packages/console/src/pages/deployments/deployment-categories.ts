import type { DeploymentCategory, DeploymentCounts } from '@patchday/core';
import { formatTime } from '../../components/format.ts';

/** §9 the five categories of a deployment's members, in the order administrators read them. */
export const categories: ReadonlyArray<{ category: DeploymentCategory; label: string; count: keyof Omit<DeploymentCounts, 'members'>; colour: string }> = [
  { category: 'compliant', label: 'Compliant', count: 'compliant', colour: '#2e7d32' },
  { category: 'in-progress', label: 'In progress', count: 'inProgress', colour: '#1f4e79' },
  { category: 'waiting', label: 'Waiting', count: 'waiting', colour: '#b26a00' },
  { category: 'error', label: 'Error', count: 'error', colour: '#c62828' },
  { category: 'unknown', label: 'Unknown', count: 'unknown', colour: '#9e9e9e' },
];

export const categoryLabel = (category: DeploymentCategory): string => categories.find((c) => c.category === category)?.label ?? category;

export const isCategory = (value: string | null): value is DeploymentCategory => categories.some((c) => c.category === value);

/**
 * A deployment time as stored: UTC ones are instants (shown in UTC like every time of the console),
 * client-local ones wall-clock times each client reads in its own zone.
 */
export function formatDeploymentTime(time: string | null, basis: 'utc' | 'client-local'): string {
  if (time === null) return '—';
  if (basis === 'utc') return formatTime(time);
  return `${time.slice(0, 16).replace('T', ' ')} client local time`;
}
