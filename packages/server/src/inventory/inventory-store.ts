import { createHash } from 'node:crypto';
import { isInstalledStatus, productOfInventory, type DpkgPackage, type Inventory, type InventoryOs } from '@patchday/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, InventoryPackagesTable } from '../store/schema.ts';
import { isPostgres } from '../store/store.ts';

/**
 * Every client's last inventory, stored so that a site of 100,000 clients can evaluate an update
 * over all of them without reading them all (docs/compliance.md):
 *
 * - the software part of an inventory (os + dpkg database) is stored once per distinct content, in
 *   `inventories`, by the sha256 of its canonical JSON; `clients.inventory_sha256` points at it;
 * - the rest (facts — an agent reports the machine's hostname there —, files, command results) is
 *   particular to the machine and stays on its client row, `clients.inventory_local`;
 * - `inventory_packages` indexes the dpkg stanzas of each distinct inventory by package name;
 * - an inventory no client points at any more is deleted with its index rows.
 *
 * Nothing else reads or writes these tables or columns.
 */

export interface InventoryEntry {
  clientId: string;
  inventory: Inventory;
}

/** The two stored parts of one inventory. */
interface SplitInventory {
  sha256: string;
  /** Canonical JSON of `{os, dpkg}`. */
  sharedJson: string;
  shared: Pick<Inventory, 'os' | 'dpkg'>;
  localJson: string;
}

type Db = Kysely<Database>;

/** Index rows per INSERT (one JSON parameter). */
const PACKAGE_CHUNK = 5000;
/** Client ids or hashes per `IN (…)` list. */
const ID_CHUNK = 1000;
/** Clients per bulk UPDATE (one JSON parameter). */
const CLIENT_CHUNK = 5000;

/**
 * Stores `inventory` as the client's last inventory, at `at`, inside `db`'s transaction (or a new
 * one). The client's previous inventory is deleted when no other client still has it.
 */
export async function storeInventory(db: Db, clientId: string, inventory: Inventory, at: Date): Promise<{ inventorySha256: string }> {
  const [sha] = await storeInventories(db, [{ clientId, inventory }], at);
  return { inventorySha256: sha };
}

/**
 * {@link storeInventory} for many clients at once (a fleet moved in, benchmarks): each distinct
 * inventory is prepared and written once, clients are updated in bulk. Returns each entry's
 * inventory hash, in order.
 */
export async function storeInventories(db: Db, entries: readonly InventoryEntry[], at: Date): Promise<string[]> {
  if (!db.isTransaction) return db.transaction().execute((trx) => storeInventories(trx, entries, at));
  const trx = db as Transaction<Database>;
  // Entries sharing one dpkg record object (a loader's fleet built from a few images) are hashed once.
  const prepared = new WeakMap<object, Map<string, SharedPart>>();
  const splits = entries.map((e): SplitInventory => {
    const { dpkg, os } = e.inventory;
    if (dpkg === null) return splitInventory(e.inventory);
    let byOs = prepared.get(dpkg);
    if (!byOs) prepared.set(dpkg, (byOs = new Map()));
    const osKey = JSON.stringify([os.family, os.versionId, os.codename, os.architecture]);
    let shared = byOs.get(osKey);
    if (!shared) byOs.set(osKey, (shared = sharedPartOf(e.inventory)));
    return { ...shared, localJson: localJsonOf(e.inventory) };
  });
  const distinct = new Map<string, SplitInventory>();
  for (const s of splits) distinct.set(s.sha256, s);
  const clientIds = [...new Set(entries.map((e) => e.clientId))];

  const previous = new Set<string>();
  for (const ids of chunks(clientIds, ID_CHUNK)) {
    const rows = await trx.selectFrom('clients').select('inventory_sha256').where('client_id', 'in', ids).where('inventory_sha256', 'is not', null).execute();
    for (const r of rows) previous.add(r.inventory_sha256!);
  }
  await ensureInventories(trx, distinct, previous, at);

  const nowText = at.toISOString();
  // The last entry of a client wins, as if stored one after the other.
  const lastEntry = new Map<string, number>();
  entries.forEach((e, i) => lastEntry.set(e.clientId, i));
  const updates = [...lastEntry].map(([client_id, i]) => ({ client_id, sha: splits[i].sha256, local: splits[i].localJson }));
  if (updates.length <= 20) {
    for (const u of updates) {
      await trx.updateTable('clients').set({ inventory_sha256: u.sha, inventory_local: u.local, last_inventory_at: nowText }).where('client_id', '=', u.client_id).execute();
    }
  } else {
    for (const chunk of chunks(updates, CLIENT_CHUNK)) {
      const json = JSON.stringify(chunk);
      if (isPostgres(trx)) {
        await sql`update clients set inventory_sha256 = v.sha, inventory_local = v.local, last_inventory_at = ${nowText}
          from json_to_recordset(${json}::json) as v(client_id text, sha text, local text) where clients.client_id = v.client_id`.execute(trx);
      } else {
        await sql`update clients set inventory_sha256 = json_extract(v.value, '$.sha'), inventory_local = json_extract(v.value, '$.local'), last_inventory_at = ${nowText}
          from json_each(${json}) as v where clients.client_id = json_extract(v.value, '$.client_id')`.execute(trx);
      }
    }
  }
  // Entries for clients that do not exist leave their new inventories unreferenced: those go too.
  await releaseInventories(trx, [...previous, ...distinct.keys()]);
  return splits.map((s) => s.sha256);
}

