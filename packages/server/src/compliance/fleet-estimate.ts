import { createHash } from 'node:crypto';
import {
  debianApplicabilityRules,
  evaluateRule,
  evaluateUpdate,
  ruleReadsOf,
  type DetectionState,
  type DpkgPackage,
  type Inventory,
  type InventoryOs,
  type UpdateApplicability,
  type UpdateBinary,
} from '@patchday/core';
import { sql, type Kysely } from 'kysely';
import { inventoriesOf } from '../inventory/inventory-store.ts';
import { isPostgres } from '../store/store.ts';
import type { Database } from '../store/schema.ts';

/**
 * The site's estimate of updates over many clients at once, from their stored inventories (§4
 * "estimated"), without parsing any of them when the rules allow (docs/compliance.md):
 *
 * A rule made only of `os` and `dpkg` conditions (every rule generated for a Debian update — decided
 * by walking the rule, see core's ruleReadsOf) reads the inventory's os, whether it has a dpkg
 * database, and the stanzas of the packages it names: nothing else. So, per update:
 * - every distinct inventory that has none of the named packages gets the answer of its os, evaluated
 *   once per distinct os on an inventory with an empty dpkg database;
 * - the inventories that do have one are found through the `inventory_packages` index, and evaluated
 *   on an inventory made of their os and those stanzas only — once per distinct combination of os
 *   and stanzas, since most of a fleet shares them.
 * Both give exactly what evaluating the whole inventory gives (fleet-estimate.test.ts checks it on
 * every update of the real bookworm-security suite).
 *
 * Rules that read anything else (files, facts, command results) are evaluated on each client's
 * whole inventory instead.
 */

type Db = Kysely<Database>;

/** What the estimate needs of an update. */
export interface EstimatedUpdate {
  updateId: string;
  product: string;
  binaries: readonly UpdateBinary[];
}

const DEBIAN_PRODUCT = /^Debian \d+$/;

/** The rules the site evaluates for an update: those the update point serves agents (§4); null when it has none. */
export function applicabilityOf(update: Pick<EstimatedUpdate, 'product' | 'binaries'>): UpdateApplicability | null {
  if (!DEBIAN_PRODUCT.test(update.product)) return null;
  return debianApplicabilityRules({ product: update.product, binaries: [...update.binaries] });
}

/** The distinct inventories an estimate covers, each with its os group. */
export interface InventoryUniverse {
  /** inventory_sha256 → index into the arrays below. */
  indexOf: Map<string, number>;
  shas: string[];
  /** Index → os group (`osGroups`). */
  osOf: Int32Array;
  osGroups: Array<{ os: InventoryOs; hasDpkg: boolean }>;
  /** inventory_id → index. */
  byInventoryId: Map<number, number>;
}

/** The distinct inventories of `shas` (all stored ones when absent), with what rules read of their os. */
export async function loadUniverse(db: Db, shas?: Iterable<string>): Promise<InventoryUniverse> {
  const wanted = shas === undefined ? undefined : new Set(shas);
  const rows = await db
    .selectFrom('inventories')
    .select(['inventory_id', 'inventory_sha256', 'os_family', 'os_version_id', 'os_codename', 'os_architecture', 'has_dpkg'])
    .orderBy('inventory_id')
    .execute();
  const universe: InventoryUniverse = { indexOf: new Map(), shas: [], osOf: new Int32Array(rows.length), osGroups: [], byInventoryId: new Map() };
  const osKeys = new Map<string, number>();
  for (const r of rows) {
    if (wanted && !wanted.has(r.inventory_sha256)) continue;
    const key = JSON.stringify([r.os_family, r.os_version_id, r.os_codename, r.os_architecture, r.has_dpkg]);
    let group = osKeys.get(key);
    if (group === undefined) {
      group = universe.osGroups.length;
      osKeys.set(key, group);
      universe.osGroups.push({ os: { family: r.os_family, versionId: r.os_version_id, codename: r.os_codename, architecture: r.os_architecture }, hasDpkg: r.has_dpkg === 1 });
    }
    const index = universe.shas.length;
    universe.shas.push(r.inventory_sha256);
    universe.indexOf.set(r.inventory_sha256, index);
    universe.byInventoryId.set(r.inventory_id, index);
    universe.osOf[index] = group;
  }
  return universe;
}

/** An update's estimate over a universe of inventories. */
export type Estimate =
  /** The same state everywhere (an update without rules the site can evaluate: Unknown). */
  | { kind: 'constant'; state: DetectionState }
  /** Depends on the software inventory only: per os group, and for the inventories with a named package. */
  | { kind: 'inventory'; byOs: DetectionState[]; byInventory: Map<number, DetectionState> }
  /** Reads more than os and dpkg: evaluate these rules on each client's whole inventory. */
  | { kind: 'client'; rules: UpdateApplicability };

