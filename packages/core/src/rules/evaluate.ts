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

type Evaluator = (inventory: Inventory) => Truth;

const unknown: Evaluator = () => 'unknown';

// Each rule object is checked against the bounds and turned into a tree of small functions once:
// the server evaluates one rule against every client's inventory, and an agent tens of thousands
// of rules per scan, scan after scan.
const compiled = new WeakMap<object, Evaluator>();

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
  let evaluator = compiled.get(rule);
  if (evaluator === undefined) {
    evaluator = ruleBoundsProblem(rule) === undefined ? compile(rule) : unknown;
    compiled.set(rule, evaluator);
  }
  return evaluator(inventory);
}

/** Only called on rules within bounds, so the recursion is at most MAX_RULE_DEPTH deep. */
function compile(node: unknown): Evaluator {
  if (typeof node !== 'object' || node === null) return unknown;
  const r = node as Record<string, unknown>;
  // Two kinds in one node (or none) say two things at once: neither is the rule.
  let keys = 0;
  for (const key in r) if (Object.hasOwn(r, key) && ++keys > 1) return unknown;
  if (Array.isArray(r.and)) {
    const parts = r.and.map(compile);
    return (inventory) => {
      let result: Truth = 'true';
      for (const part of parts) {
        const value = part(inventory);
        if (value === 'false') return 'false';
        if (value === 'unknown') result = 'unknown';
      }
      return result;
    };
  }
  if (Array.isArray(r.or)) {
    const parts = r.or.map(compile);
    return (inventory) => {
      let result: Truth = 'false';
      for (const part of parts) {
        const value = part(inventory);
        if (value === 'true') return 'true';
        if (value === 'unknown') result = 'unknown';
      }
      return result;
    };
  }
  if (Object.hasOwn(r, 'not')) {
    const inner = compile(r.not);
    return (inventory) => not3(inner(inventory));
  }
  return compileCondition(r);
}

function compileCondition(r: Record<string, unknown>): Evaluator {
  // An agent may evaluate a rule as it came, unvalidated: a condition whose fields are not
  // what its kind needs is as unknown as a kind this version does not know.
  if (Object.hasOwn(r, 'os')) return isOsCondition(r.os) ? osEvaluator(r.os) : unknown;
  if (Object.hasOwn(r, 'dpkg')) return isDpkgCondition(r.dpkg) ? dpkgEvaluator(r.dpkg) : unknown;
  if (Object.hasOwn(r, 'file')) return isFileCondition(r.file) ? fileEvaluator(r.file) : unknown;
  if (Object.hasOwn(r, 'command')) return isCommandCondition(r.command) ? commandEvaluator(r.command) : unknown;
  if (Object.hasOwn(r, 'fact')) return isFactCondition(r.fact) ? factEvaluator(r.fact) : unknown;
  return unknown;
}

const osEvaluator = (c: OsCondition): Evaluator => (inventory) => osCondition(c, inventory);
const fileEvaluator = (c: FileCondition): Evaluator => (inventory) => fileCondition(c, inventory);
const commandEvaluator = (c: CommandCondition): Evaluator => (inventory) => commandCondition(c, inventory);
const factEvaluator = (c: FactCondition): Evaluator => (inventory) => factCondition(c, inventory);
function dpkgEvaluator(c: DpkgCondition): Evaluator {
  // A version dpkg would refuse makes the condition unknown on every machine: decided once.
  if (c.version !== undefined && !isValidDebianVersion(c.version.value)) return unknown;
  return (inventory) => dpkgCondition(c, inventory);
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optional = (value: unknown, type: 'string' | 'boolean' | 'number') => value === undefined || typeof value === type;

function isOsCondition(c: unknown): c is OsCondition {
  if (!isFields(c) || !optional(c.family, 'string') || !optional(c.versionId, 'string') || !optional(c.architecture, 'string')) return false;
  if (c.versionRange !== undefined) {
    const range = c.versionRange;
    if (!isFields(range) || !optional(range.min, 'string') || !optional(range.max, 'string') || (range.min === undefined && range.max === undefined)) return false;
  }
  return c.family !== undefined || c.versionId !== undefined || c.architecture !== undefined || c.versionRange !== undefined;
}

const operators: ReadonlySet<unknown> = new Set(['lt', 'le', 'eq', 'ge', 'gt']);

function isDpkgCondition(c: unknown): c is DpkgCondition {
  if (!isFields(c) || typeof c.package !== 'string' || !optional(c.architecture, 'string') || !optional(c.installed, 'boolean')) return false;
  return c.version === undefined || (isFields(c.version) && operators.has(c.version.op) && typeof c.version.value === 'string');
}

function isFileCondition(c: unknown): c is FileCondition {
  return isFields(c) && typeof c.path === 'string' && optional(c.exists, 'boolean') && optional(c.sha256, 'string') && optional(c.size, 'number');
}

function isCommandCondition(c: unknown): c is CommandCondition {
  return isFields(c) && Array.isArray(c.argv) && c.argv.every((a) => typeof a === 'string') && optional(c.exitCode, 'number');
}

function isFactCondition(c: unknown): c is FactCondition {
  return isFields(c) && typeof c.key === 'string' && optional(c.equals, 'string') && optional(c.matches, 'string') && (c.equals !== undefined || c.matches !== undefined);
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

function satisfies(installed: string, op: VersionOperator, value: string): boolean {
  const order = compareDebianVersions(installed, value);
  switch (op) {
    case 'lt': return order < 0;
    case 'le': return order <= 0;
    case 'eq': return order === 0;
    case 'ge': return order >= 0;
    case 'gt': return order > 0;
  }
}

function dpkgCondition(c: DpkgCondition, inventory: Inventory): Truth {
  if (inventory.dpkg === null || inventory.dpkg === undefined) return 'unknown';
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
  if (results === undefined) return 'unknown';
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
