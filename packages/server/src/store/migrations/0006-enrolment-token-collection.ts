import type { Kysely } from 'kysely';

/** An enrolment token may place the clients that enrol with it in a collection (direct members). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('enrolment_tokens').addColumn('collection_id', 'text').execute();
}
