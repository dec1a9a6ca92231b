import { computeSupersedence, isExpired, type SupersedenceCandidate, type SyncCounts } from '@patchday/core';
import type { Transaction } from 'kysely';
import { changedFields, metadataOf, toUpdateRow, type PreparedUpdate } from '../catalogue/update-rows.ts';
import type { Database, UpdateRevisionsTable, UpdatesTable } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { SuiteReading } from './debian-suite-reader.ts';

export interface WriteOptions {
  now: Date;
  /** §12: months after which a superseded update expires (0 = immediately). */
  expiryMonths: number;
  /** Logged just before the transaction starts, so operators (and the kill test) see the write phase. */
  onWriteStart?: () => void;
}

export interface WriteResult extends SyncCounts {
  catalogueSeq: number;
  /** Per suite: how many updates of it the catalogue now publishes. */
  suiteUpdates: Map<string, number>;
}

const CATALOGUE_SEQ = 'catalogue_seq';

/** What the writer needs of an existing update to decide what changed (not its binaries document). */
const stateColumns = [
  'update_id', 'revision', 'upstream', 'product', 'suite', 'source', 'version', 'present', 'superseded',
  'superseded_by', 'superseded_at', 'metadata_sha256', 'release_date', 'first_seen_at', 'created_seq',
] as const;

/**
 * Applies one sync run's readings to the catalogue in ONE transaction: a failed or killed run
 * leaves the catalogue exactly as it was. Every row it touches gets the run's new change sequence.
 */
