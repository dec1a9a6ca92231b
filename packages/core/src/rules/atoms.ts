import { ruleBoundsProblem } from './rule.ts';

/**
 * What a set of rules can read from an inventory, found by walking them the way
 * {@link evaluateRule} does.
 *
 * `osAndDpkgOnly` is true when every node is `and`/`or`/`not` over well-formed `os` and `dpkg`
 * conditions. Such rules read nothing but the inventory's `os` (family, versionId, architecture),
 * whether it has a dpkg database at all, and the stanzas of the packages in `dpkgPackages`: two
 * inventories that agree on those get the same answer. That is what lets a site evaluate one update
 * over a whole fleet by looking only at the inventories that have one of the named packages, and
 * once per distinct os for all the others.
 *
 * Anything else — `file`, `command`, `fact`, an unknown kind, a malformed node, a rule beyond the
 * bounds — makes `osAndDpkgOnly` false: the caller must evaluate on full inventories.
 */
export interface RuleReads {
  osAndDpkgOnly: boolean;
  /** Names of the dpkg packages the rules' `dpkg` conditions name (complete only when osAndDpkgOnly). */
  dpkgPackages: Set<string>;
  /** Condition kinds met (`os`, `dpkg`, `file`, …), for diagnostics. */
  kinds: Set<string>;
}

export function ruleReadsOf(rules: readonly unknown[]): RuleReads {
  const reads: RuleReads = { osAndDpkgOnly: true, dpkgPackages: new Set(), kinds: new Set() };
  for (const rule of rules) {
    if (ruleBoundsProblem(rule) !== undefined) {
      reads.osAndDpkgOnly = false;
      continue;
    }
    const stack: unknown[] = [rule];
    while (stack.length > 0) {
      const node = stack.pop();
      if (typeof node !== 'object' || node === null || Array.isArray(node)) {
        reads.osAndDpkgOnly = false;
        continue;
      }
      const keys = Object.keys(node);
      if (keys.length !== 1) {
        reads.osAndDpkgOnly = false;
        continue;
      }
      const kind = keys[0];
      const body = (node as Record<string, unknown>)[kind];
      if (kind === 'and' || kind === 'or') {
        if (Array.isArray(body)) stack.push(...body);
        else reads.osAndDpkgOnly = false;
        continue;
      }
      if (kind === 'not') {
        stack.push(body);
        continue;
      }
      reads.kinds.add(kind);
      if (kind === 'os' && typeof body === 'object' && body !== null && !Array.isArray(body)) continue;
      if (kind === 'dpkg' && typeof body === 'object' && body !== null && typeof (body as { package?: unknown }).package === 'string') {
        reads.dpkgPackages.add((body as { package: string }).package);
        continue;
      }
      reads.osAndDpkgOnly = false;
    }
  }
  return reads;
}
