import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the console's catalogue listing over a full catalogue and a large fleet
 * (docs/performance.md, "Console"):
 *
 * - `client_update_states (update_id, state_id, client_id)` replaces the index on `update_id`
 *   alone: a page of updates is counted by state from the index only, and the clients it joins are
 *   read from it too, without a row lookup per state;
 * - the Required states by update (partial: Required rows only, few beside Installed; with the
 *   state, so that it covers the query on SQLite): "required by at least N clients" counts them
 *   from this index and nothing else;
 * - `updates (product, suite)`: the products list is read from the index, not from the catalogue's
 *   large rows;
 * - the inventories' os columns: the fleet estimate reads them for every distinct inventory, and on
 *   SQLite a row scan would walk each inventory document's overflow pages to reach them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('client_update_states_update_id').execute();
  await db.schema.createIndex('client_update_states_update_state').on('client_update_states').columns(['update_id', 'state_id', 'client_id']).execute();
  await db.schema.createIndex('client_update_states_required').on('client_update_states').columns(['update_id', 'state_id']).where(sql.ref('state_id'), '=', sql.lit(2)).execute();
  await db.schema.createIndex('updates_product_suite').on('updates').columns(['product', 'suite']).execute();
  await db.schema
    .createIndex('inventories_os')
    .on('inventories')
    .columns(['inventory_id', 'inventory_sha256', 'os_family', 'os_version_id', 'os_codename', 'os_architecture', 'has_dpkg'])
    .execute();
}
