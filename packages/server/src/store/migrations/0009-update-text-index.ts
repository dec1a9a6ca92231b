import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../store.ts';

/**
 * Indexes for the catalogue's substring filters (`text`: title, description, advisory id; `cve`),
 * which otherwise read every update (~72 MB of text for a full catalogue).
 *
 * - SQLite: an FTS5 table with the trigram tokenizer, over the catalogue's own rows (external
 *   content, kept by triggers). A phrase query on it finds the rows holding every trigram of the
 *   text in order: at least the rows whose text contains it (it folds case beyond ASCII too), so
 *   the listing still applies its LIKE on those few rows and answers exactly as before.
 * - PostgreSQL: pg_trgm GIN indexes on the lower-cased columns, which the planner uses for the
 *   listing's `lower(column) like '%…%'` as it is. pg_trgm ships with PostgreSQL and is a trusted
 *   extension (13+): the database's owner may create it.
 */
export async function up(db: Kysely<any>, kind: StoreKind): Promise<void> {
  if (kind === 'postgres') {
    try {
      await sql`create extension if not exists pg_trgm`.execute(db);
    } catch (error) {
      throw new Error(`the catalogue's text index needs PostgreSQL's pg_trgm extension (in the postgresql package; the database owner may create it): ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const column of ['title', 'description', 'advisory_id', 'cve_ids']) {
      await sql`create index ${sql.id(`updates_${column}_trigrams`)} on updates using gin (lower(${sql.ref(column)}) gin_trgm_ops)`.execute(db);
    }
    return;
  }
  await sql`create virtual table updates_text using fts5(title, description, advisory_id, cve_ids, content = 'updates', content_rowid = 'rowid', tokenize = 'trigram')`.execute(db);
  await sql`insert into updates_text (updates_text) values ('rebuild')`.execute(db);
  // A bulk load drops this trigger and fills the table in one statement (open-store.ts, sqliteTextIndexes).
  await sql`create trigger updates_text_insert after insert on updates begin
    insert into updates_text (rowid, title, description, advisory_id, cve_ids) values (new.rowid, new.title, new.description, new.advisory_id, new.cve_ids);
  end`.execute(db);
  await sql`create trigger updates_text_delete after delete on updates begin
    insert into updates_text (updates_text, rowid, title, description, advisory_id, cve_ids) values ('delete', old.rowid, old.title, old.description, old.advisory_id, old.cve_ids);
  end`.execute(db);
  await sql`create trigger updates_text_update after update of title, description, advisory_id, cve_ids on updates begin
    insert into updates_text (updates_text, rowid, title, description, advisory_id, cve_ids) values ('delete', old.rowid, old.title, old.description, old.advisory_id, old.cve_ids);
    insert into updates_text (rowid, title, description, advisory_id, cve_ids) values (new.rowid, new.title, new.description, new.advisory_id, new.cve_ids);
  end`.execute(db);
}
