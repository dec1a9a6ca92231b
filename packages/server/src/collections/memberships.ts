import {
  collectionsOfClient,
  dependentCollections,
  planCollections,
  ruleReadsOf,
  type DpkgPackage,
  type Inventory,
  type InventoryOs,
} from '@patchday/core';
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { joinInventory } from '../inventory/inventory-store.ts';
import type { Database } from '../store/schema.ts';
import { loadCollections } from './collection-rows.ts';

/** Clients per batch: memory stays flat however large the site. */
const BATCH = 2000;
/** Rows per INSERT (two parameters each: well inside SQLite's and PostgreSQL's limits). */
const INSERT_CHUNK = 1000;
/** Values per `IN (…)` list. */
const IN_CHUNK = 1000;

/** Serialises membership changes on PostgreSQL (SQLite runs one transaction at a time anyway). */
const MEMBERSHIP_LOCK = 0x70640001;

export interface RefreshOptions {
  /** Re-evaluate only these clients (an inventory stored, a client approved, registered or removed). */
  clientIds?: readonly string[];
  /** Re-evaluate only these collections and every collection that depends on them (a collection created or changed). */
  collectionIds?: readonly string[];
}

export interface RefreshResult {
  /** Clients evaluated. */
  clients: number;
  /** Membership rows added and removed. */
  added: number;
  removed: number;
}

/**
 * Takes the site's membership lock for the rest of the transaction. Every transaction that changes
 * what membership depends on (collections, direct rules, a client's inventory, status or existence)
 * takes it before its first write, so two such transactions never compute membership from each
 * other's half-committed inputs, and never wait on each other's row locks while holding it.
 */
