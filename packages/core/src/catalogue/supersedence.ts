import { compareDebianVersions } from '../debian/version.ts';

export interface SupersedenceCandidate {
  updateId: string;
  product: string;
  source: string;
  version: string;
  suite: string;
  /** Still published by its upstream. */
  present: boolean;
}

export interface SupersedenceVerdict {
  superseded: boolean;
  supersededBy: string | null;
}

/**
 * §2: within a product, the newest published upload of a source supersedes every older one;
 * an upload the archive dropped stays as history, superseded (by the current one when there is one).
 * Equal versions in two suites are both current: apt treats them as the same candidate.
 */
export function computeSupersedence(candidates: readonly SupersedenceCandidate[]): Map<string, SupersedenceVerdict> {
  const groups = new Map<string, SupersedenceCandidate[]>();
  for (const c of candidates) {
    const key = `${c.product}\0${c.source}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  const verdicts = new Map<string, SupersedenceVerdict>();
  for (const group of groups.values()) {
    let current: SupersedenceCandidate | undefined;
    for (const c of group) {
      if (!c.present) continue;
      const order = current ? compareDebianVersions(c.version, current.version) : 1;
      // Ties go to the later suite name so the choice is the same on every site.
      if (order > 0 || (order === 0 && current && c.suite > current.suite)) current = c;
    }
    for (const c of group) {
      const isCurrent = current !== undefined && c.present && compareDebianVersions(c.version, current.version) === 0;
      if (isCurrent) verdicts.set(c.updateId, { superseded: false, supersededBy: null });
      else {
        const newer = current !== undefined && compareDebianVersions(current.version, c.version) >= 0;
        verdicts.set(c.updateId, { superseded: true, supersededBy: newer && current!.updateId !== c.updateId ? current!.updateId : null });
      }
    }
  }
  return verdicts;
}

/** §12: a superseded update expires `months` after it was superseded (0 = immediately). */
export function isExpired(supersededAt: Date, now: Date, months: number): boolean {
  const expiry = new Date(supersededAt);
  expiry.setUTCMonth(expiry.getUTCMonth() + months);
  return expiry.getTime() <= now.getTime();
}
