/**
 * §4's promise against apt on machines whose dpkg status dpkg itself wrote. For Debian 12 and 13,
 * the test picks from the real snapshot's indexes a dozen sources that have a newer upload in
 * -security or -updates than in the main suite, takes their binaries at the main suite's version
 * with everything they need (the Essential set too, as on any Debian machine), builds a real .deb
 * of each from its archive stanza, and installs them with dpkg into a throwaway root. apt then
 * simulates `dist-upgrade` on that root's status, and Patchday's Required updates, found by core
 * alone as an agent would, must upgrade the same packages to the same versions.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import {
  binariesLeftBehind,
  compareDebianVersions,
  type Deb822Fields,
  Inventory as InventorySchema,
  inventoryOsOf,
  parseDeb822All,
  parseDpkgStatus,
  parseOsRelease,
  pendingDebianUpgrades,
} from '@patchday/core';
import { snapshotRoot } from '../../test/site-harness.ts';
import { aptFor, catalogueOf, OS_RELEASE, packagesText, patchdayUpgrades, releaseSuites, scan, sorted } from '../../test/support/apt-oracle-support.ts';
import type { AptSandbox } from '../../test/support/apt-sandbox.ts';
import { type ArchiveServer, startArchiveServer } from '../../test/support/archive-server.ts';

const run = promisify(execFile);

/** Sources per release: enough for variety, few enough that the machine stays a few hundred packages. */
const SOURCES_PER_RELEASE = 12;
/** dpkg-deb runs at once; each is two short-lived processes. */
const BUILD_POOL = 4;
/**
 * dpkg syncs its database after every package it touches, which on a disk costs a tenth of a
 * second each; on tmpfs it costs nothing. Same dpkg, same status, either way.
 */
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const TOOL_ENV = { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: '', PATH: `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin` };

// ---------------------------------------------------------------------------------------------
// Relationship fields, as dpkg reads them in a binary package.

interface Relation {
  name: string;
  /** `any`, `native` or an architecture name; null when unqualified. */
  arch: string | null;
  op: '<<' | '<=' | '=' | '>=' | '>>' | null;
  version: string | null;
}

