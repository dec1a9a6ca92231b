import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('enrolment_tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('uses_left', 'integer')
    .addColumn('revoked', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credential_hash', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('enrolment_token_id', 'text')
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('last_policy_at', 'text')
    .addColumn('last_inventory_at', 'text')
    .addColumn('inventory', 'text')
    .addColumn('inventory_sha256', 'text')
    .execute();
  await db.schema.createIndex('clients_name').on('clients').column('name').execute();
}
