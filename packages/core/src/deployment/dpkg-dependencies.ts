import type { Deb822Fields } from '../debian/deb822.ts';
import { compareDebianVersions, debianVersionProblem } from '../debian/version.ts';
import { isInstalledStatus } from '../inventory/inventory.ts';

/**
 * §6.6 "before touching anything, check every dependency is satisfiable": dpkg itself neither
 * checks dependencies on a dry run nor refuses an upgrade that breaks another installed package's
 * versioned dependency, so the `dpkg` handler asks this first and installs only when it finds
 * nothing. Pure: it reads control fields (`dpkg-deb -f`) and the dpkg status text.
 */

/** One alternative of a relationship field: `libssl3 (>= 3.0.17)`, `perl:any`. */
export interface DebRelation {
  name: string;
  /** `any`, `native`, or an architecture; null when unqualified. */
  archQualifier: string | null;
  op: '<<' | '<=' | '=' | '>=' | '>>' | null;
  version: string | null;
}

/** A comma-separated part of a field: satisfied when any one of its alternatives is. */
export type RelationClause = DebRelation[];

/** What the check needs of a package, on the machine or in a .deb. */
export interface PackageControl {
  package: string;
  version: string;
  architecture: string;
  multiArch: string | null;
  preDepends: RelationClause[];
  depends: RelationClause[];
  breaks: RelationClause[];
  conflicts: RelationClause[];
  provides: RelationClause[];
}

const RELATION = /^([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^()\s]+)\s*\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>\s*)*$/;

/** Parses a Depends-style field (Debian Policy §7.1). */
export function parseRelations(text: string | undefined): RelationClause[] {
  if (text === undefined) return [];
  const clauses: RelationClause[] = [];
  for (const part of text.replace(/\s+/g, ' ').split(',')) {
    if (part.trim() === '') continue;
    clauses.push(
      part.split('|').map((alternative) => {
        const m = RELATION.exec(alternative.trim());
        if (m === null) throw new Error(`cannot read the relationship ${JSON.stringify(alternative.trim())}`);
        const op = m[3] === '<' ? '<=' : m[3] === '>' ? '>=' : ((m[3] ?? null) as DebRelation['op']);
        return { name: m[1], archQualifier: m[2] ?? null, op, version: m[4] ?? null };
      }),
    );
  }
  return clauses;
}

/** The package a control stanza (a .deb's, or one of the status file) describes. */
export function packageControlOf(fields: Deb822Fields): PackageControl {
  const { Package: name, Version: version, Architecture: architecture } = fields;
  if (!name || !version || !architecture) throw new Error(`a control stanza lacks Package, Version or Architecture (${name ?? 'no package name'})`);
  const problem = debianVersionProblem(version);
  if (problem !== undefined) throw new Error(`${name}: ${problem}`);
  return {
    package: name,
    version,
    architecture,
    multiArch: fields['Multi-Arch'] ?? null,
    preDepends: parseRelations(fields['Pre-Depends']),
    depends: parseRelations(fields.Depends),
    breaks: parseRelations(fields.Breaks),
    conflicts: parseRelations(fields.Conflicts),
    provides: parseRelations(fields.Provides),
  };
}

/** The packages of a dpkg status that satisfy dependencies: configured ones. */
export function configuredPackages(statusStanzas: readonly Deb822Fields[]): PackageControl[] {
  return statusStanzas.filter((s) => s.Status !== undefined && isInstalledStatus(s.Status) === true && s.Version !== undefined && s.Architecture !== undefined).map(packageControlOf);
}

function versionSatisfies(version: string, rel: DebRelation): boolean {
  if (rel.op === null || rel.version === null) return true;
  const order = compareDebianVersions(version, rel.version);
  switch (rel.op) {
    case '<<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '=':
      return order === 0;
    case '>=':
      return order >= 0;
    case '>>':
      return order > 0;
  }
}

function architectureFits(pkg: PackageControl, rel: DebRelation, dependentArchitecture: string): boolean {
  if (rel.archQualifier === 'any') return pkg.multiArch === 'allowed' || pkg.multiArch === 'foreign' || pkg.architecture === dependentArchitecture || pkg.architecture === 'all';
  if (rel.archQualifier !== null && rel.archQualifier !== 'native') return pkg.architecture === rel.archQualifier;
  return pkg.architecture === 'all' || dependentArchitecture === 'all' || pkg.architecture === dependentArchitecture || pkg.multiArch === 'foreign';
}

/** Whether `pkg` (by name, or by what it provides) satisfies one alternative. */
function satisfies(pkg: PackageControl, rel: DebRelation, dependentArchitecture: string): boolean {
  if (!architectureFits(pkg, rel, dependentArchitecture)) return false;
  if (pkg.package === rel.name) return versionSatisfies(pkg.version, rel);
  return pkg.provides.some(([p]) => p.name === rel.name && (rel.op === null || (p.op === '=' && p.version !== null && versionSatisfies(p.version, rel))));
}

const clauseHolds = (clause: RelationClause, universe: readonly PackageControl[], architecture: string) =>
  clause.some((rel) => universe.some((p) => satisfies(p, rel, architecture)));

