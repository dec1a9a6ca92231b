import type { Kysely } from 'kysely';
import { ALL_SYSTEMS_COLLECTION_ID, ALL_SYSTEMS_COLLECTION_NAME } from '@patchday/core';

/**
 * Collections (§1): their definitions, direct-membership rules, and the materialised membership
 * (`collection_members`) that reports and deployments join to — indexed both ways, so "members of
 * C" and "collections of client X" are each one index range.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('collections')
    .addColumn('collection_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // Names are unique regardless of case: the CLI accepts a name wherever an id is expected.
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('built_in', 'integer', (c) => c.notNull())
    .addColumn('limiting_collection_id', 'text', (c) => c.references('collections.collection_id'))
    .addColumn('query_rules', 'text', (c) => c.notNull())
    .addColumn('include_ids', 'text', (c) => c.notNull())
    .addColumn('exclude_ids', 'text', (c) => c.notNull())
    .addColumn('client_settings', 'text', (c) => c.notNull())
    // Unique among the collections that carry settings (NULLs do not collide, on either engine).
    .addColumn('settings_priority', 'integer', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('collection_direct_members')
    .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.collection_id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('collection_direct_members_pk', ['collection_id', 'client_id'])
    .execute();
  await db.schema.createIndex('collection_direct_members_client').on('collection_direct_members').columns(['client_id', 'collection_id']).execute();

  await db.schema
    .createTable('collection_members')
    .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.collection_id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addPrimaryKeyConstraint('collection_members_pk', ['collection_id', 'client_id'])
    .execute();
  await db.schema.createIndex('collection_members_client').on('collection_members').columns(['client_id', 'collection_id']).execute();

  const now = new Date().toISOString();
  await db
    .insertInto('collections')
    .values({
      collection_id: ALL_SYSTEMS_COLLECTION_ID,
      name: ALL_SYSTEMS_COLLECTION_NAME,
      name_key: ALL_SYSTEMS_COLLECTION_NAME.toLowerCase(),
      description: 'Every active client of this site (built in).',
      built_in: 1,
      limiting_collection_id: null,
      query_rules: '[]',
      include_ids: '[]',
      exclude_ids: '[]',
      client_settings: '{}',
      settings_priority: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  // A site upgraded with clients already enrolled: All Systems holds its active clients at once.
  await db
    .insertInto('collection_members')
    .columns(['collection_id', 'client_id'])
    .expression(db.selectFrom('clients').select((eb) => [eb.cast(eb.val(ALL_SYSTEMS_COLLECTION_ID), 'text').as('collection_id'), 'client_id']).where('status', '=', 'active'))
    .execute();
}