/**
 * Makes sure every inventory of `wanted` exists, and on PostgreSQL holds a row lock on each of them
 * and on `previous` until the transaction ends: a concurrent transaction cannot delete an inventory
 * this one is about to point a client at, nor point a client at one this one is about to delete.
 * (SQLite runs one write transaction at a time.)
 */
async function ensureInventories(trx: Transaction<Database>, wanted: ReadonlyMap<string, SplitInventory>, previous: ReadonlySet<string>, at: Date): Promise<void> {
  const shas = [...wanted.keys()];
  for (let attempt = 0; ; attempt++) {
    const existing = new Set<string>();
    for (const ids of chunks(shas, ID_CHUNK)) {
      for (const r of await trx.selectFrom('inventories').select('inventory_sha256').where('inventory_sha256', 'in', ids).execute()) existing.add(r.inventory_sha256);
    }
    const missing = shas.filter((s) => !existing.has(s)).map((s) => wanted.get(s)!);
    for (const split of missing) await insertInventory(trx, split, at);
    if (!isPostgres(trx)) return;
    const lockable = [...new Set([...shas, ...previous])].sort();
    const locked = new Set<string>();
    for (const ids of chunks(lockable, ID_CHUNK)) {
      const rows = await trx.selectFrom('inventories').select('inventory_sha256').where('inventory_sha256', 'in', ids).orderBy('inventory_sha256').forUpdate().execute();
      for (const r of rows) locked.add(r.inventory_sha256);
    }
    // One we found was deleted by a transaction that committed meanwhile: store it again.
    if (shas.every((s) => locked.has(s))) return;
    if (attempt >= 3) throw new Error('storing an inventory kept racing with the deletion of unreferenced inventories');
  }
}

async function insertInventory(trx: Transaction<Database>, split: SplitInventory, at: Date): Promise<void> {
  const { os, dpkg } = split.shared;
  const inserted = await trx
    .insertInto('inventories')
    .values({
      inventory_sha256: split.sha256,
      inventory: split.sharedJson,
      product: productOfInventory({ os }),
      os_family: os.family,
      os_version_id: os.versionId,
      os_codename: os.codename,
      os_architecture: os.architecture,
      has_dpkg: dpkg === null ? 0 : 1,
      package_count: dpkg === null ? 0 : Object.keys(dpkg).length,
      created_at: at.toISOString(),
    })
    .onConflict((oc) => oc.column('inventory_sha256').doNothing())
    .returning('inventory_id')
    .executeTakeFirst();
  // Another transaction stored the same inventory first: it wrote the index rows too.
  if (!inserted) return;
  await insertPackageRows(trx, inserted.inventory_id, packageRowsOf(inserted.inventory_id, dpkg));
}

/**
 * One INSERT per inventory, its rows as one JSON parameter expanded by the engine (json_each on
 * SQLite, json_to_recordset on PostgreSQL): hundreds of rows without binding thousands of parameters.
 */
