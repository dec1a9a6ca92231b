import type { DpPackageState, DpPackageStatus } from '@patchday/core';
import { formatBytes } from '../../components/format.ts';
import '../software-updates/software-library.css';

const words: Record<DpPackageState, string> = { pending: 'pending', 'in-progress': 'in progress', installed: 'installed', failed: 'failed' };

/** A package's state on a distribution point, coloured (§6.1). */
export function DpState({ state }: { state: DpPackageState }) {
  return <span className={`lib-state lib-state-${state}`}>{words[state]}</span>;
}

/** "2", or "1 (package: 2)" while the distribution point holds an older content version. */
export function contentVersionText(s: Pick<DpPackageStatus, 'contentVersion' | 'packageContentVersion'>): string {
  return s.contentVersion === s.packageContentVersion ? String(s.contentVersion) : `${s.contentVersion} (package: ${s.packageContentVersion})`;
}

export function bytesText(s: Pick<DpPackageStatus, 'bytesDone' | 'bytesTotal'>): string {
  return s.bytesTotal === 0 ? '—' : `${formatBytes(s.bytesDone)} of ${formatBytes(s.bytesTotal)}`;
}

/** Still moving: worth watching live. */
export const unsettled = (s: Pick<DpPackageStatus, 'state'>) => s.state === 'pending' || s.state === 'in-progress';