const RELATION = /^([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?(?:\s*\(\s*(<<|<=|=|>=|>>|<|>)\s*([^\s()]+)\s*\))?$/;
const relationCache = new Map<string, Relation[][]>();

/** `a (>= 1) | b, c` → [[a ≥ 1, b], [c]]; throws on anything a binary stanza should not hold. */
function relations(field: string | undefined): Relation[][] {
  if (field === undefined) return [];
  const cached = relationCache.get(field);
  if (cached) return cached;
  const groups = field
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((group) =>
      group.split('|').map((alternative) => {
        const m = RELATION.exec(alternative.trim().replace(/\s+/g, ' '));
        if (!m) throw new Error(`cannot read the relation ${JSON.stringify(alternative)}`);
        // `<` and `>` are the obsolete spellings of `<=` and `>=`.
        const op = m[3] === '<' ? '<=' : m[3] === '>' ? '>=' : ((m[3] ?? null) as Relation['op']);
        return { name: m[1]!, arch: m[2] ?? null, op, version: m[4] ?? null };
      }),
    );
  relationCache.set(field, groups);
  return groups;
}

function versionMatches(version: string, op: Relation['op'], wanted: string | null): boolean {
  if (op === null || wanted === null) return true;
  const c = compareDebianVersions(version, wanted);
  return op === '<<' ? c < 0 : op === '<=' ? c <= 0 : op === '=' ? c === 0 : op === '>=' ? c >= 0 : c > 0;
}

const relationText = (group: readonly Relation[]) =>
  group.map((r) => `${r.name}${r.arch ? `:${r.arch}` : ''}${r.op ? ` (${r.op} ${r.version})` : ''}`).join(' | ');

const PRIORITY_RANK: Record<string, number> = { required: 0, important: 1, standard: 2, optional: 3, extra: 4 };

/**
 * A set of binary stanzas of one architecture (amd64 and all) with what they provide: the main
 * suite, or the machine being put together from it.
 */
class PackageSet {
  readonly packages = new Map<string, Deb822Fields>();
  private readonly provided = new Map<string, Array<{ provider: string; version: string | null }>>();

  add(stanza: Deb822Fields): void {
    const name = stanza.Package!;
    const previous = this.packages.get(name);
    if (previous !== undefined) {
      // The main suite may list two versions of a package (a point release keeps the old
      // kernel's documentation): the newest is the one apt and this machine would have.
      if (compareDebianVersions(previous.Version!, stanza.Version!) >= 0) return;
      this.forgetProvides(previous);
    }
    this.packages.set(name, stanza);
    for (const group of relations(stanza.Provides)) {
      for (const p of group) {
        const list = this.provided.get(p.name) ?? [];
        list.push({ provider: name, version: p.op === '=' ? p.version : null });
        this.provided.set(p.name, list);
      }
    }
  }

  private forgetProvides(stanza: Deb822Fields): void {
    for (const group of relations(stanza.Provides)) {
      for (const p of group) this.provided.set(p.name, (this.provided.get(p.name) ?? []).filter((x) => x.provider !== stanza.Package));
    }
  }

  clone(): PackageSet {
    const copy = new PackageSet();
    for (const stanza of this.packages.values()) copy.add(stanza);
    return copy;
  }

  /**
   * The packages of this set satisfying `r`, preferred first: the real package, then providers
   * by priority and name. A versioned relation is satisfied only by a versioned Provides.
   */
  satisfiers(r: Relation, except?: string): string[] {
    if (r.arch !== null && !['any', 'native', 'amd64'].includes(r.arch)) return [];
    const found: string[] = [];
    const real = this.packages.get(r.name);
    if (real !== undefined && r.name !== except && versionMatches(real.Version!, r.op, r.version)) found.push(r.name);
    const providers = (this.provided.get(r.name) ?? [])
      .filter((p) => p.provider !== except && (r.op === null || (p.version !== null && versionMatches(p.version, r.op, r.version))))
      .map((p) => p.provider)
      .sort((a, b) => this.rank(a) - this.rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const p of providers) if (!found.includes(p)) found.push(p);
    return found;
  }

  /** The first alternative of `group` this set satisfies, and with what. */
  satisfy(group: readonly Relation[]): string | undefined {
    for (const r of group) {
      const [first] = this.satisfiers(r);
      if (first !== undefined) return first;
    }
    return undefined;
  }

  private rank(name: string): number {
    return PRIORITY_RANK[this.packages.get(name)?.Priority ?? ''] ?? 5;
  }
}

const dependencies = (stanza: Deb822Fields) => [...relations(stanza['Pre-Depends']), ...relations(stanza.Depends)];

/**
 * `machine` plus `roots` and everything they depend on (Pre-Depends and Depends), alternatives and
 * virtual packages resolved with the main suite in a fixed order: an alternative the machine
 * already satisfies is kept, otherwise the first alternative the main suite satisfies is added.
 * A string says why that cannot be installed: an unsatisfiable dependency or a conflict.
 */
function withClosure(main: PackageSet, machine: PackageSet, roots: readonly string[]): PackageSet | string {
  const result = machine.clone();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (result.packages.has(name)) continue;
    const stanza = main.packages.get(name);
    if (stanza === undefined) return `${name} is not in the main suite`;
    result.add(stanza);
    for (const group of dependencies(stanza)) {
      if (result.satisfy(group) !== undefined) continue;
      const pick = main.satisfy(group);
      if (pick === undefined) return `${name}: nothing in the main suite satisfies ${relationText(group)}`;
      if (result.packages.has(pick)) return `${name}: ${relationText(group)} needs ${pick} at another version`;
      queue.push(pick);
    }
  }
  return problemsOf(result)[0] ?? result;
}

/** What dpkg would refuse: an unsatisfied dependency, or Conflicts/Breaks within the set. */
function problemsOf(set: PackageSet): string[] {
  const problems: string[] = [];
  for (const [name, stanza] of set.packages) {
    for (const group of dependencies(stanza)) {
      if (set.satisfy(group) === undefined) problems.push(`${name} depends on ${relationText(group)}`);
    }
    for (const group of [...relations(stanza.Conflicts), ...relations(stanza.Breaks)]) {
      for (const r of group) {
        const hit = set.satisfiers(r, name);
        if (hit.length > 0) problems.push(`${name} conflicts with or breaks ${hit.join(', ')} (${relationText([r])})`);
      }
    }
  }
  return problems;
}

/**
 * dpkg unpacks a package only once its Pre-Depends are configured, so one `dpkg -i` of a whole
 * machine refuses every package whose pre-dependency is in the same batch. apt installs in
 * several dpkg runs for that reason, and so does this: round k holds the packages whose
 * pre-dependencies (with all they depend on) are in earlier rounds, and whose dependencies are in
 * this round or earlier. No --force-depends: dpkg checks every relationship itself.
 */
function installRounds(set: PackageSet): string[][] {
  const names = [...set.packages.keys()].sort();
  const round = new Map(names.map((n) => [n, 0]));
  for (let pass = 0, changed = true; changed; pass++) {
    assert.ok(pass <= names.length, 'a pre-dependency cycle: no install order exists');
    changed = false;
    for (const name of names) {
      const stanza = set.packages.get(name)!;
      let r = round.get(name)!;
      for (const group of relations(stanza.Depends)) r = Math.max(r, round.get(set.satisfy(group)!)!);
      for (const group of relations(stanza['Pre-Depends'])) r = Math.max(r, round.get(set.satisfy(group)!)! + 1);
      if (r !== round.get(name)) {
        round.set(name, r);
        changed = true;
      }
    }
  }
  const rounds: string[][] = [];
  for (const name of names) (rounds[round.get(name)!] ??= []).push(name);
  return rounds;
}

// ---------------------------------------------------------------------------------------------
// Choosing the sources.

interface Upload {
  source: string;
  version: string;
  suite: string;
  /** Binary package names (amd64 and all). */
  binaries: string[];
}

interface Candidate {
  source: string;
  main: Upload;
  newer: Upload;
  features: Feature[];
  /** Packages it adds to the Essential base. */
  cost: number;
}

type Feature = 'binaries changed' | 'epoch' | 'Multi-Arch: same' | 'Architecture: all' | 'from -updates';

function sourceOf(stanza: Deb822Fields): { source: string; version: string } {
  const m = /^(\S+)(?:\s*\((\S+)\))?$/.exec((stanza.Source ?? stanza.Package!).trim());
  assert.ok(m, `${stanza.Package}: unreadable Source ${stanza.Source}`);
  return { source: m[1]!, version: m[2] ?? stanza.Version! };
}

/** Per source, its newest upload among `stanzas`. */
function newestUploads(stanzas: Iterable<Deb822Fields>, suite: string): Map<string, Upload> {
  const uploads = new Map<string, Upload>();
  for (const stanza of stanzas) {
    if (stanza.Architecture !== 'amd64' && stanza.Architecture !== 'all') continue;
    const { source, version } = sourceOf(stanza);
    const seen = uploads.get(source);
    const order = seen === undefined ? 1 : compareDebianVersions(version, seen.version);
    if (order > 0) uploads.set(source, { source, version, suite, binaries: [stanza.Package!] });
    else if (order === 0 && !seen!.binaries.includes(stanza.Package!)) seen!.binaries.push(stanza.Package!);
  }
  return uploads;
}

interface Machine {
  set: PackageSet;
  /** Chosen source → the binaries of it installed. */
  chosen: Map<string, { candidate: Candidate; installed: string[] }>;
}

/**
 * The machine: the Essential set with its dependencies, then sources with a newer upload in
 * -security or -updates, each with as many of its main-suite binaries as install together.
 * First the cheapest source (fewest packages added) showing each feature, then the cheapest
 * others. A source counts only if some binary it installs is built by the newer upload too.
 */
function chooseMachine(main: PackageSet, mainUploads: Map<string, Upload>, newerUploads: Map<string, Upload>): Machine {
  const essential = [...main.packages.values()].filter((s) => s.Essential === 'yes').map((s) => s.Package!).sort();
  const base = withClosure(main, new PackageSet(), essential);
  assert.ok(typeof base !== 'string', `the Essential set does not install: ${base}`);

  const candidates: Candidate[] = [];
  for (const [source, newer] of newerUploads) {
    const m = mainUploads.get(source);
    if (m === undefined || compareDebianVersions(newer.version, m.version) <= 0) continue;
    const binaries = m.binaries.filter((b) => main.packages.get(b) !== undefined && sourceOf(main.packages.get(b)!).version === m.version).sort();
    const stanzas = binaries.map((b) => main.packages.get(b)!);
    const features: Feature[] = [];
    if ([...m.binaries].sort().join() !== [...newer.binaries].sort().join()) features.push('binaries changed');
    if (m.version.includes(':')) features.push('epoch');
    if (stanzas.some((s) => s['Multi-Arch'] === 'same')) features.push('Multi-Arch: same');
    if (stanzas.some((s) => s.Architecture === 'all')) features.push('Architecture: all');
    if (newer.suite.endsWith('-updates')) features.push('from -updates');
    const alone = withClosure(main, base, binaries);
    const cost = typeof alone === 'string' ? Infinity : alone.packages.size - base.packages.size;
    candidates.push({ source, main: { ...m, binaries }, newer, features, cost });
  }
  candidates.sort((a, b) => a.cost - b.cost || (a.source < b.source ? -1 : 1));

  const machine: Machine = { set: base, chosen: new Map() };
  const tryAdd = (c: Candidate): boolean => {
    let set = machine.set;
    const installed: string[] = [];
    for (const binary of c.main.binaries) {
      const next = withClosure(main, set, [binary]);
      if (typeof next === 'string') continue;
      set = next;
      installed.push(binary);
    }
    if (!installed.some((b) => c.newer.binaries.includes(b))) return false;
    machine.set = set;
    machine.chosen.set(c.source, { candidate: c, installed });
    return true;
  };
  for (const feature of ['binaries changed', 'epoch', 'Multi-Arch: same', 'Architecture: all', 'from -updates'] as const) {
    for (const c of candidates) {
      if (machine.chosen.has(c.source) || !c.features.includes(feature) || c.cost === Infinity) continue;
      if (tryAdd(c)) break;
    }
  }
  for (const c of candidates) {
    if (machine.chosen.size >= SOURCES_PER_RELEASE) break;
    if (!machine.chosen.has(c.source) && c.cost !== Infinity) tryAdd(c);
  }
  assert.deepEqual(problemsOf(machine.set), []);
  return machine;
}

// ---------------------------------------------------------------------------------------------
// Building the machine with dpkg.

/** Fields the archive adds to a package's control stanza; the rest is what the .deb carries. */
const ARCHIVE_ONLY = /^(Filename|Size|MD5sum|SHA1|SHA256|SHA512|Description-md5|Tag)$/;

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** A real .deb per package: its archive stanza as DEBIAN/control, and a copyright file as payload. */
async function buildDebs(set: PackageSet, dir: string): Promise<Map<string, string>> {
  const debs = new Map<string, string>();
  await pool([...set.packages.keys()].sort(), BUILD_POOL, async (name) => {
    const stanza = set.packages.get(name)!;
    const tree = join(dir, 'tree', name);
    await mkdir(join(tree, 'DEBIAN'), { recursive: true });
    await mkdir(join(tree, 'usr/share/doc', name), { recursive: true });
    const control = Object.entries(stanza).filter(([key]) => !ARCHIVE_ONLY.test(key)).map(([key, value]) => `${key}: ${value}\n`);
    await writeFile(join(tree, 'DEBIAN/control'), control.join(''));
    await writeFile(join(tree, 'usr/share/doc', name, 'copyright'), `${name} ${stanza.Version}: built by dpkg-root-oracle.test.ts from its stanza in the Debian archive.\n`);
    const deb = join(dir, 'debs', `${name}.deb`);
    const built = await run('dpkg-deb', ['--root-owner-group', '-Znone', '--build', tree, deb], { env: TOOL_ENV });
    assert.equal(built.stderr, '', `dpkg-deb --build ${name}`);
    debs.set(name, deb);
  });
  return debs;
}

const DPKG_OPTIONS = (root: string) => [`--root=${root}`, '--force-not-root', '--force-unsafe-io', '--log=/dev/null'];

/** An empty dpkg database under `root`, then `rounds` installed by dpkg, one `dpkg -i` each. */
async function installWithDpkg(root: string, rounds: readonly string[][], debs: ReadonlyMap<string, string>, osRelease: string): Promise<void> {
  const admin = join(root, 'var/lib/dpkg');
  for (const dir of ['info', 'updates']) await mkdir(join(admin, dir), { recursive: true });
  await writeFile(join(admin, 'status'), '');
  await writeFile(join(admin, 'available'), '');
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/os-release'), osRelease);
  for (const names of rounds) {
    const r = await run('dpkg', [...DPKG_OPTIONS(root), '-i', ...names.map((n) => debs.get(n)!)], { env: TOOL_ENV, maxBuffer: 1 << 26 }).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`dpkg -i refused a round of ${names.length} packages: ${err.stderr || err.message}`);
    });
    // A warning would mean dpkg saw something this machine should not have.
    assert.equal(r.stderr, '', 'dpkg -i warns of nothing');
  }
}