/** The estimated state of an update on the inventory at `index` of the universe. */
export function stateOnInventory(estimate: Estimate, universe: InventoryUniverse, index: number): DetectionState {
  if (estimate.kind === 'constant') return estimate.state;
  if (estimate.kind === 'inventory') return estimate.byInventory.get(index) ?? estimate.byOs[universe.osOf[index]];
  throw new Error('a per-client estimate has no state per inventory');
}

/** Package names per `IN (…)` list. */
const NAME_CHUNK = 500;

/** Every stanza of the named packages in the universe, interned: equal stanzas are one object. */
interface Postings {
  /**
   * name → [inventory index, stanza id] pairs, stanza ids ascending: so an inventory's stanzas of
   * one package always come in the same order, whatever order the database returned them in.
   */
  byName: Map<string, { inventories: Int32Array; stanzas: Int32Array }>;
  stanzas: DpkgPackage[];
}

/**
 * The postings of `names`, read grouped by distinct stanza: a fleet has few distinct stanzas of a
 * package (the versions it runs), each with the list of inventories that have it, so the rows that
 * cross from the database are one per distinct stanza, not one per inventory.
 */
async function loadPostings(db: Db, universe: InventoryUniverse, names: ReadonlySet<string>): Promise<Postings> {
  let maxId = 0;
  for (const id of universe.byInventoryId.keys()) if (id > maxId) maxId = id;
  const indexOfId = new Int32Array(maxId + 1).fill(-1);
  for (const [id, index] of universe.byInventoryId) indexOfId[id] = index;
  const postgres = isPostgres(db);
  const ids = postgres ? sql<string>`string_agg(inventory_id::text, ',')` : sql<string>`group_concat(inventory_id)`;
  const groups: Array<{ name: string; architecture: string | null; version: string | null; status: string; multi_arch: string | null; ids: string }> = [];
  const all = [...names];
  const read = async (q: Db, tune: boolean) => {
    // PostgreSQL: its row estimate for `name in (…500 names…)` is most of the table, so it would
    // scan all of it once per chunk; the index range per name is what is wanted. And room to
    // aggregate in memory rather than sorting on disk. Both only for our own transaction.
    if (tune) {
      await sql`set local enable_seqscan = off`.execute(q);
      await sql`set local work_mem = '256MB'`.execute(q);
    }
    for (let i = 0; i < all.length; i += NAME_CHUNK) {
      const rows = await q
        .selectFrom('inventory_packages')
        .select(['name', 'architecture', 'version', 'status', 'multi_arch', ids.as('ids')])
        .where('name', 'in', all.slice(i, i + NAME_CHUNK))
        .groupBy(['name', 'architecture', 'version', 'status', 'multi_arch'])
        .execute();
      groups.push(...rows);
    }
  };
  if (postgres && !db.isTransaction) await db.transaction().execute((trx) => read(trx, true));
  else await read(db, false);
  const stanzas: DpkgPackage[] = [];
  const lists = new Map<string, { inventories: number[]; stanzas: number[] }>();
  for (const g of groups) {
    const stanza = stanzas.length;
    stanzas.push({ name: g.name, architecture: g.architecture, version: g.version, status: g.status, multiArch: g.multi_arch as DpkgPackage['multiArch'] });
    let list = lists.get(g.name);
    if (!list) lists.set(g.name, (list = { inventories: [], stanzas: [] }));
    for (const text of g.ids.split(',')) {
      const id = Number(text);
      const index = id <= maxId ? indexOfId[id] : -1;
      if (index < 0) continue;
      list.inventories.push(index);
      list.stanzas.push(stanza);
    }
  }
  const byName: Postings['byName'] = new Map();
  for (const [name, list] of lists) byName.set(name, { inventories: Int32Array.from(list.inventories), stanzas: Int32Array.from(list.stanzas) });
  return { byName, stanzas };
}

/**
 * Estimates each update over the universe. Updates whose rules read only os and dpkg cost one
 * evaluation per os group plus one per distinct (os, stanzas of its packages) combination among the
 * inventories that have one of its packages.
 */
