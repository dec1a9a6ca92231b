import { scanStateNames, type Client } from '@patchday/core';
import { formatTime } from '../../components/format.ts';

/** `complete, 2026-11-25 09:00 UTC`, or the failure in the agent's words. */
export function scanText(scan: Client['lastScan']): string {
  if (!scan) return 'never';
  const state = scanStateNames[scan.stateId] ?? `state ${scan.stateId}`;
  return `${state}, ${formatTime(scan.at)}${scan.error ? `: ${scan.error}` : ''}`;
}
