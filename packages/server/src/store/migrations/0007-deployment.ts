import type { Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';
import { autoId } from './columns.ts';

/**
 * §6 deployment: update groups, deployment packages and the content library's index, distribution
 * points and what each holds, collections' maintenance windows, deployments and what each client
 * reported about them (topics 300/301/302), automatic deployment rules, and alerts. The meaning of
 * every column is in `schema.ts`.
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  await db.schema
    .createTable('update_groups')
    .addColumn('group_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('update_group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('update_groups.group_id').onDelete('cascade'))
    .addColumn('update_id', 'text', (c) => c.notNull().references('updates.update_id'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('update_group_members_pk', ['group_id', 'update_id'])
    .execute();
  await db.schema.createIndex('update_group_members_update').on('update_group_members').columns(['update_id', 'group_id']).execute();

  await db.schema
    .createTable('deployment_packages')
    .addColumn('package_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('source_folder', 'text', (c) => c.notNull().unique())
    .addColumn('content_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('content_files')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('package_files')
    .addColumn('package_id', 'text', (c) => c.notNull().references('deployment_packages.package_id').onDelete('cascade'))
    .addColumn('update_id', 'text', (c) => c.notNull().references('updates.update_id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('package_files_pk', ['package_id', 'update_id', 'sha256'])
    .execute();
  await db.schema.createIndex('package_files_sha256').on('package_files').columns(['sha256', 'package_id']).execute();
  await db.schema.createIndex('package_files_update').on('package_files').columns(['update_id', 'package_id']).execute();

  await db.schema
    .createTable('distribution_points')
    .addColumn('dp_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('credential_hash', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text')
    .execute();
  await db.schema
    .createTable('dp_packages')
    .addColumn('dp_id', 'text', (c) => c.notNull().references('distribution_points.dp_id').onDelete('cascade'))
    .addColumn('package_id', 'text', (c) => c.notNull().references('deployment_packages.package_id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('content_version', 'integer', (c) => c.notNull())
    .addColumn('bytes_total', 'bigint', (c) => c.notNull())
    .addColumn('bytes_done', 'bigint', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dp_packages_pk', ['dp_id', 'package_id'])
    .execute();

  await db.schema
    .createTable('maintenance_windows')
    .addColumn('window_id', 'text', (c) => c.primaryKey())
    .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.collection_id').onDelete('cascade'))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('maintenance_windows_collection').on('maintenance_windows').column('collection_id').execute();

  await db.schema
    .createTable('automatic_deployment_rules')
    .addColumn('adr_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull().references('update_groups.group_id'))
    .addColumn('package_id', 'text', (c) => c.references('deployment_packages.package_id'))
    .addColumn('next_run_at', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('last_run_result', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('deployment_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull().references('update_groups.group_id'))
    .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.collection_id'))
    .addColumn('adr_id', 'text', (c) => c.references('automatic_deployment_rules.adr_id').onDelete('set null'))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deployments_collection').on('deployments').columns(['collection_id', 'enabled']).execute();
  await db.schema.createIndex('deployments_group').on('deployments').column('group_id').execute();

  await db.schema
    .createTable('client_deployment_states')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'integer', (c) => c.notNull())
    .addColumn('state_id', 'integer', (c) => c.notNull())
    .addColumn('update_id', 'text')
    .addColumn('error', 'text')
    .addColumn('state_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_deployment_states_pk', ['client_id', 'deployment_id', 'topic'])
    .execute();
  await db.schema.createIndex('client_deployment_states_deployment').on('client_deployment_states').columns(['deployment_id', 'topic']).execute();

  await autoId(db.schema.createTable('alerts'), 'alert_id', kind)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('cleared_at', 'text')
    .execute();
  await db.schema.createIndex('alerts_open').on('alerts').columns(['kind', 'target_id', 'cleared_at']).execute();
}
