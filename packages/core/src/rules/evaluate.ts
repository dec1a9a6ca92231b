import { compareDebianVersions, isValidDebianVersion } from '../debian/version.ts';
import { architectureMatches, commandKey, dpkgStanzasOf, type Inventory, isInstalledStatus } from '../inventory/inventory.ts';
import { type ApplicabilityRule, ruleBoundsProblem } from './rule.ts';
import type { CommandCondition, DpkgCondition, FactCondition, FileCondition, OsCondition, VersionOperator } from './rule.ts';

/** Kleene's three values: a rule over what the inventory does not say is unknown, never true. */
export type Truth = 'true' | 'false' | 'unknown';

export function and3(a: Truth, b: Truth): Truth {
  if (a === 'false' || b === 'false') return 'false';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'true';
}

export function or3(a: Truth, b: Truth): Truth {
  if (a === 'true' || b === 'true') return 'true';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'false';
}

export function not3(a: Truth): Truth {
  return a === 'true' ? 'false' : a === 'false' ? 'true' : 'unknown';
}

function truth(value: boolean | undefined): Truth {
  return value === undefined ? 'unknown' : value ? 'true' : 'false';
}

// Rules already found within bounds: the server evaluates one rule against every client's
// inventory, and an agent one rule per scan, so the walk is paid once per rule object.
const withinBounds = new WeakSet<object>();

/**
 * Evaluates `rule` against a machine's inventory. Conditions the inventory cannot answer
 * (data not collected, an unknown condition kind, a version dpkg would refuse, a command
 * that has not run, anything malformed) are unknown. A rule beyond the bounds of
 * {@link ApplicabilityRule} is unknown as a whole, so rules that were never validated cost
 * bounded time too.
 *
 * Treat rules and inventories as immutable once evaluated: what was learnt about them is kept.
 */
export function evaluateRule(rule: ApplicabilityRule, inventory: Inventory): Truth {
  if (typeof rule !== 'object' || rule === null) return 'unknown';
  if (!withinBounds.has(rule)) {
    if (ruleBoundsProblem(rule) !== undefined) return 'unknown';
    withinBounds.add(rule);
  }
  const visit = (node: unknown): Truth => {
    if (typeof node !== 'object' || node === null) return 'unknown';
    const r = node as Record<string, unknown>;
    // Two kinds in one node (or none) say two things at once: neither is the rule.
    let keys = 0;
    for (const key in r) if (Object.hasOwn(r, key) && ++keys > 1) return 'unknown';
    if (Array.isArray(r.and)) {
      let result: Truth = 'true';
      for (const child of r.and) {
        const value = visit(child);
        if (value === 'false') return 'false';
        if (value === 'unknown') result = 'unknown';
      }
      return result;
    }
    if (Array.isArray(r.or)) {
      let result: Truth = 'false';
      for (const child of r.or) {
        const value = visit(child);
        if (value === 'true') return 'true';
        if (value === 'unknown') result = 'unknown';
      }
      return result;
    }
    if (Object.hasOwn(r, 'not')) return not3(visit(r.not));
    return evaluateCondition(r, inventory);
  };
  return visit(rule);
}