async function insertPackageRows(trx: Kysely<Database>, inventoryId: number, rows: readonly InventoryPackagesTable[]): Promise<void> {
  for (const chunk of chunks(rows, PACKAGE_CHUNK)) {
    const json = JSON.stringify(chunk.map((r) => [r.name, r.package_key, r.architecture, r.version, r.status, r.multi_arch]));
    if (isPostgres(trx)) {
      await sql`insert into inventory_packages (name, inventory_id, package_key, architecture, version, status, multi_arch)
        select r->>0, ${inventoryId}::integer, r->>1, r->>2, r->>3, r->>4, r->>5 from json_array_elements(${json}::json) as r`.execute(trx);
    } else {
      await sql`insert into inventory_packages (name, inventory_id, package_key, architecture, version, status, multi_arch)
        select value ->> 0, ${inventoryId}, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 from json_each(${json})`.execute(trx);
    }
  }
}

/**
 * The index rows of one inventory: every stanza that can make a dpkg condition other than false.
 * A stanza dpkg keeps of a removed package (`not-installed`, `config-files`) never can — the
 * evaluator counts it as absent — so it is left out: evaluating on the indexed stanzas alone gives
 * the same answer as on the whole database (packages/server/src/compliance/fleet-estimate.test.ts).
 */
export function packageRowsOf(inventoryId: number, dpkg: Inventory['dpkg']): InventoryPackagesTable[] {
  if (dpkg === null) return [];
  const rows: InventoryPackagesTable[] = [];
  for (const [key, p] of Object.entries(dpkg)) {
    if (isInstalledStatus(p.status) === false) continue;
    rows.push({ name: p.name, inventory_id: inventoryId, package_key: key, architecture: p.architecture, version: p.version, status: p.status, multi_arch: p.multiArch });
  }
  return rows;
}

/** Deletes those of `shas` that no client points at any more, with their index rows. */
export async function releaseInventories(db: Db, shas: Iterable<string>): Promise<number> {
  let deleted = 0;
  for (const ids of chunks([...new Set(shas)].sort(), ID_CHUNK)) {
    // PostgreSQL: lock them first, so that a transaction pointing a client at one of them either
    // committed before the check below (which then sees its client) or waits for the deletion.
    if (isPostgres(db)) await db.selectFrom('inventories').select('inventory_id').where('inventory_sha256', 'in', ids).orderBy('inventory_sha256').forUpdate().execute();
    const gone = await db
      .selectFrom('inventories')
      .select('inventory_id')
      .where('inventory_sha256', 'in', ids)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('clients').select('clients.client_id').whereRef('clients.inventory_sha256', '=', 'inventories.inventory_sha256'))))
      .execute();
    if (gone.length === 0) continue;
    const inventoryIds = gone.map((g) => g.inventory_id);
    await db.deleteFrom('inventory_packages').where('inventory_id', 'in', inventoryIds).execute();
    await db.deleteFrom('inventories').where('inventory_id', 'in', inventoryIds).execute();
    deleted += gone.length;
  }
  return deleted;
}

/** Deletes every inventory no client points at (after clients were removed in bulk). */
export async function collectUnreferencedInventories(db: Db): Promise<number> {
  const rows = await db
    .selectFrom('inventories')
    .select('inventory_sha256')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('clients').select('clients.client_id').whereRef('clients.inventory_sha256', '=', 'inventories.inventory_sha256'))))
    .execute();
  return releaseInventories(db, rows.map((r) => r.inventory_sha256));
}

/** The client's last inventory, or null (no inventory yet, or no such client). */
export async function inventoryOf(db: Db, clientId: string): Promise<Inventory | null> {
  return (await inventoriesOf(db, [clientId])).get(clientId) ?? null;
}

/**
 * The last inventories of `clientIds`, in that order (null for a client without one; clients that
 * do not exist are absent). Each distinct software inventory is parsed once: clients that share one share its `os`
 * and `dpkg` objects, so treat the results as read-only.
 */
export async function inventoriesOf(db: Db, clientIds: readonly string[]): Promise<Map<string, Inventory | null>> {
  const found = new Map<string, Inventory | null>();
  const shared = new Map<string, Pick<Inventory, 'os' | 'dpkg'>>();
  const wantedIds = [...new Set(clientIds)];
  for (const ids of chunks(wantedIds, ID_CHUNK)) {
    const clients = await db.selectFrom('clients').select(['client_id', 'inventory_sha256', 'inventory_local']).where('client_id', 'in', ids).execute();
    const wanted = [...new Set(clients.map((c) => c.inventory_sha256).filter((s): s is string => s !== null && !shared.has(s)))];
    for (const [sha, inventory] of await sharedInventoriesOf(db, wanted)) shared.set(sha, inventory);
    for (const c of clients) {
      const software = c.inventory_sha256 === null ? undefined : shared.get(c.inventory_sha256);
      found.set(c.client_id, software ? joinInventory(software, c.inventory_local) : null);
    }
  }
  // In the order asked.
  const out = new Map<string, Inventory | null>();
  for (const id of wantedIds) if (found.has(id)) out.set(id, found.get(id)!);
  return out;
}

