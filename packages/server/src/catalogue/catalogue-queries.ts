import type { UpdateDetail, UpdateFilter, UpdatePage, UpdateQuery } from '@patchday/core';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database, UpdatesTable } from '../store/schema.ts';
import { storeKindOf, type StoreKind } from '../store/store.ts';
import type { UpdateBinary } from '@patchday/core';
import { fromUpdateRow } from './update-rows.ts';

/** `%…%` for LIKE with the user's own % and _ taken literally. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Case-insensitive substring match, the same on SQLite and PostgreSQL. */
const contains = (column: 'title' | 'description' | 'advisory_id' | 'cve_ids', text: string) =>
  sql<boolean>`(lower(${sql.ref(`updates.${column}`)}) like ${likePattern(text)} escape '\\')`;

/**
 * On SQLite, the rows of the trigram index (migration 0009) that can hold `text`, in `column` or
 * in any of its columns: a superset of the substring matches, for the LIKE to check. The index
 * has no trigram of a text shorter than three characters, so those are left to the LIKE alone.
 * PostgreSQL's trigram indexes serve the LIKE itself.
 */
const mayContain = (kind: StoreKind, text: string, column?: 'cve_ids') => {
  if (kind === 'postgres' || [...text].length < 3) return undefined;
  const phrase = `"${text.replaceAll('"', '""')}"`;
  return sql<boolean>`(updates.rowid in (select rowid from updates_text where updates_text match ${column ? `${column} : ${phrase}` : phrase}))`;
};

const DAY_MS = 86_400_000;

/**
 * Restricts a query over `updates` (alone or joined, unaliased: every column is qualified) to the updates
 * matching every criterion of `filter`. The one catalogue filter: listings, update groups and
 * automatic deployment rules all select through it. `now` anchors `releasedWithinDays`.
 */
export function applyUpdateFilter<TB extends keyof Database, O>(query: SelectQueryBuilder<Database, TB, O>, filter: UpdateFilter, now: Date, kind: StoreKind): SelectQueryBuilder<Database, TB, O> {
  let q = query as unknown as SelectQueryBuilder<Database, 'updates', O>;
  if (filter.product) q = q.where('updates.product', '=', filter.product);
  if (filter.classification) q = q.where('updates.classification', '=', filter.classification);
  if (filter.severity) q = q.where('updates.severity', '=', filter.severity);
  if (filter.suite) q = q.where('updates.suite', '=', filter.suite);
  if (filter.source) q = q.where('updates.source', '=', filter.source);
  if (filter.vendor) q = q.where('updates.vendor', '=', filter.vendor);
  if (filter.releasedSince) q = q.where('updates.release_date', '>=', new Date(filter.releasedSince).toISOString());
  if (filter.releasedWithinDays !== undefined) q = q.where('updates.release_date', '>=', new Date(now.getTime() - filter.releasedWithinDays * DAY_MS).toISOString());
  if (filter.superseded !== undefined) q = q.where('updates.superseded', '=', filter.superseded ? 1 : 0);
  if (filter.expired !== undefined) q = q.where('updates.expired', '=', filter.expired ? 1 : 0);
  if (filter.advisory) q = q.where('updates.advisory_id', '=', filter.advisory);
  if (filter.cve) {
    const quoted = `"${filter.cve.toUpperCase()}"`;
    const indexed = mayContain(kind, quoted, 'cve_ids');
    if (indexed) q = q.where(indexed);
    q = q.where(contains('cve_ids', quoted));
  }
  if (filter.text) {
    const text = filter.text;
    const indexed = mayContain(kind, text);
    if (indexed) q = q.where(indexed);
    q = q.where((eb) => eb.or([contains('title', text), contains('description', text), contains('advisory_id', text)]));
  }
  if (filter.requiredByAtLeast !== undefined) {
    const atLeast = filter.requiredByAtLeast;
    const collectionId = filter.collectionId;
    q = q.where('updates.update_id', 'in', (eb) => {
      if (collectionId === undefined) {
        // Every Required row counted from its partial index, less those of inactive clients (few):
        // no join per row.
        const rows = eb
          .selectFrom('client_update_states')
          .select((e) => ['update_id', e.fn.countAll<number>().as('n')])
          .where('state_id', '=', 2)
          .groupBy('update_id')
          .unionAll(
            eb
              .selectFrom('clients as c')
              .crossJoin('client_update_states as s')
              .select(['s.update_id', sql<number>`-count(*)`.as('n')])
              .whereRef('s.client_id', '=', 'c.client_id')
              .where('c.status', '<>', 'active')
              .where('s.state_id', '=', 2)
              .groupBy('s.update_id'),
          );
        return eb.selectFrom(rows.as('r')).select('r.update_id').groupBy('r.update_id').having(sql`sum(r.n)`, '>=', atLeast);
      }
      const required = eb
        .selectFrom('client_update_states as s')
        .innerJoin('clients as c', 'c.client_id', 's.client_id')
        .select('s.update_id')
        .where('s.state_id', '=', 2)
        .where('c.status', '=', 'active')
        .innerJoin('collection_members as cm', (j) => j.onRef('cm.client_id', '=', 's.client_id').on('cm.collection_id', '=', collectionId));
      return required.groupBy('s.update_id').having((h) => h.fn.countAll(), '>=', atLeast);
    });
  }
  return q as unknown as SelectQueryBuilder<Database, TB, O>;
}