export async function lockMemberships(db: Kysely<Database>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${sql.lit(MEMBERSHIP_LOCK)})`.execute(db);
}

/**
 * Brings the materialised membership (`collection_members`) up to date, in one transaction (the
 * caller's, when `db` is one). Without options every client is evaluated against every collection;
 * `clientIds` narrows it to those clients, `collectionIds` to those collections and their dependants
 * (the other memberships are kept as stored). Only the rows that change are written.
 *
 * Clients are read in batches (keyset order). Query rules are evaluated on what they can read and
 * nothing more: a client's os and its own facts, files and command results, and — from the
 * inventory index (`inventory_packages`) — the dpkg stanzas of the packages the rules name. No
 * whole dpkg database is read or parsed, so a fleet where every machine differs costs the same as
 * one built from a single image. (Evaluating on these stanzas alone gives what evaluating on the whole
 * inventory gives: a dpkg condition reads only its own package's stanzas, and the index leaves out
 * only stanzas the evaluator counts as absent — memberships.test.ts checks it against the pure
 * function on whole inventories.)
 */
export async function refreshMemberships(db: Kysely<Database>, options: RefreshOptions = {}): Promise<RefreshResult> {
  if (db.isTransaction) return refreshIn(db as Transaction<Database>, options);
  return db.transaction().execute((trx) => refreshIn(trx, options));
}

async function refreshIn(trx: Transaction<Database>, options: RefreshOptions): Promise<RefreshResult> {
  await lockMemberships(trx);
  const definitions = await loadCollections(trx);
  const plan = planCollections(definitions);
  const evaluate = options.collectionIds === undefined ? undefined : dependentCollections(definitions, options.collectionIds.filter((id) => plan.byId.has(id)));
  const result: RefreshResult = { clients: 0, added: 0, removed: 0 };
  if (evaluate !== undefined && evaluate.size === 0) return result;
  const withRules = plan.order.filter((c) => c.queryRules.length > 0 && (evaluate === undefined || evaluate.has(c.collectionId)));
  const reader = withRules.length > 0 ? new InventoryReader(trx, ruleReadsOf(withRules.flatMap((c) => c.queryRules.map((q) => q.rule))).dpkgPackages) : null;

  let clientIds = options.clientIds;
  if (clientIds === undefined && evaluate !== undefined && reader === null && [...evaluate].every((id) => plan.byId.get(id)!.limitingCollectionId !== null)) {
    // Collections without query rules can only hold their direct members and members of what they
    // include: only those clients, and the current members (who may leave), need evaluating.
    const included = new Set<string>(evaluate);
    for (const id of evaluate) for (const inc of plan.byId.get(id)!.includeCollectionIds) included.add(inc);
    const direct = await trx.selectFrom('collection_direct_members').select('client_id').distinct().where('collection_id', 'in', [...evaluate]).execute();
    const members = await trx.selectFrom('collection_members').select('client_id').distinct().where('collection_id', 'in', [...included]).execute();
    clientIds = [...new Set([...direct, ...members].map((r) => r.client_id))];
  }

  const refreshBatch = async (batchIds: readonly string[], rows: readonly ClientRow[]) => {
    if (batchIds.length === 0) return;
    result.clients += batchIds.length;
    const active = rows.filter((r) => r.status === 'active');
    const inventories = reader && active.length > 0 ? await reader.read(active) : new Map<string, Inventory | null>();
    const directOf = new Map<string, Set<string>>();
    const currentOf = new Map<string, Set<string>>();
    for (const ids of chunks(batchIds, IN_CHUNK)) {
      groupByClient(await trx.selectFrom('collection_direct_members').select(['collection_id', 'client_id']).where('client_id', 'in', ids).execute(), directOf);
      groupByClient(await trx.selectFrom('collection_members').select(['collection_id', 'client_id']).where('client_id', 'in', ids).execute(), currentOf);
    }
    const byId = new Map(rows.map((r) => [r.client_id, r]));
    const removals = new Map<string, string[]>();
    const additions: Array<{ collection_id: string; client_id: string }> = [];
    const none = new Set<string>();
    for (const clientId of batchIds) {
      const row = byId.get(clientId);
      const was = currentOf.get(clientId) ?? none;
      // Only active clients are members of anything; a pending or removed client is of none.
      const now = row && row.status === 'active'
        ? collectionsOfClient(plan, { client: { clientId, name: row.name, inventory: inventories.get(clientId) ?? null }, directCollectionIds: directOf.get(clientId) ?? none, evaluate, knownCollectionIds: was })
        : none;
      for (const id of was) {
        if (now.has(id)) continue;
        const list = removals.get(id);
        if (list) list.push(clientId);
        else removals.set(id, [clientId]);
      }
      for (const id of now) if (!was.has(id)) additions.push({ collection_id: id, client_id: clientId });
    }
    for (const [collectionId, ids] of removals) {
      for (const chunk of chunks(ids, IN_CHUNK)) await trx.deleteFrom('collection_members').where('collection_id', '=', collectionId).where('client_id', 'in', chunk).execute();
      result.removed += ids.length;
    }
    for (const chunk of chunks(additions, INSERT_CHUNK)) await trx.insertInto('collection_members').values(chunk).execute();
    result.added += additions.length;
  };

  const columns = reader ? (['client_id', 'name', 'status', 'inventory_sha256', 'inventory_local'] as const) : (['client_id', 'name', 'status'] as const);
  if (clientIds !== undefined) {
    const wanted = [...new Set(clientIds)];
    for (const ids of chunks(wanted, BATCH)) {
      const rows: ClientRow[] = [];
      for (const part of chunks(ids, IN_CHUNK)) rows.push(...((await trx.selectFrom('clients').select(columns).where('client_id', 'in', part).execute()) as ClientRow[]));
      await refreshBatch(ids, rows);
    }
    return result;
  }
  // Every client, in keyset order.
  let after = '';
  for (;;) {
    const rows = (await trx.selectFrom('clients').select(columns).where('client_id', '>', after).orderBy('client_id').limit(BATCH).execute()) as ClientRow[];
    if (rows.length === 0) break;
    await refreshBatch(rows.map((r) => r.client_id), rows);
    after = rows[rows.length - 1].client_id;
  }
  return result;
}

interface ClientRow {
  client_id: string;
  name: string;
  status: string;
  inventory_sha256?: string | null;
  inventory_local?: string | null;
}

/** A software inventory as query rules read it: its os, whether it has dpkg, and its id for the package index. */
interface Software {
  inventoryId: number;
  os: InventoryOs;
  hasDpkg: boolean;
}

/**
 * Reads clients' inventories the way query rules see them: os, the client's own part (facts, files,
 * command results), and only the stanzas of `packages` (from the inventory index). Inventories
 * shared by many clients are read once per refresh, and their stanzas once per batch, as shared
 * objects (so the evaluator's per-record package index is built once too).
 */
class InventoryReader {
  private readonly software = new Map<string, Software | null>();

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly packages: ReadonlySet<string>,
  ) {}

  async read(rows: readonly ClientRow[]): Promise<Map<string, Inventory | null>> {
    const wanted = [...new Set(rows.map((r) => r.inventory_sha256).filter((s): s is string => !!s && !this.software.has(s)))];
    for (const shas of chunks(wanted, IN_CHUNK)) {
      const found = await this.trx
        .selectFrom('inventories')
        .select(['inventory_id', 'inventory_sha256', 'os_family', 'os_version_id', 'os_codename', 'os_architecture', 'has_dpkg'])
        .where('inventory_sha256', 'in', shas)
        .execute();
      for (const r of found) {
        this.software.set(r.inventory_sha256, { inventoryId: r.inventory_id, os: { family: r.os_family, versionId: r.os_version_id, codename: r.os_codename, architecture: r.os_architecture }, hasDpkg: r.has_dpkg === 1 });
      }
      for (const sha of shas) if (!this.software.has(sha)) this.software.set(sha, null);
    }
    // The named packages' stanzas of this batch's inventories.
    const inventoryIds = [...new Set(rows.map((r) => (r.inventory_sha256 ? this.software.get(r.inventory_sha256)?.inventoryId : undefined)).filter((id): id is number => id !== undefined))];
    const dpkgOf = new Map<number, Record<string, DpkgPackage>>();
    const names = [...this.packages];
    for (const ids of chunks(inventoryIds, IN_CHUNK)) {
      for (const nameChunk of chunks(names, IN_CHUNK)) {
        const stanzas = await this.trx
          .selectFrom('inventory_packages')
          .select(['name', 'inventory_id', 'package_key', 'architecture', 'version', 'status', 'multi_arch'])
          .where('name', 'in', nameChunk)
          .where('inventory_id', 'in', ids)
          .execute();
        for (const s of stanzas) {
          let dpkg = dpkgOf.get(s.inventory_id);
          if (!dpkg) dpkgOf.set(s.inventory_id, (dpkg = {}));
          dpkg[s.package_key] = { name: s.name, architecture: s.architecture, version: s.version, status: s.status, multiArch: s.multi_arch as DpkgPackage['multiArch'] };
        }
      }
    }
    const empty = new Map<number, Record<string, DpkgPackage>>();
    const out = new Map<string, Inventory | null>();
    for (const r of rows) {
      const software = r.inventory_sha256 ? this.software.get(r.inventory_sha256) : null;
      if (!software) {
        out.set(r.client_id, null);
        continue;
      }
      let dpkg: Record<string, DpkgPackage> | null = null;
      if (software.hasDpkg) {
        dpkg = dpkgOf.get(software.inventoryId) ?? empty.get(software.inventoryId) ?? null;
        if (dpkg === null) empty.set(software.inventoryId, (dpkg = {}));
      }
      out.set(r.client_id, joinInventory({ os: software.os, dpkg }, r.inventory_local ?? null));
    }
    return out;
  }
}

function groupByClient(rows: ReadonlyArray<{ collection_id: string; client_id: string }>, out: Map<string, Set<string>>): void {
  for (const r of rows) {
    const set = out.get(r.client_id);
    if (set) set.add(r.collection_id);
    else out.set(r.client_id, new Set([r.collection_id]));
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