export async function writeCatalogue(store: Store, readings: SuiteReading[], options: WriteOptions): Promise<WriteResult> {
  const now = options.now.toISOString();
  const incoming = new Map<string, PreparedUpdate[]>();
  for (const r of readings) if (r.updates !== null) incoming.set(`${r.upstream}\0${r.suite}`, r.updates);
  options.onWriteStart?.();
  return store.db.transaction().execute(async (trx) => {
    const seqRow = await trx.selectFrom('site_settings').select('value').where('key', '=', CATALOGUE_SEQ).executeTakeFirst();
    const previousSeq = seqRow ? Number(seqRow.value) : 0;
    const seq = previousSeq + 1;
    const counts: SyncCounts = { added: 0, revised: 0, superseded: 0, expired: 0, unchanged: 0 };
    const suiteUpdates = new Map<string, number>();

    const products = [...new Set(readings.filter((r) => r.updates !== null).map((r) => r.product))];
    const existing = products.length ? await trx.selectFrom('updates').select(stateColumns).where('product', 'in', products).execute() : [];
    const existingById = new Map(existing.map((row) => [row.update_id, row]));

    const added: PreparedUpdate[] = [];
    const revised: Array<{ prepared: PreparedUpdate; revision: number }> = [];
    const changes = new Map<string, Partial<UpdatesTable>>();
    const change = (id: string, values: Partial<UpdatesTable>) => changes.set(id, { ...changes.get(id), ...values });

    for (const r of readings) {
      const key = `${r.upstream}\0${r.suite}`;
      const updates = incoming.get(key);
      if (!updates) {
        if (!r.excluded) {
          counts.unchanged += r.state.published_updates;
          suiteUpdates.set(key, r.state.published_updates);
        }
        continue;
      }
      r.state.published_updates = updates.length;
      const seen = new Set<string>();
      for (const prepared of updates) {
        const { meta } = prepared;
        seen.add(meta.updateId);
        const old = existingById.get(meta.updateId);
        if (!old) {
          counts.added++;
          added.push(prepared);
          continue;
        }
        // The release date is when the upload first appeared; a later sync never moves it.
        meta.releaseDate = old.release_date;
        if (prepared.digest !== old.metadata_sha256) {
          counts.revised++;
          revised.push({ prepared, revision: old.revision + 1 });
        } else counts.unchanged++;
        if (old.present !== 1) change(old.update_id, { present: 1 });
      }
      // The archive dropped these: they stay as history and become superseded below.
      for (const row of existing) {
        if (row.upstream === r.upstream && row.suite === r.suite && row.present === 1 && !seen.has(row.update_id)) change(row.update_id, { present: 0 });
      }
      suiteUpdates.set(key, updates.length);
    }

    // Supersedence over the whole of each affected product: old rows (with their new presence) and new ones.
    const candidates: SupersedenceCandidate[] = existing.map((row) => ({
      updateId: row.update_id,
      product: row.product,
      source: row.source,
      version: row.version,
      suite: row.suite,
      present: (changes.get(row.update_id)?.present ?? row.present) === 1,
    }));
    for (const { meta } of added) candidates.push({ updateId: meta.updateId, product: meta.product, source: meta.source, version: meta.version, suite: meta.suite, present: true });
    const verdicts = computeSupersedence(candidates);

    for (const row of existing) {
      const verdict = verdicts.get(row.update_id)!;
      if ((row.superseded === 1) !== verdict.superseded || row.superseded_by !== verdict.supersededBy) {
        if (verdict.superseded && row.superseded !== 1) counts.superseded++;
        change(row.update_id, { superseded: verdict.superseded ? 1 : 0, superseded_by: verdict.supersededBy, superseded_at: verdict.superseded ? (row.superseded_at ?? now) : null });
      }
    }

    // Revised updates: the new metadata document, and one revision row naming what changed.
    const revisions: UpdateRevisionsTable[] = [];
    if (revised.length) {
      const before = new Map(
        (await trx.selectFrom('updates').selectAll().where('update_id', 'in', revised.map((r) => r.prepared.meta.updateId)).execute()).map((row) => [row.update_id, row]),
      );
      for (const { prepared, revision } of revised) {
        const old = existingById.get(prepared.meta.updateId)!;
        const row = toUpdateRow(prepared, { revision, present: true, superseded: false, supersededBy: null, supersededAt: null, expired: false, firstSeenAt: old.first_seen_at, lastChangedAt: now, changeSeq: seq, createdSeq: old.created_seq });
        const { superseded: _s, superseded_by: _sb, superseded_at: _sa, expired: _e, present: _p, ...metadataColumns } = row;
        change(prepared.meta.updateId, metadataColumns);
        const previous = metadataOf(before.get(prepared.meta.updateId)!);
        const current = { ...prepared.meta, binaries: JSON.parse(prepared.binariesJson) as typeof prepared.meta.binaries };
        revisions.push({ update_id: prepared.meta.updateId, revision, change_seq: seq, at: now, changes: JSON.stringify(changedFields(previous, current)) });
      }
    }

    const inserts = added.map((prepared) => {
      const verdict = verdicts.get(prepared.meta.updateId)!;
      if (verdict.superseded) counts.superseded++;
      const expired = verdict.superseded && isExpired(options.now, options.now, options.expiryMonths);
      if (expired) counts.expired++;
      return toUpdateRow(prepared, {
        revision: 1,
        present: true,
        superseded: verdict.superseded,
        supersededBy: verdict.supersededBy,
        supersededAt: verdict.superseded ? now : null,
        expired,
        firstSeenAt: now,
        lastChangedAt: now,
        changeSeq: seq,
        createdSeq: seq,
      });
    });
    // In primary-key order, so the b-tree grows at its right edge instead of splitting pages at random.
    inserts.sort((a, b) => (a.update_id < b.update_id ? -1 : 1));
    await store.insertMany(trx, 'updates', inserts);
    await store.insertMany(trx, 'update_revisions', revisions);
    for (const [updateId, values] of changes) {
      await trx.updateTable('updates').set({ ...values, change_seq: seq }).where('update_id', '=', updateId).execute();
    }
    counts.expired += await expireSuperseded(trx, options, seq);

    // A suite whose InRelease did not change keeps its row: rewriting 150 kB of InRelease per suite
    // would be most of a no-op sync's cost.
    for (const r of readings) {
      if (!r.stateChanged && r.updates === null) continue;
      await trx.deleteFrom('suite_states').where('upstream', '=', r.upstream).where('suite', '=', r.suite).execute();
      await trx.insertInto('suite_states').values(r.state).execute();
    }
    const changed = inserts.length + changes.size + counts.expired > 0;
    if (changed) {
      await trx.deleteFrom('site_settings').where('key', '=', CATALOGUE_SEQ).execute();
      await trx.insertInto('site_settings').values({ key: CATALOGUE_SEQ, value: String(seq) }).execute();
    }
    return { ...counts, catalogueSeq: changed ? seq : previousSeq, suiteUpdates };
  });
}

/** §12: superseded updates expire N months after they were superseded; checked on every sync. */
async function expireSuperseded(trx: Transaction<Database>, options: WriteOptions, seq: number): Promise<number> {
  // A range on the superseded_at index (with a few days' margin for month lengths); isExpired decides exactly.
  const cutoff = new Date(options.now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - options.expiryMonths);
  cutoff.setUTCDate(cutoff.getUTCDate() + 4);
  const candidates = await trx
    .selectFrom('updates')
    .select(['update_id', 'superseded_at'])
    .where('superseded_at', '<=', cutoff.toISOString())
    .where('expired', '=', 0)
    .execute();
  const due = candidates.filter((c) => isExpired(new Date(c.superseded_at!), options.now, options.expiryMonths)).map((c) => c.update_id);
  for (let i = 0; i < due.length; i += 500) {
    await trx.updateTable('updates').set({ expired: 1, change_seq: seq }).where('update_id', 'in', due.slice(i, i + 500)).execute();
  }
  return due.length;
}