function evaluateCondition(r: Record<string, unknown>, inventory: Inventory): Truth {
  // Each reader meets data that skipped validation (an agent may evaluate a rule as it came);
  // a malformed condition makes a TypeError, and that is as unknown as a missing fact.
  try {
    if (isObject(r.os)) return osCondition(r.os as OsCondition, inventory);
    if (isObject(r.dpkg)) return dpkgCondition(r.dpkg as DpkgCondition, inventory);
    if (isObject(r.file)) return fileCondition(r.file as FileCondition, inventory);
    if (isObject(r.command)) return commandCondition(r.command as CommandCondition, inventory);
    if (isObject(r.fact)) return factCondition(r.fact as FactCondition, inventory);
  } catch (error) {
    if (error instanceof TypeError) return 'unknown';
    throw error;
  }
  return 'unknown';
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equalOrUnknown(actual: string | null | undefined, wanted: string): Truth {
  return actual === null || actual === undefined ? 'unknown' : truth(actual === wanted);
}

function osCondition(c: OsCondition, inventory: Inventory): Truth {
  const os = inventory.os;
  let result: Truth = 'true';
  if (c.family !== undefined) result = and3(result, equalOrUnknown(os?.family, c.family));
  if (c.versionId !== undefined) result = and3(result, equalOrUnknown(os?.versionId, c.versionId));
  if (c.architecture !== undefined) result = and3(result, equalOrUnknown(os?.architecture, c.architecture));
  if (c.versionRange !== undefined) {
    const { min, max } = c.versionRange;
    const version = os?.versionId;
    if (version === null || version === undefined || !isValidDebianVersion(version)) return and3(result, 'unknown');
    if (min !== undefined) result = and3(result, isValidDebianVersion(min) ? truth(compareDebianVersions(version, min) >= 0) : 'unknown');
    if (max !== undefined) result = and3(result, isValidDebianVersion(max) ? truth(compareDebianVersions(version, max) <= 0) : 'unknown');
  }
  return result;
}

function satisfies(installed: string, op: VersionOperator, value: string): boolean | undefined {
  const order = compareDebianVersions(installed, value);
  switch (op) {
    case 'lt': return order < 0;
    case 'le': return order <= 0;
    case 'eq': return order === 0;
    case 'ge': return order >= 0;
    case 'gt': return order > 0;
    default: return undefined;
  }
}

function dpkgCondition(c: DpkgCondition, inventory: Inventory): Truth {
  if (inventory.dpkg === null || inventory.dpkg === undefined) return 'unknown';
  if (c.version !== undefined && !isValidDebianVersion(c.version.value)) return 'unknown';
  const native = inventory.os?.architecture ?? null;
  // True when some stanza of the package is installed (for the architecture) and satisfies
  // the version; one stanza that might be is enough to make the answer unknown rather than false.
  let found: Truth = 'false';
  for (const p of dpkgStanzasOf(inventory.dpkg, c.package)) {
    let here = truth(isInstalledStatus(p.status));
    if (c.architecture !== undefined) here = and3(here, truth(architectureMatches(p.architecture, c.architecture, native)));
    if (c.version !== undefined && here !== 'false') {
      const versionOk = p.version !== null && isValidDebianVersion(p.version) ? satisfies(p.version, c.version.op, c.version.value) : undefined;
      here = and3(here, truth(versionOk));
    }
    found = or3(found, here);
    if (found === 'true') break;
  }
  if (c.installed === false) return c.version === undefined ? not3(found) : 'unknown';
  return found;
}

function fileCondition(c: FileCondition, inventory: Inventory): Truth {
  const files = inventory.files;
  if (files === undefined || !Object.hasOwn(files, c.path)) return 'unknown';
  const file = files[c.path];
  const exists = c.exists ?? true;
  if (file === null) return truth(!exists);
  if (!exists) return 'false';
  let result: Truth = 'true';
  if (c.size !== undefined) result = and3(result, truth(file.size === c.size));
  if (c.sha256 !== undefined) result = and3(result, file.sha256 === undefined ? 'unknown' : truth(file.sha256 === c.sha256.toLowerCase()));
  return result;
}

function commandCondition(c: CommandCondition, inventory: Inventory): Truth {
  const results = inventory.commandResults;
  if (results === undefined || !Array.isArray(c.argv)) return 'unknown';
  const key = commandKey(c.argv);
  if (!Object.hasOwn(results, key)) return 'unknown';
  const { exitCode } = results[key];
  if (exitCode === null) return 'unknown';
  return truth(exitCode === (c.exitCode ?? 0));
}

function factCondition(c: FactCondition, inventory: Inventory): Truth {
  const facts = inventory.facts;
  if (facts === undefined || !Object.hasOwn(facts, c.key)) return 'unknown';
  const value = facts[c.key];
  let result: Truth = 'true';
  if (c.equals !== undefined) result = and3(result, truth(value === c.equals));
  if (c.matches !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(c.matches, 'u');
    } catch {
      return and3(result, 'unknown');
    }
    result = and3(result, truth(pattern.test(value)));
  }
  return result;
}
