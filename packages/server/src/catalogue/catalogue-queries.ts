import type { UpdateDetail, UpdatePage, UpdateQuery } from '@patchday/core';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { UpdateBinary } from '@patchday/core';
import { fromUpdateRow } from './update-rows.ts';

type UpdatesQuery = SelectQueryBuilder<Database, 'updates', object>;

/** `%…%` for LIKE with the user's own % and _ taken literally. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Case-insensitive substring match, the same on SQLite and PostgreSQL. */
const contains = (column: 'title' | 'description' | 'advisory_id' | 'cve_ids', text: string) =>
  sql<boolean>`(lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\')`;

function applyFilters(query: UpdatesQuery, q: UpdateQuery): UpdatesQuery {
  if (q.product) query = query.where('product', '=', q.product);
  if (q.classification) query = query.where('classification', '=', q.classification);
  if (q.severity) query = query.where('severity', '=', q.severity);
  if (q.suite) query = query.where('suite', '=', q.suite);
  if (q.source) query = query.where('source', '=', q.source);
  if (q.releasedSince) query = query.where('release_date', '>=', new Date(q.releasedSince).toISOString());
  if (q.superseded !== undefined) query = query.where('superseded', '=', q.superseded ? 1 : 0);
  if (q.expired !== undefined) query = query.where('expired', '=', q.expired ? 1 : 0);
  if (q.advisory) query = query.where('advisory_id', '=', q.advisory);
  if (q.cve) query = query.where(contains('cve_ids', `"${q.cve.toUpperCase()}"`));
  if (q.text) {
    const text = q.text;
    query = query.where((eb) => eb.or([contains('title', text), contains('description', text), contains('advisory_id', text)]));
  }
  return query;
}

/** Everything but the binaries document, which only the detail view needs. */
const summaryColumns = [
  'update_id', 'revision', 'upstream', 'product', 'suite', 'source', 'version', 'title', 'description', 'vendor', 'classification',
  'severity', 'release_date', 'advisory_id', 'cve_ids', 'reference_urls', 'language', 'reboot_behaviour', 'eula', 'present',
  'superseded', 'superseded_by', 'superseded_at', 'expired', 'metadata_sha256', 'first_seen_at', 'last_changed_at', 'change_seq', 'created_seq',
] as const;

const sortColumns = { releaseDate: 'release_date', title: 'title', product: 'product', classification: 'classification', changeSeq: 'change_seq' } as const;

export async function findUpdates(db: Kysely<Database>, q: UpdateQuery): Promise<UpdatePage> {
  const { n } = await applyFilters(db.selectFrom('updates'), q)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const descending = q.sort.startsWith('-');
  const column = sortColumns[q.sort.replace(/^-/, '') as keyof typeof sortColumns];
  const rows = await applyFilters(db.selectFrom('updates'), q)
    .select(summaryColumns)
    .orderBy(column, descending ? 'desc' : 'asc')
    .orderBy('update_id')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return {
    total: Number(n),
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