/** Everything but the binaries document, which only the detail view needs. */
const summaryColumns = [
  'update_id', 'revision', 'upstream', 'product', 'suite', 'source', 'version', 'title', 'description', 'vendor', 'classification',
  'severity', 'release_date', 'advisory_id', 'cve_ids', 'reference_urls', 'language', 'reboot_behaviour', 'eula', 'present',
  'superseded', 'superseded_by', 'superseded_at', 'expired', 'metadata_sha256', 'first_seen_at', 'last_changed_at', 'change_seq', 'created_seq',
] as const;

const sortColumns = { releaseDate: 'release_date', title: 'title', product: 'product', classification: 'classification', changeSeq: 'change_seq' } as const;

export async function findUpdates(db: Kysely<Database>, q: UpdateQuery, now: Date): Promise<UpdatePage> {
  const descending = q.sort.startsWith('-');
  const column = sortColumns[q.sort.replace(/^-/, '') as keyof typeof sortColumns];
  const sorted = <O>(query: SelectQueryBuilder<Database, 'updates', O>) =>
    query
      .orderBy(column, descending ? 'desc' : 'asc')
      // Ties in the same direction: one index (column, update_id) read forwards or backwards.
      .orderBy('update_id', descending ? 'desc' : 'asc');
  const offset = (q.page - 1) * q.pageSize;
  let total: number;
  let rows: Array<Pick<UpdatesTable, (typeof summaryColumns)[number]>>;
  if (q.text !== undefined || q.cve !== undefined) {
    // A substring match: the sort keys of every match (found through the trigram index), then the page's rows.
    const keys = await sorted(applyUpdateFilter(db.selectFrom('updates'), q, now, storeKindOf(db)).select(['update_id', column])).execute();
    const ids = keys.slice(offset, offset + q.pageSize).map((k) => k.update_id);
    const byId = new Map(ids.length ? (await db.selectFrom('updates').select(summaryColumns).where('update_id', 'in', ids).execute()).map((r) => [r.update_id, r]) : []);
    total = keys.length;
    rows = ids.flatMap((id) => byId.get(id) ?? []);
  } else {
    const { n } = await applyUpdateFilter(db.selectFrom('updates'), q, now, storeKindOf(db))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    total = Number(n);
    rows = await sorted(applyUpdateFilter(db.selectFrom('updates'), q, now, storeKindOf(db)).select(summaryColumns)).limit(q.pageSize).offset(offset).execute();
  }
  return {
    total,
    page: q.page,
    pageSize: q.pageSize,
    updates: rows.map((r) => {
      const { description: _d, ...summary } = fromUpdateRow(r);
      return summary;
    }),
  };
}

export async function getUpdateDetail(db: Kysely<Database>, updateId: string): Promise<UpdateDetail | null> {
  const row = await db.selectFrom('updates').selectAll().where('update_id', '=', updateId).executeTakeFirst();
  if (!row) return null;
  const [supersedes, supersededBy, revisions] = await Promise.all([
    db.selectFrom('updates').select(['update_id', 'title', 'version']).where('superseded_by', '=', updateId).orderBy('release_date', 'desc').execute(),
    row.superseded_by ? db.selectFrom('updates').select(['update_id', 'title', 'version']).where('update_id', '=', row.superseded_by).executeTakeFirst() : undefined,
    db.selectFrom('update_revisions').selectAll().where('update_id', '=', updateId).orderBy('revision').execute(),
  ]);
  return {
    ...fromUpdateRow(row),
    binaries: JSON.parse(row.binaries) as UpdateBinary[],
    supersedes: supersedes.map((s) => ({ updateId: s.update_id, title: s.title, version: s.version })),
    supersededByUpdate: supersededBy ? { updateId: supersededBy.update_id, title: supersededBy.title, version: supersededBy.version } : null,
    revisions: [
      { revision: 1, changeSeq: row.created_seq, at: row.first_seen_at, changes: ['created'] },
      ...revisions.map((r) => ({ revision: r.revision, changeSeq: r.change_seq, at: r.at, changes: JSON.parse(r.changes) as string[] })),
    ],
  };
}
