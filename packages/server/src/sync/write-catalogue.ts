import { computeSupersedence, debianUpdatesOf, isExpired, type SupersedenceCandidate, type UpdateMetadata } from '@patchday/core';
import type { Transaction } from 'kysely';
import { changedFields, fromBinaryRow, metadataDigest, metadataOf, toBinaryRows, toUpdateRow } from '../catalogue/update-rows.ts';
import type { Database, UpdateRevisionsTable, UpdatesTable } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { SyncCounts } from '@patchday/core';
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

/**
 * Applies one sync run's readings to the catalogue in ONE transaction: a failed or killed run
 * leaves the catalogue exactly as it was. Every row it touches gets the run's new change sequence.
 */
export async function writeCatalogue(store: Store, readings: SuiteReading[], options: WriteOptions): Promise<WriteResult> {
  const now = options.now.toISOString();
  const incoming = new Map<string, UpdateMetadata[]>();
  for (const r of readings) {
    if (r.binaries === null) continue;
    incoming.set(`${r.upstream}\0${r.suite}`, debianUpdatesOf({ upstream: r.upstream, product: r.product, suite: r.suite, releaseDate: r.release.date, binaries: r.binaries }));
  }
  options.onWriteStart?.();
  return store.db.transaction().execute(async (trx) => {
    const seqRow = await trx.selectFrom('site_settings').select('value').where('key', '=', CATALOGUE_SEQ).executeTakeFirst();
    const previousSeq = seqRow ? Number(seqRow.value) : 0;
    const seq = previousSeq + 1;
    const counts: SyncCounts = { added: 0, revised: 0, superseded: 0, expired: 0, unchanged: 0 };
    const suiteUpdates = new Map<string, number>();

    const products = [...new Set(readings.filter((r) => r.binaries !== null).map((r) => r.product))];
    const existing = products.length
      ? await trx.selectFrom('updates').selectAll().where('product', 'in', products).execute()
      : [];
    const existingById = new Map(existing.map((row) => [row.update_id, row]));

    const inserts: UpdatesTable[] = [];
    const insertsMeta: UpdateMetadata[] = [];
    const revisions: UpdateRevisionsTable[] = [];
    const rowUpdates = new Map<string, Partial<UpdatesTable>>();
    const revised: Array<{ meta: UpdateMetadata; digest: string; revision: number }> = [];

    for (const r of readings) {
      const key = `${r.upstream}\0${r.suite}`;
      const updates = incoming.get(key);
      if (!updates) {
        if (r.excluded) continue;
        const { n } = await trx
          .selectFrom('updates')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('upstream', '=', r.upstream)
          .where('suite', '=', r.suite)
          .where('present', '=', 1)
          .executeTakeFirstOrThrow();
        counts.unchanged += Number(n);
        suiteUpdates.set(key, Number(n));
        continue;
      }
      const seen = new Set<string>();
      for (const meta of updates) {
        seen.add(meta.updateId);
        const old = existingById.get(meta.updateId);
        if (!old) {
          counts.added++;
          insertsMeta.push(meta);
          continue;
        }
        meta.releaseDate = old.release_date;
        const digest = metadataDigest(meta);
        if (digest !== old.metadata_sha256) {
          counts.revised++;
          revised.push({ meta, digest, revision: old.revision + 1 });
        } else counts.unchanged++;
        if (old.present !== 1) rowUpdates.set(old.update_id, { present: 1 });
      }
      // The archive dropped these: they stay as history and become superseded below.
      for (const row of existing) {
        if (row.upstream === r.upstream && row.suite === r.suite && row.present === 1 && !seen.has(row.update_id)) {
          rowUpdates.set(row.update_id, { ...rowUpdates.get(row.update_id), present: 0 });
        }
      }
      suiteUpdates.set(key, updates.length);
    }

    // Supersedence over the whole of each affected product: old rows (with their new presence) and new ones.
    const candidates: SupersedenceCandidate[] = [];
    for (const row of existing) {
      const present = rowUpdates.get(row.update_id)?.present ?? row.present;
      candidates.push({ updateId: row.update_id, product: row.product, source: row.source, version: row.version, suite: row.suite, present: present === 1 });
    }
    for (const meta of insertsMeta) {
      candidates.push({ updateId: meta.updateId, product: meta.product, source: meta.source, version: meta.version, suite: meta.suite, present: true });
    }
    const verdicts = computeSupersedence(candidates);

    for (const meta of insertsMeta) {
      const verdict = verdicts.get(meta.updateId)!;
      if (verdict.superseded) counts.superseded++;
      const expired = verdict.superseded && isExpired(options.now, options.now, options.expiryMonths);
      if (expired) counts.expired++;
      inserts.push(
        toUpdateRow(
          meta,
          {
            revision: 1,
            present: true,
            superseded: verdict.superseded,
            supersededBy: verdict.supersededBy,
            supersededAt: verdict.superseded ? now : null,
            expired,
            firstSeenAt: now,
            lastChangedAt: now,
            changeSeq: seq,
          },
          metadataDigest(meta),
        ),
      );
      revisions.push({ update_id: meta.updateId, revision: 1, change_seq: seq, at: now, changes: '["created"]' });
    }

    for (const row of existing) {
      const verdict = verdicts.get(row.update_id)!;
      const change = rowUpdates.get(row.update_id) ?? {};
      if ((row.superseded === 1) !== verdict.superseded || row.superseded_by !== verdict.supersededBy) {
        if (verdict.superseded && row.superseded !== 1) counts.superseded++;
        change.superseded = verdict.superseded ? 1 : 0;
        change.superseded_by = verdict.supersededBy;
        change.superseded_at = verdict.superseded ? (row.superseded_at ?? now) : null;
      }
      if (Object.keys(change).length) rowUpdates.set(row.update_id, change);
    }

    // Revised updates: new metadata, new binaries, one revision row naming what changed.
    if (revised.length) {
      const ids = revised.map((r) => r.meta.updateId);
      const oldBinaries = await trx.selectFrom('update_binaries').selectAll().where('update_id', 'in', ids).execute();
      for (const { meta, digest, revision } of revised) {
        const old = existingById.get(meta.updateId)!;
        const before = metadataOf(old, oldBinaries.filter((b) => b.update_id === meta.updateId).map(fromBinaryRow));
        const row = toUpdateRow(meta, { revision, present: true, superseded: false, supersededBy: null, supersededAt: null, expired: false, firstSeenAt: old.first_seen_at, lastChangedAt: now, changeSeq: seq }, digest);
        const { superseded: _s, superseded_by: _sb, superseded_at: _sa, expired: _e, present: _p, ...metadataColumns } = row;
        rowUpdates.set(meta.updateId, { ...rowUpdates.get(meta.updateId), ...metadataColumns });
        revisions.push({ update_id: meta.updateId, revision, change_seq: seq, at: now, changes: JSON.stringify(changedFields(before, meta)) });
      }
      await trx.deleteFrom('update_binaries').where('update_id', 'in', ids).execute();
      await store.insertMany(trx, 'update_binaries', revised.flatMap((r) => toBinaryRows(r.meta)));
    }

    await store.insertMany(trx, 'updates', inserts);
    await store.insertMany(trx, 'update_binaries', insertsMeta.flatMap(toBinaryRows));
    await store.insertMany(trx, 'update_revisions', revisions);

    for (const [updateId, change] of rowUpdates) {
      await trx.updateTable('updates').set({ ...change, change_seq: seq }).where('update_id', '=', updateId).execute();
    }
    counts.expired += await expireSuperseded(trx, options, seq);

    for (const r of readings) {
      await trx.deleteFrom('suite_states').where('upstream', '=', r.upstream).where('suite', '=', r.suite).execute();
      await trx.insertInto('suite_states').values(r.state).execute();
    }
    const changed = inserts.length + rowUpdates.size + counts.expired > 0;
    const catalogueSeq = changed ? seq : previousSeq;
    if (changed) {
      await trx.deleteFrom('site_settings').where('key', '=', CATALOGUE_SEQ).execute();
      await trx.insertInto('site_settings').values({ key: CATALOGUE_SEQ, value: String(seq) }).execute();
    }
    return { ...counts, catalogueSeq, suiteUpdates };
  });
}

/** §12: superseded updates expire N months after they were superseded; checked on every sync. */
async function expireSuperseded(trx: Transaction<Database>, options: WriteOptions, seq: number): Promise<number> {
  const candidates = await trx
    .selectFrom('updates')
    .select(['update_id', 'superseded_at'])
    .where('superseded', '=', 1)
    .where('expired', '=', 0)
    .where('superseded_at', 'is not', null)
    .execute();
  const due = candidates.filter((c) => isExpired(new Date(c.superseded_at!), options.now, options.expiryMonths)).map((c) => c.update_id);
  for (let i = 0; i < due.length; i += 500) {
    await trx.updateTable('updates').set({ expired: 1, change_seq: seq }).where('update_id', 'in', due.slice(i, i + 500)).execute();
  }
  return due.length;
}
