import { z } from 'zod';
import { isPackageName } from '../debian/packages-index.ts';
import { isValidDebianVersion } from '../debian/version.ts';

/**
 * §4 applicability rules: a small declarative language in JSON. Rules arrive from the
 * catalogue and from publishers, so every rule is bounded before anything walks it
 * recursively: an agent must never spend unbounded time or stack on one update.
 */
export const MAX_RULE_DEPTH = 32;
export const MAX_RULE_NODES = 10_000;

// dpkg architecture names (`amd64`, `all`, `musl-linux-arm64`, …).
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;

const Architecture = z.string().max(64).regex(ARCHITECTURE, 'an architecture is a dpkg architecture name such as amd64 or all');

const DebianVersionText = z
  .string()
  .max(256)
  .refine(isValidDebianVersion, { error: (issue) => `${JSON.stringify(issue.input)} is not a version dpkg accepts` });

const PackageName = z
  .string()
  .max(256)
  .refine(isPackageName, { error: (issue) => `${JSON.stringify(issue.input)} is not a Debian package name` });

/** Matches the machine's operating system; every field given must hold. */
export const OsCondition = z
  .strictObject({
    /** os-release `ID` (`debian`); a derivative's `ID_LIKE` does not count, its packages differ. */
    family: z.string().min(1).max(64).optional(),
    /** os-release `VERSION_ID`, compared as text (`12`). */
    versionId: z.string().min(1).max(64).optional(),
    /** Inclusive bounds on `VERSION_ID`, in dpkg version order (so `22.04` < `22.10` < `24.04`). */
    versionRange: z
      .strictObject({ min: DebianVersionText.optional(), max: DebianVersionText.optional() })
      .refine((r) => r.min !== undefined || r.max !== undefined, 'a version range needs min, max or both')
      .optional(),
    /** The dpkg architecture of the machine (`dpkg --print-architecture`). */
    architecture: Architecture.optional(),
  })
  .refine(
    (c) => c.family !== undefined || c.versionId !== undefined || c.versionRange !== undefined || c.architecture !== undefined,
    'an os condition needs at least one of family, versionId, versionRange, architecture',
  );
export type OsCondition = z.infer<typeof OsCondition>;

export const versionOperators = ['lt', 'le', 'eq', 'ge', 'gt'] as const;
/** `dpkg --compare-versions` operators, applied as `<installed> op <value>`. */
export const VersionOperator = z.enum(versionOperators);
export type VersionOperator = z.infer<typeof VersionOperator>;

/**
 * A dpkg package on the machine. True when an instance of the package is installed (for
 * `architecture`, when given) whose version satisfies `version`; with `installed: false`,
 * true when no such instance is installed. `Architecture: all` packages count as the
 * machine's native architecture, as apt sees them.
 */
export const DpkgCondition = z
  .strictObject({
    package: PackageName,
    architecture: Architecture.optional(),
    installed: z.boolean().optional(),
    version: z.strictObject({ op: VersionOperator, value: DebianVersionText }).optional(),
  })
  .refine((c) => !(c.installed === false && c.version !== undefined), 'a version comparison needs an installed package, not installed: false');
export type DpkgCondition = z.infer<typeof DpkgCondition>;

const AbsolutePath = z
  .string()
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0') && !p.split('/').includes('..'), 'a path must be absolute, without NUL or ".." segments');

/** A file on the machine: exists (the default), and when given, its sha256 and size. */
export const FileCondition = z
  .strictObject({
    path: AbsolutePath,
    exists: z.boolean().optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits').optional(),
    size: z.number().int().nonnegative().optional(),
  })
  .refine((c) => !(c.exists === false && (c.sha256 !== undefined || c.size !== undefined)), 'a file that must not exist has no sha256 or size');
export type FileCondition = z.infer<typeof FileCondition>;

/**
 * A command's exit code. Only for published updates the administrator trusts: running it is
 * the agent's business, so rule evaluation only reads a result the agent already recorded.
 */
export const CommandCondition = z.strictObject({
  argv: z
    .array(z.string().max(4096).refine((a) => !a.includes('\0'), 'an argument cannot contain NUL'))
    .min(1)
    .max(64)
    .refine((argv) => argv[0] !== '', 'the program to run cannot be empty'),
  timeoutSeconds: z.number().int().min(1).max(3600),
  /** The exit code that makes the condition true; 0 when absent. */
  exitCode: z.number().int().min(0).max(255).optional(),
});
export type CommandCondition = z.infer<typeof CommandCondition>;

/**
 * An inventory fact. `matches` is a JavaScript (`u`-flag) regular expression searched in the
 * value, so anchor it (`^…$`) to match the whole value. Patterns and fact values are both
 * short (1,024 and 4,096 characters), which keeps a careless pattern's backtracking small.
 */
export const FactCondition = z
  .strictObject({
    key: z.string().min(1).max(256),
    equals: z.string().max(4096).optional(),
    matches: z
      .string()
      .max(1024)
      .refine((source) => compiles(source), { error: (issue) => `${JSON.stringify(issue.input)} is not a valid regular expression` })
      .optional(),
  })
  .refine((c) => c.equals !== undefined || c.matches !== undefined, 'a fact condition needs equals, matches or both');