/** The software parts (`{os, dpkg}`) of the given distinct inventories, parsed. */
export async function sharedInventoriesOf(db: Db, shas: readonly string[]): Promise<Map<string, Pick<Inventory, 'os' | 'dpkg'>>> {
  const out = new Map<string, Pick<Inventory, 'os' | 'dpkg'>>();
  for (const ids of chunks([...new Set(shas)], 200)) {
    const rows = await db.selectFrom('inventories').select(['inventory_sha256', 'inventory']).where('inventory_sha256', 'in', ids).execute();
    for (const r of rows) out.set(r.inventory_sha256, JSON.parse(r.inventory) as Pick<Inventory, 'os' | 'dpkg'>);
  }
  return out;
}

/** A client's whole inventory from its software part and its own part. */
export function joinInventory(software: Pick<Inventory, 'os' | 'dpkg'>, localJson: string | null): Inventory {
  const local = localJson ? (JSON.parse(localJson) as Pick<Inventory, 'facts' | 'files' | 'commandResults'>) : { facts: {} };
  return { os: software.os, dpkg: software.dpkg, ...local, facts: local.facts ?? {} };
}

type SharedPart = Omit<SplitInventory, 'localJson'>;

/** Splits an inventory into its software part (canonical JSON and hash) and the machine's own part. */
export function splitInventory(inventory: Inventory): SplitInventory {
  return { ...sharedPartOf(inventory), localJson: localJsonOf(inventory) };
}

function sharedPartOf(inventory: Inventory): SharedPart {
  const os: InventoryOs = { family: inventory.os.family, versionId: inventory.os.versionId, codename: inventory.os.codename, architecture: inventory.os.architecture };
  let dpkg: Record<string, DpkgPackage> | null = null;
  if (inventory.dpkg !== null) {
    dpkg = {};
    for (const key of Object.keys(inventory.dpkg).sort()) {
      const p = inventory.dpkg[key];
      dpkg[key] = { name: p.name, architecture: p.architecture, version: p.version, status: p.status, multiArch: p.multiArch };
    }
  }
  const shared = { os, dpkg };
  const sharedJson = JSON.stringify(shared);
  return { sha256: createHash('sha256').update(sharedJson).digest('hex'), sharedJson, shared };
}

/** JSON of what is particular to the machine: facts, and files and command results when reported. */
function localJsonOf(inventory: Inventory): string {
  const local: Pick<Inventory, 'facts' | 'files' | 'commandResults'> = { facts: sortedRecord(inventory.facts) };
  if (inventory.files !== undefined) local.files = sortedRecord(inventory.files);
  if (inventory.commandResults !== undefined) local.commandResults = sortedRecord(inventory.commandResults);
  return JSON.stringify(local);
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Migration 0005: moves every `clients.inventory` (the whole inventory as JSON, before this
 * store existed) into the store, a batch of clients at a time.
 */
export async function moveInlineInventories(db: Kysely<any>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = (await db
      .selectFrom('clients')
      .select(['client_id', 'inventory', 'last_inventory_at'])
      .where('inventory', 'is not', null)
      .where('client_id', '>', after)
      .orderBy('client_id')
      .limit(200)
      .execute()) as Array<{ client_id: string; inventory: string; last_inventory_at: string | null }>;
    if (rows.length === 0) return;
    for (const row of rows) {
      const at = row.last_inventory_at ? new Date(row.last_inventory_at) : new Date();
      await moveOne(db, row, at);
    }
    after = rows[rows.length - 1].client_id;
  }
}

async function moveOne(db: Kysely<any>, row: { client_id: string; inventory: string }, at: Date): Promise<void> {
  const split = splitInventory(JSON.parse(row.inventory) as Inventory);
  const exists = await db.selectFrom('inventories').select('inventory_id').where('inventory_sha256', '=', split.sha256).executeTakeFirst();
  if (!exists) await insertInventory(db as Transaction<Database>, split, at);
  await db.updateTable('clients').set({ inventory_sha256: split.sha256, inventory_local: split.localJson }).where('client_id', '=', row.client_id).execute();
}
