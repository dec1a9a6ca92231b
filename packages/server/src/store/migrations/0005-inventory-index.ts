import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { autoId } from './columns.ts';
import { moveInlineInventories } from '../../inventory/inventory-store.ts';

/**
 * Inventories stored once per distinct software inventory, and an inverted index of their dpkg
 * packages (docs/compliance.md):
 *
 * - `inventories`: one row per distinct software inventory (os + dpkg database), by the sha256 of its
 *   canonical JSON; clients point at theirs with `clients.inventory_sha256`. What is particular to a
 *   machine (facts such as its hostname, files, command results) stays on the client row
 *   (`clients.inventory_local`), so machines built from one image share one row.
 * - `inventory_packages`: the dpkg stanzas of each distinct inventory that can make a `dpkg`
 *   condition anything but false (installed, or caught mid-install), clustered by package name: "which
 *   inventories have libssl3, and at which version" is one index range.
 *
 * Existing rows move: every `clients.inventory` is split and stored as above, then the column goes.
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  await autoId(db.schema.createTable('inventories'), 'inventory_id', kind)
    .addColumn('inventory_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('inventory', 'text', (c) => c.notNull())
    .addColumn('product', 'text')
    .addColumn('os_family', 'text', (c) => c.notNull())
    .addColumn('os_version_id', 'text')
    .addColumn('os_codename', 'text')
    .addColumn('os_architecture', 'text')
    .addColumn('has_dpkg', 'integer', (c) => c.notNull())
    .addColumn('package_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  let packages = db.schema
    .createTable('inventory_packages')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('inventory_id', 'integer', (c) => c.notNull())
    .addColumn('package_key', 'text', (c) => c.notNull())
    .addColumn('architecture', 'text')
    .addColumn('version', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('multi_arch', 'text')
    .addPrimaryKeyConstraint('inventory_packages_pk', ['name', 'inventory_id', 'package_key']);
  // SQLite: the table is its primary key's b-tree, so a package's rows are one contiguous range.
  if (kind === 'sqlite') packages = packages.modifyEnd(sql`without rowid`);
  await packages.execute();
  await db.schema.createIndex('inventory_packages_inventory').on('inventory_packages').column('inventory_id').execute();

  await db.schema.alterTable('clients').addColumn('inventory_local', 'text').execute();
  await moveInlineInventories(db);
  await db.schema.alterTable('clients').dropColumn('inventory').execute();
  await db.schema.createIndex('clients_inventory_sha256').on('clients').column('inventory_sha256').execute();
}