export type FactCondition = z.infer<typeof FactCondition>;

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const conditionSchemas = {
  os: OsCondition,
  dpkg: DpkgCondition,
  file: FileCondition,
  command: CommandCondition,
  fact: FactCondition,
} as const;

export const ruleKinds = ['and', 'or', 'not', ...Object.keys(conditionSchemas)] as ReadonlyArray<string>;

/**
 * The typed shape of a rule. On its own a union only reports "Invalid input" for a bad leaf
 * deep in a rule, and would recurse without limit: {@link ApplicabilityRule} checks bounds
 * and shape first, with messages that name the offending spot, and only then lets this type it.
 */
const RuleShape = z.union([
  z.strictObject({
    get and() {
      return z.array(RuleShape);
    },
  }),
  z.strictObject({
    get or() {
      return z.array(RuleShape);
    },
  }),
  z.strictObject({
    get not() {
      return RuleShape;
    },
  }),
  z.strictObject({ os: OsCondition }),
  z.strictObject({ dpkg: DpkgCondition }),
  z.strictObject({ file: FileCondition }),
  z.strictObject({ command: CommandCondition }),
  z.strictObject({ fact: FactCondition }),
]);

type Path = Array<string | number>;

/**
 * Checks bounds first, without recursion, so a hostile rule nested a million deep costs a
 * loop, not the stack; then reports every shape problem with its path.
 */
function checkRule(value: unknown, ctx: z.RefinementCtx): void {
  const beyond = ruleBoundsProblem(value);
  if (beyond !== undefined) {
    ctx.addIssue({ code: 'custom', message: beyond, path: [] });
    return;
  }
  const stack: Array<{ node: unknown; path: Path }> = [{ node: value, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      ctx.addIssue({ code: 'custom', message: `a rule is an object such as {"and": [...]} or {"dpkg": {...}}`, path });
      continue;
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a rule has exactly one key (one of ${ruleKinds.join(', ')}), not ${keys.length}`, path });
      continue;
    }
    const kind = keys[0];
    const body = (node as Record<string, unknown>)[kind];
    if (kind === 'and' || kind === 'or') {
      if (!Array.isArray(body)) {
        ctx.addIssue({ code: 'custom', message: `"${kind}" takes an array of rules`, path: [...path, kind] });
        continue;
      }
      for (let i = body.length - 1; i >= 0; i--) stack.push({ node: body[i], path: [...path, kind, i] });
    } else if (kind === 'not') {
      stack.push({ node: body, path: [...path, kind] });
    } else if (Object.hasOwn(conditionSchemas, kind)) {
      const parsed = conditionSchemas[kind as keyof typeof conditionSchemas].safeParse(body);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({ code: 'custom', message: issue.message, path: [...path, kind, ...(issue.path as Path)] });
        }
      }
    } else {
      ctx.addIssue({ code: 'custom', message: `unknown rule kind ${JSON.stringify(kind)} (expected one of ${ruleKinds.join(', ')})`, path });
    }
  }
}

/**
 * Why `value` is beyond the bounds every rule must keep, or undefined when it is within them.
 * Counts nodes without looking at their shape; a cycle or a shared subtree counts each time
 * it is reached, so neither makes the walk longer than {@link MAX_RULE_NODES} steps.
 */
export function ruleBoundsProblem(value: unknown): string | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (++nodes > MAX_RULE_NODES) return `a rule may have at most ${MAX_RULE_NODES} conditions and operators`;
    if (depth > MAX_RULE_DEPTH) return `a rule may nest at most ${MAX_RULE_DEPTH} levels deep`;
    if (typeof node !== 'object' || node === null) continue;
    const r = node as Record<string, unknown>;
    for (const kind of ['and', 'or'] as const) {
      const children = Object.hasOwn(r, kind) ? r[kind] : undefined;
      if (Array.isArray(children)) for (const child of children) stack.push({ node: child, depth: depth + 1 });
    }
    if (Object.hasOwn(r, 'not')) stack.push({ node: r.not, depth: depth + 1 });
  }
  return undefined;
}

/**
 * One applicability rule: `{and: [...]}`, `{or: [...]}`, `{not: rule}` or a condition
 * (`os`, `dpkg`, `file`, `command`, `fact`). At most {@link MAX_RULE_DEPTH} levels and
 * {@link MAX_RULE_NODES} nodes.
 */
export const ApplicabilityRule = z.unknown().superRefine(checkRule).pipe(RuleShape);
export type ApplicabilityRule = z.infer<typeof ApplicabilityRule>;

/**
 * A rule as an agent receives it from its update point, by the tens of thousands per catalogue:
 * checked against the bounds only. Its shape is the evaluator's business, which answers
 * unknown for anything malformed, so a full check here would cost seconds and decide nothing.
 */
export const DeliveredRule = z.custom<ApplicabilityRule>((value) => ruleBoundsProblem(value) === undefined, {
  error: (issue) => ruleBoundsProblem(issue.input) ?? 'not a rule',
});