// ---------------------------------------------------------------------------------------------

interface Release {
  codename: 'bookworm' | 'trixie';
  product: string;
}

const RELEASES: Release[] = [
  { codename: 'bookworm', product: 'Debian 12' },
  { codename: 'trixie', product: 'Debian 13' },
];

/** No skipping: without these tools the test proves nothing, so each test fails, on CI or not. */
async function assertToolsPresent(): Promise<void> {
  for (const [tool, args] of [['dpkg', ['--version']], ['dpkg-deb', ['--version']], ['dpkg-query', ['--version']], ['apt-get', ['--version']], ['apt', ['--version']], ['xz', ['--version']]] as const) {
    await run(tool, args, { env: TOOL_ENV }).catch((err: Error) => {
      throw new Error(`${tool} is needed to build and check the dpkg roots of this test: ${err.message}`);
    });
  }
  await access(SCRATCH, constants.W_OK);
}

describe('Required updates equal apt\'s upgrades on machines dpkg installed', () => {
  let server: ArchiveServer;
  before(async () => {
    server = await startArchiveServer(snapshotRoot);
  });
  after(async () => {
    await server?.close();
  });

  for (const release of RELEASES) {
    test(`${release.product}: a root installed by dpkg from real stanzas, upgraded as apt dist-upgrade upgrades it`, async (t: TestContext) => {
      await assertToolsPresent();
      const started = performance.now();
      const lap = (() => {
        let last = started;
        const laps: string[] = [];
        return Object.assign((what: string) => {
          const now = performance.now();
          laps.push(`${what} ${((now - last) / 1000).toFixed(1)} s`);
          last = now;
        }, { laps });
      })();
      const suites = releaseSuites(release.codename);
      const texts = await Promise.all(suites.map(packagesText));
      const mainStanzas = parseDeb822All(texts[0]!);
      const main = new PackageSet();
      for (const stanza of mainStanzas) if (stanza.Architecture === 'amd64' || stanza.Architecture === 'all') main.add(stanza);
      const newerUploads = new Map<string, Upload>();
      for (const [i, suite] of suites.entries()) {
        if (i === 0) continue;
        for (const [source, upload] of newestUploads(parseDeb822All(texts[i]!), suite.suite)) {
          const seen = newerUploads.get(source);
          if (seen === undefined || compareDebianVersions(upload.version, seen.version) > 0) newerUploads.set(source, upload);
        }
      }
      lap('indexes');

      const machine = chooseMachine(main, newestUploads(main.packages.values(), suites[0]!.suite), newerUploads);
      const rounds = installRounds(machine.set);
      lap('choice');

      const work = await mkdtemp(join(SCRATCH, `patchday-dpkg-${release.codename}-`));
      let sandbox: AptSandbox | undefined;
      try {
        await mkdir(join(work, 'debs'));
        const debs = await buildDebs(machine.set, work);
        lap(`${debs.size} debs`);
        const root = join(work, 'root');
        await installWithDpkg(root, rounds, debs, OS_RELEASE[release.codename]);
        lap(`dpkg -i in ${rounds.length} rounds`);

        // dpkg's own view of what it did: nothing half-done, every package at its main version.
        const audit = await run('dpkg', [`--root=${root}`, '--audit'], { env: TOOL_ENV });
        assert.equal(audit.stdout + audit.stderr, '', 'dpkg --audit finds nothing to report');
        const query = await run('dpkg-query', [`--root=${root}`, '-W', '-f', '${db:Status-Abbrev}${Package} ${Version} ${Architecture}\n'], { env: TOOL_ENV, maxBuffer: 1 << 26 });
        const listed = query.stdout.trim().split('\n').sort();
        const expected = [...machine.set.packages.values()].map((s) => `ii ${s.Package} ${s.Version} ${s.Architecture}`).sort();
        assert.deepEqual(listed, expected);

        const statusFile = join(root, 'var/lib/dpkg/status');
        const statusText = await readFile(statusFile, 'utf8');
        const inventory = InventorySchema.parse({
          os: inventoryOsOf(parseOsRelease(await readFile(join(root, 'etc/os-release'), 'utf8')), 'amd64'),
          dpkg: parseDpkgStatus(statusText),
          facts: {},
        });
        assert.equal(Object.keys(inventory.dpkg!).length, machine.set.packages.size);

        // apt on that very status, over the three suites of the release.
        sandbox = await aptFor(server, release.codename, statusFile);
        const [sim, listedUpgradable] = await Promise.all([sandbox.simulateDistUpgrade(), sandbox.run('apt', ['list', '--upgradable'])]);
        lap('apt');

        // Patchday, as an agent and the site would do it.
        const { updates, verdicts } = catalogueOf(suites, texts, release.product);
        const leftBehind = binariesLeftBehind(updates, verdicts);
        const inForce = updates.filter((u) => !verdicts.get(u.updateId)!.superseded || leftBehind.has(u.updateId));
        const states = scan(inForce, inventory);
        const required = inForce.filter((u) => states.get(u.updateId) === 'Required');
        const ours = patchdayUpgrades(required, inventory);
        // What supersedence by source alone would upgrade: the left-behind uploads add the rest.
        const bySourceOnly = patchdayUpgrades(required.filter((u) => !verdicts.get(u.updateId)!.superseded), inventory);
        lap('Patchday');

        // Upgrades only: dist-upgrade also installs what the newer versions newly depend on (a
        // kernel ABI, a renamed library), which no update of this machine's packages is about.
        const apts = new Map(sim.upgrades.map((u) => [u.package, u.to]));
        const installedVersion = (name: string) => {
          const [pkg, arch] = name.split(':');
          return Object.values(inventory.dpkg!).find((p) => p.name === pkg && (arch === undefined || p.architecture === arch))?.version;
        };
        const why = (name: string) =>
          pendingDebianUpgrades(required, inventory)
            .filter((u) => u.package === name.split(':')[0])
            .flatMap((u) => u.updateIds.map((id) => inForce.find((x) => x.updateId === id)!.title))
            .join('; ');
        const differences = [...new Set([...ours.keys(), ...apts.keys()])]
          .filter((name) => ours.get(name) !== apts.get(name))
          .sort()
          .map((name) => {
            const a = sim.upgrades.find((u) => u.package === name);
            return `${name} installed ${installedVersion(name)}: Patchday ${ours.get(name) ?? 'keeps it'}${ours.has(name) ? ` (${why(name)})` : ''}, apt ${apts.get(name) ?? 'keeps it'}${a ? ` (${a.release})` : ''}`;
          });
        assert.deepEqual(differences, [], 'Patchday and apt disagree');
        assert.deepEqual(sorted(ours), sorted(apts));
        assert.ok(ours.size > 0);

        // apt list --upgradable says the same (nothing is held here).
        const upgradable = new Map<string, string>();
        for (const line of listedUpgradable.stdout.split('\n')) {
          const m = /^([^/\s]+)\/\S+ (\S+) (\S+) \[upgradable from: [^\]]+\]$/.exec(line);
          if (m) upgradable.set(m[3] === 'amd64' || m[3] === 'all' ? m[1]! : `${m[1]}:${m[3]}`, m[2]!);
          else assert.ok(line === '' || line === 'Listing...', `unexpected apt list line: ${line}`);
        }
        assert.deepEqual(sorted(upgradable), sorted(apts), 'apt list --upgradable agrees');

        // Every chosen source's newer upload is Required here and upgrades what it should.
        for (const [source, { candidate, installed }] of machine.chosen) {
          const upgraded = installed.filter((b) => apts.has(b));
          assert.ok(upgraded.length > 0, `${source}: none of ${installed.join(', ')} upgraded`);
          for (const b of upgraded) assert.equal(ours.get(b), apts.get(b));
          const update = inForce.find((u) => u.source === source && u.version === candidate.newer.version && u.suite === candidate.newer.suite);
          assert.ok(update, `${source} ${candidate.newer.version} is in the catalogue`);
          assert.equal(states.get(update.updateId), 'Required', update.title);
        }
        // Every update has an answer on this machine; none is Unknown.
        assert.deepEqual(inForce.filter((u) => states.get(u.updateId) === 'Unknown').map((u) => u.title), []);

        t.diagnostic(
          `${release.product}: ${machine.set.packages.size} packages in ${rounds.length} dpkg rounds; ` +
            `${ours.size} upgrades (apt also newly installs ${sim.installs.length}, removes ${sim.removals.length}); ` +
            `${required.length} Required updates; left-behind uploads alone upgrade [${[...ours.keys()].filter((n) => !bySourceOnly.has(n)).join(', ')}]; ` +
            lap.laps.join(', '),
        );
        t.diagnostic(`  upgrades: ${sorted(ours).map(([name, version]) => `${name} ${version}`).join(', ')}`);
        for (const [source, { candidate, installed }] of machine.chosen) {
          t.diagnostic(
            `  ${source} ${candidate.main.version} → ${candidate.newer.version} (${candidate.newer.suite}) [${candidate.features.join(', ')}]: ` +
              installed.map((b) => `${b}${apts.has(b) ? '' : ' (kept)'}`).join(', '),
          );
        }
      } finally {
        await sandbox?.dispose();
        await rm(work, { recursive: true, force: true });
      }
    });
  }
});