export function formatClause(clause: RelationClause): string {
  return clause.map((r) => `${r.name}${r.archQualifier ? `:${r.archQualifier}` : ''}${r.op ? ` (${r.op} ${r.version})` : ''}`).join(' | ');
}

const label = (p: PackageControl) => `${p.package} ${p.version}`;

/**
 * Why installing `incoming` over the configured packages of the machine would not end with every
 * dependency satisfied; empty when it would. Dependencies the machine already failed before are
 * not this install's problem and are not reported.
 */
export function dependencyProblems(installed: readonly PackageControl[], incoming: readonly PackageControl[]): string[] {
  const replaced = (p: PackageControl) => incoming.some((n) => n.package === p.package && (n.multiArch !== 'same' || n.architecture === p.architecture));
  const kept = installed.filter((p) => !replaced(p));
  const after = [...kept, ...incoming];
  const problems: string[] = [];
  for (const d of incoming) {
    for (const [field, clauses] of [['pre-depends on', d.preDepends], ['depends on', d.depends]] as const) {
      for (const clause of clauses) {
        if (!clauseHolds(clause, after, d.architecture)) problems.push(`${label(d)} ${field} ${formatClause(clause)}, which neither the machine nor this update provides`);
      }
    }
  }
  for (const k of kept) {
    for (const clause of [...k.preDepends, ...k.depends]) {
      if (clauseHolds(clause, installed, k.architecture) && !clauseHolds(clause, after, k.architecture)) {
        problems.push(`installing it would break ${label(k)} on the machine, which depends on ${formatClause(clause)}`);
      }
    }
  }
  for (const d of incoming) {
    for (const [field, clauses] of [['breaks', d.breaks], ['conflicts with', d.conflicts]] as const) {
      for (const rel of clauses.flat()) {
        for (const p of after) if (p.package !== d.package && satisfies(p, rel, d.architecture)) problems.push(`${label(d)} ${field} ${label(p)}`);
      }
    }
  }
  for (const k of kept) {
    for (const [field, clauses] of [['breaks', k.breaks], ['conflicts with', k.conflicts]] as const) {
      for (const rel of clauses.flat()) {
        for (const d of incoming) {
          const before = installed.some((p) => p.package === d.package && satisfies(p, rel, k.architecture));
          if (k.package !== d.package && !before && satisfies(d, rel, k.architecture)) problems.push(`${label(k)} on the machine ${field} ${label(d)}`);
        }
      }
    }
  }
  return [...new Set(problems)];
}

/**
 * The order to hand the files to dpkg in: each package after those of the same run it
 * (pre-)depends on, otherwise as given. dpkg configures in dependency order by itself, but it
 * unpacks in the order of its arguments, and a pre-dependency must be there first.
 */
export function dependencyOrder<T extends PackageControl>(incoming: readonly T[]): T[] {
  const out: T[] = [];
  const state = new Map<T, 'visiting' | 'done'>();
  const visit = (p: T) => {
    if (state.has(p)) return;
    state.set(p, 'visiting');
    for (const rel of [...p.preDepends, ...p.depends].flat()) {
      for (const q of incoming) if (q !== p && !state.has(q) && satisfies(q, rel, p.architecture)) visit(q);
    }
    state.set(p, 'done');
    out.push(p);
  };
  for (const p of incoming) visit(p);
  return out;
}

/**
 * The dpkg runs an install takes. dpkg unpacks the files of one run before configuring any, and
 * a pre-dependency must be configured before the package that needs it is unpacked: a package
 * pre-depending on another of the same update therefore goes in a later run, as apt does. Each
 * run must configure cleanly on its own (every dependency of its packages met by the machine
 * and the runs before); `problems` says why not when it cannot.
 */
export function installStages<T extends PackageControl>(installed: readonly PackageControl[], incoming: readonly T[]): { stages: T[][]; problems: string[] } {
  const stages: T[][] = [];
  let configured: PackageControl[] = [...installed];
  let current: T[] = [];
  const close = () => {
    stages.push(current);
    configured = [...configured.filter((p) => !current.some((n) => n.package === p.package && (n.multiArch !== 'same' || n.architecture === p.architecture))), ...current];
    current = [];
  };
  for (const p of dependencyOrder(incoming)) {
    const waitsForCurrent = p.preDepends.some((clause) => !clauseHolds(clause, configured, p.architecture) && clauseHolds(clause, current, p.architecture));
    if (waitsForCurrent && current.length > 0) close();
    current.push(p);
  }
  if (current.length > 0) close();
  const problems: string[] = [];
  let before: PackageControl[] = [...installed];
  for (const stage of stages) {
    const after = [...before.filter((p) => !stage.some((n) => n.package === p.package && (n.multiArch !== 'same' || n.architecture === p.architecture))), ...stage];
    for (const p of stage) {
      for (const clause of p.preDepends) if (!clauseHolds(clause, before, p.architecture)) problems.push(`${label(p)} pre-depends on ${formatClause(clause)}, which is not configured before it can be unpacked`);
      for (const clause of p.depends) if (!clauseHolds(clause, after, p.architecture)) problems.push(`${label(p)} depends on ${formatClause(clause)}, which only a later dpkg run of this update would install`);
    }
    before = after;
  }
  return { stages, problems: [...new Set(problems)] };
}
