import { createHash } from 'node:crypto';
import { debianApplicabilityRules, type UpdateBinary } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';

/** The catalogue sequence of the last sync that changed something; 0 before the first. */
export async function currentAnchor(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('site_settings').select('value').where('key', '=', 'catalogue_seq').executeTakeFirst();
  return row ? Number(row.value) : 0;
}

export interface CatalogueRequest {
  product: string;
  architecture: string;
  since: number;
  anchor: number;
}

/**
 * The answer is a pure function of product, architecture, since and the anchor: every change to
 * an update bumps its change_seq and the site's catalogue_seq, and rows are read up to the anchor
 * only. So an agent whose cache is current revalidates for free.
 */
export function catalogueEtag(r: CatalogueRequest): string {
  const digest = createHash('sha256').update(`${r.product}\n${r.architecture}\n${r.since}\n${r.anchor}`).digest('base64url').slice(0, 27);
  // Weak: the same catalogue is sent gzipped or not.
  return `W/"${digest}"`;
}

/** An anchor the site never issued (ahead of it) or none at all gets the whole catalogue. */
export const isComplete = (r: CatalogueRequest) => r.since === 0 || r.since > r.anchor;

const rowColumns = ['update_id', 'revision', 'title', 'classification', 'severity', 'release_date', 'present', 'superseded', 'expired', 'change_seq', 'reboot_behaviour', 'binaries'] as const;

/** Chunks handed to the response stream (and the gzip stream behind it). */
const CHUNK_CHARS = 256 * 1024;

/**
 * The CatalogueDelta as JSON text chunks, built by hand: the rows are written as the schema
 * describes them (the binaries document is stored as the exact JSON of UpdateBinary[] and copied
 * through), and only the applicability rules are generated, by core's debianApplicabilityRules.
 * Validating ~35,000 entries with zod on the way out would cost more than building them.
 */
export async function catalogueChunks(db: Kysely<Database>, r: CatalogueRequest): Promise<Iterable<string>> {
  const complete = isComplete(r);
  // Rows up to the anchor only: a sync committing meanwhile belongs to the next anchor, whole.
  const rows =
    !complete && r.since >= r.anchor
      ? []
      : await db
          .selectFrom('updates')
          .select(rowColumns)
          .where('product', '=', r.product)
          .where('change_seq', '<=', r.anchor)
          .$if(!complete, (q) => q.where('change_seq', '>', r.since))
          .orderBy('update_id')
          .execute();
  const head = `{"product":${JSON.stringify(r.product)},"architecture":${JSON.stringify(r.architecture)},"anchor":${r.anchor},"complete":${complete},"updates":[`;
  return chunked(head, rows, r);
}

type Row = Pick<Database['updates'], (typeof rowColumns)[number]>;

function* chunked(head: string, rows: Row[], r: CatalogueRequest): Generator<string> {
  const { product, architecture } = r;
  let chunk = head;
  let first = true;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const binaries = JSON.parse(row.binaries) as UpdateBinary[];
    if (!binaries.some((b) => b.architecture === architecture || b.architecture === 'all')) continue;
    const applicability = JSON.stringify(debianApplicabilityRules({ product, binaries }));
    chunk += `${first ? '' : ','}{"updateId":"${row.update_id}","revision":${row.revision},"title":${JSON.stringify(row.title)},"classification":${JSON.stringify(row.classification)},"severity":${JSON.stringify(row.severity)},"releaseDate":${JSON.stringify(row.release_date)},"present":${row.present === 1},"superseded":${row.superseded === 1},"expired":${row.expired === 1},"changeSeq":${row.change_seq},"rebootBehaviour":${JSON.stringify(row.reboot_behaviour)},"applicability":${applicability},"binaries":${row.binaries}}`;
    first = false;
    // Let go of what was sent: the rows array is the only other copy.
    rows[i] = undefined as unknown as Row;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}]}`;
}
