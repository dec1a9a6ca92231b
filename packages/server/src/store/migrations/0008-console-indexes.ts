import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';

/**
 * Indexes for the console's All updates page over a full catalogue (72,000 updates of ~1 kB each)
 * and a large fleet (docs/performance.md, "Console"). Without them a page, its counts or the
 * filter list read every catalogue row or every state row.
 *
 * - `client_update_states (update_id, state_id)` replaces the index on `update_id` alone: a page
 *   of updates is counted by state from the index only. On PostgreSQL, which joins a page's rows to
 *   their clients by hashing, with `client_id` too, so that join reads the index only; on SQLite
 *   that wider index cost a quarter of the state-message ingest rate (the rows' clients are read
 *   there only when few clients cover the page, see client-compliance.ts);
 * - the Required states by update (partial: Required rows only, few beside Installed; with the
 *   state, so that it covers the query on SQLite): "required by at least N clients";
 * - `clients (status, inventory_sha256, last_scan_product, last_scan_anchor, client_id)`: the
 *   groups of clients the counts start from, and the clients a page's scans do not cover;
 * - the inventories' os columns: the fleet estimate reads them for every distinct inventory, and on
 *   SQLite a row scan walks each inventory document's overflow pages to reach them;
 * - on `updates`, each sort column with `update_id` (the listing's tie-break, in the same direction),
 *   so a page is an index range however many updates share a release date (all of a suite's do);
 *   the product with the release date (a product's newest updates); the classification and
 *   severity; the flags and criteria a filtered count reads; and the product with the suite (the
 *   products list).
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  await db.schema.dropIndex('client_update_states_update_id').execute();
  const stateColumns = kind === 'postgres' ? ['update_id', 'state_id', 'client_id'] : ['update_id', 'state_id'];
  await db.schema.createIndex('client_update_states_update_state').on('client_update_states').columns(stateColumns).execute();
  await db.schema.createIndex('client_update_states_required').on('client_update_states').columns(['update_id', 'state_id']).where(sql.ref('state_id'), '=', sql.lit(2)).execute();
  await db.schema.createIndex('clients_scan').on('clients').columns(['status', 'inventory_sha256', 'last_scan_product', 'last_scan_anchor', 'client_id']).execute();
  await db.schema
    .createIndex('inventories_os')
    .on('inventories')
    .columns(['inventory_id', 'inventory_sha256', 'os_family', 'os_version_id', 'os_codename', 'os_architecture', 'has_dpkg'])
    .execute();

  await db.schema.dropIndex('updates_release_date').execute();
  await db.schema.createIndex('updates_release_date_id').on('updates').columns(['release_date', 'update_id']).execute();
  await db.schema.createIndex('updates_title').on('updates').columns(['title', 'update_id']).execute();
  await db.schema.createIndex('updates_product_release_date').on('updates').columns(['product', 'release_date', 'update_id']).execute();
  await db.schema.createIndex('updates_classification').on('updates').columns(['classification', 'update_id']).execute();
  await db.schema.createIndex('updates_severity').on('updates').columns(['severity', 'update_id']).execute();
  await db.schema.createIndex('updates_listing_filter').on('updates').columns(['superseded', 'product', 'classification', 'severity', 'expired', 'release_date', 'update_id']).execute();
  await db.schema.createIndex('updates_product_suite').on('updates').columns(['product', 'suite']).execute();
}
