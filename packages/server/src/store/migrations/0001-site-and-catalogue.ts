import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { autoId } from './columns.ts';

export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();

  await autoId(db.schema.createTable('audit_log'), 'audit_id', kind)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();

  await autoId(db.schema.createTable('status_messages'), 'status_id', kind)
    .addColumn('message_id', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('component', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_messages_message_id').on('status_messages').column('message_id').execute();

  await db.schema
    .createTable('upstreams')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('suites', 'text', (c) => c.notNull())
    .addColumn('architectures', 'text', (c) => c.notNull())
    .addColumn('keyring', 'text', (c) => c.notNull())
    .addColumn('allow_stale', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('site_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('suite_states')
    .addColumn('upstream', 'text', (c) => c.notNull())
    .addColumn('suite', 'text', (c) => c.notNull())
    .addColumn('in_release', 'text', (c) => c.notNull())
    .addColumn('in_release_sha256', 'text', (c) => c.notNull())
    .addColumn('release_date', 'text', (c) => c.notNull())
    .addColumn('valid_until', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('indexes', 'text', (c) => c.notNull())
    .addColumn('published_updates', 'integer', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('suite_states_pk', ['upstream', 'suite'])
    .execute();

  await autoId(db.schema.createTable('sync_runs'), 'run_id', kind)
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revised', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('superseded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('catalogue_seq', 'integer')
    .addColumn('suites', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('updates')
    .addColumn('update_id', 'text', (c) => c.primaryKey())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('upstream', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('suite', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('release_date', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text')
    .addColumn('cve_ids', 'text', (c) => c.notNull())
    .addColumn('reference_urls', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('reboot_behaviour', 'text', (c) => c.notNull())
    .addColumn('eula', 'integer', (c) => c.notNull())
    .addColumn('present', 'integer', (c) => c.notNull())
    .addColumn('superseded', 'integer', (c) => c.notNull())
    .addColumn('superseded_by', 'text')
    .addColumn('superseded_at', 'text')
    .addColumn('expired', 'integer', (c) => c.notNull())
    .addColumn('metadata_sha256', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_changed_at', 'text', (c) => c.notNull())
    .addColumn('change_seq', 'integer', (c) => c.notNull())
    .addColumn('created_seq', 'integer', (c) => c.notNull())
    .addColumn('binaries', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('updates_change_seq').on('updates').column('change_seq').execute();
  await db.schema.createIndex('updates_product_source').on('updates').columns(['product', 'source']).execute();
  await db.schema.createIndex('updates_release_date').on('updates').column('release_date').execute();
  await db.schema.createIndex('updates_superseded_by').on('updates').column('superseded_by').execute();
  // Only superseded updates have superseded_at: the expiry check reads this small index, not the catalogue.
  await db.schema.createIndex('updates_superseded_at').on('updates').column('superseded_at').execute();

  await db.schema
    .createTable('update_revisions')
    .addColumn('update_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('change_seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('update_revisions_pk', ['update_id', 'revision'])
    .execute();
}
