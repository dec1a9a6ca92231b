import type { Kysely } from 'kysely';

/**
 * §5 state messages: each client's last detection state per update (topic 500) and its last scan
 * (topic 501), and the highest message sequence number stored for it, which makes a resent batch
 * a no-op. Sequence numbers, anchors and revisions are `bigint` (int8 on PostgreSQL, INTEGER on
 * SQLite): the wire allows any safe integer, which must not overflow a 32-bit column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('client_update_states')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('update_id', 'text', (c) => c.notNull())
    .addColumn('state_id', 'integer', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    /** The agent's time of the message. */
    .addColumn('state_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_update_states_pk', ['client_id', 'update_id'])
    .execute();
  await db.schema.createIndex('client_update_states_update_id').on('client_update_states').column('update_id').execute();

  await db.schema.alterTable('clients').addColumn('last_message_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  for (const column of ['last_state_message_at', 'last_scan_at']) await db.schema.alterTable('clients').addColumn(column, 'text').execute();
  await db.schema.alterTable('clients').addColumn('last_scan_state_id', 'integer').execute();
  await db.schema.alterTable('clients').addColumn('last_scan_anchor', 'bigint').execute();
  for (const column of ['last_scan_product', 'last_scan_error', 'last_scan_completed_at']) await db.schema.alterTable('clients').addColumn(column, 'text').execute();
}