export async function estimateUpdates(db: Db, universe: InventoryUniverse, updates: readonly EstimatedUpdate[]): Promise<Map<string, Estimate>> {
  const out = new Map<string, Estimate>();
  const fast: Array<{ updateId: string; rules: UpdateApplicability; names: string[] }> = [];
  const names = new Set<string>();
  const osInventories = universe.osGroups.map((g): Inventory => ({ os: g.os, dpkg: g.hasDpkg ? {} : null, facts: {} }));
  for (const u of updates) {
    const rules = applicabilityOf(u);
    if (rules === null) {
      out.set(u.updateId, { kind: 'constant', state: 'Unknown' });
      continue;
    }
    const reads = ruleReadsOf([rules.prerequisites, rules.isInstallable, rules.isInstalled]);
    if (!reads.osAndDpkgOnly) {
      out.set(u.updateId, { kind: 'client', rules });
      continue;
    }
    // Prerequisites that read the os alone and fail on every os of the universe (an update of
    // another release): Not Required everywhere, whatever is installed; its packages are not read.
    if (ruleReadsOf([rules.prerequisites]).dpkgPackages.size === 0 && osInventories.every((inventory) => evaluateRule(rules.prerequisites, inventory) === 'false')) {
      out.set(u.updateId, { kind: 'inventory', byOs: osInventories.map(() => 'Not Required'), byInventory: new Map() });
      continue;
    }
    const own = [...reads.dpkgPackages].sort();
    for (const n of own) names.add(n);
    fast.push({ updateId: u.updateId, rules, names: own });
  }
  if (fast.length === 0) return out;

  const postings = await loadPostings(db, universe, names);
  const count = universe.shas.length;
  const stamp = new Int32Array(count).fill(-1);
  const signature: string[] = new Array(count);
  const touched: number[] = [];
  for (let u = 0; u < fast.length; u++) {
    const { updateId, rules, names: own } = fast[u];
    const byOs = osInventories.map((inventory) => evaluateUpdate(rules, inventory));
    const byInventory = new Map<number, DetectionState>();
    touched.length = 0;
    for (const name of own) {
      const list = postings.byName.get(name);
      if (!list) continue;
      const { inventories, stanzas } = list;
      for (let i = 0; i < inventories.length; i++) {
        const inv = inventories[i];
        if (stamp[inv] !== u) {
          stamp[inv] = u;
          signature[inv] = '';
          touched.push(inv);
        }
        signature[inv] += `${stanzas[i]},`;
      }
    }
    // Inventories with the same os and the same stanzas of these packages get the same answer.
    const seen = new Map<string, DetectionState>();
    for (const inv of touched) {
      const key = `${universe.osOf[inv]}|${signature[inv]}`;
      let state = seen.get(key);
      if (state === undefined) {
        const dpkg: Record<string, DpkgPackage> = {};
        const ids = signature[inv].split(',');
        for (let k = 0; k < ids.length - 1; k++) dpkg[`#${k}`] = postings.stanzas[Number(ids[k])];
        state = evaluateUpdate(rules, { os: universe.osGroups[universe.osOf[inv]].os, dpkg, facts: {} });
        seen.set(key, state);
      }
      byInventory.set(inv, state);
    }
    out.set(updateId, { kind: 'inventory', byOs, byInventory });
  }
  return out;
}

/** An update's estimate is kept for one revision of it: `change_seq` moves whenever its binaries may have. */
export interface RevisedUpdate extends EstimatedUpdate {
  changeSeq: number;
}

/**
 * Estimates already made, kept for the universe they were made over. An inventory is stored once
 * per content (its sha256) and never changes, so an update's estimate over the same inventories is
 * the same until the update is revised: nothing else can make a kept estimate wrong. A listing's
 * page asks for the same updates again and again while the fleet's set of distinct inventories
 * stays the same (it changes when a client's software does); a new set starts afresh.
 */
export class EstimateCache {
  private universeKey = '';
  private readonly kept = new Map<string, Estimate>();

  constructor(private readonly capacity = 2_000) {}

  async estimate(db: Db, universe: InventoryUniverse, updates: readonly RevisedUpdate[]): Promise<Map<string, Estimate>> {
    const key = keyOf(universe);
    if (key !== this.universeKey) {
      this.kept.clear();
      this.universeKey = key;
    }
    const idOf = (u: RevisedUpdate) => `${u.updateId} ${u.changeSeq}`;
    const missing = updates.filter((u) => !this.kept.has(idOf(u)));
    const made = missing.length ? await estimateUpdates(db, universe, missing) : new Map<string, Estimate>();
    // Kept only if no other universe came meanwhile; the oldest go first.
    if (this.universeKey === key) {
      for (const u of missing) this.kept.set(idOf(u), made.get(u.updateId)!);
      for (const id of this.kept.keys()) {
        if (this.kept.size <= this.capacity) break;
        this.kept.delete(id);
      }
    }
    return new Map(updates.map((u) => [u.updateId, made.get(u.updateId) ?? this.kept.get(idOf(u))!]));
  }
}

/** The universe's inventories and their order (which numbers them): equal keys, equal universes. */
function keyOf(universe: InventoryUniverse): string {
  return createHash('sha256').update(universe.shas.join(',')).update('|').update([...universe.byInventoryId.keys()].join(',')).digest('hex');
}

/** Clients per batch when rules need whole inventories. */
const CLIENT_BATCH = 500;

/** Evaluates `rules` on each client's whole inventory (clients without one are absent from the answer). */
export async function evaluateOnClients(db: Db, rules: UpdateApplicability, clientIds: readonly string[]): Promise<Map<string, DetectionState>> {
  const out = new Map<string, DetectionState>();
  for (let i = 0; i < clientIds.length; i += CLIENT_BATCH) {
    for (const [clientId, inventory] of await inventoriesOf(db, clientIds.slice(i, i + CLIENT_BATCH))) {
      if (inventory) out.set(clientId, evaluateUpdate(rules, inventory));
    }
  }
  return out;
}
