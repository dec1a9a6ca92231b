import { createHash } from 'node:crypto';
import type { UpdateBinary, UpdateMetadata, UpdateSummary } from '@patchday/core';
import type { UpdatesTable } from '../store/schema.ts';

/** Fields of UpdateMetadata compared to tell what a new revision changed. */
const metadataFields = [
  'title', 'description', 'vendor', 'classification', 'severity', 'releaseDate', 'advisoryId', 'cveIds',
  'referenceUrls', 'language', 'rebootBehaviour', 'eula', 'binaries',
] as const satisfies ReadonlyArray<keyof UpdateMetadata>;

/**
 * An incoming update with its stored forms computed once: the binaries document and the digest.
 * After preparation `meta.binaries` may be emptied; `binariesJson` is the authority.
 */
export interface PreparedUpdate {
  meta: UpdateMetadata;
  binariesJson: string;
  /** Digest of everything whose change makes a new revision (releaseDate is when first seen, so it never changes). */
  digest: string;
}

export function prepareUpdate(meta: UpdateMetadata): PreparedUpdate {
  const binariesJson = JSON.stringify(meta.binaries);
  const fields = [meta.updateId, meta.upstream, meta.product, meta.suite, meta.source, meta.version, meta.title, meta.description, meta.vendor, meta.classification,
    meta.severity, meta.advisoryId ?? '', meta.cveIds.join(' '), meta.referenceUrls.join(' '), meta.language, meta.rebootBehaviour, meta.eula ? '1' : '0'];
  const digest = createHash('sha256').update(fields.join('\x1f')).update('\x1e').update(binariesJson).digest('hex');
  return { meta, binariesJson, digest };
}

export function changedFields(before: UpdateMetadata, after: UpdateMetadata): string[] {
  return metadataFields.filter((f) => f !== 'releaseDate' && JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

export interface Lifecycle {
  revision: number;
  present: boolean;
  superseded: boolean;
  supersededBy: string | null;
  supersededAt: string | null;
  expired: boolean;
  firstSeenAt: string;
  lastChangedAt: string;
  changeSeq: number;
  createdSeq: number;
}

export function toUpdateRow({ meta, binariesJson, digest }: PreparedUpdate, life: Lifecycle): UpdatesTable {
  return {
    update_id: meta.updateId,
    revision: life.revision,
    upstream: meta.upstream,
    product: meta.product,
    suite: meta.suite,
    source: meta.source,
    version: meta.version,
    title: meta.title,
    description: meta.description,
    vendor: meta.vendor,
    classification: meta.classification,
    severity: meta.severity,
    release_date: meta.releaseDate,
    advisory_id: meta.advisoryId,
    cve_ids: JSON.stringify(meta.cveIds),
    reference_urls: JSON.stringify(meta.referenceUrls),
    language: meta.language,
    reboot_behaviour: meta.rebootBehaviour,
    eula: meta.eula ? 1 : 0,
    present: life.present ? 1 : 0,
    superseded: life.superseded ? 1 : 0,
    superseded_by: life.supersededBy,
    superseded_at: life.supersededAt,
    expired: life.expired ? 1 : 0,
    metadata_sha256: digest,
    first_seen_at: life.firstSeenAt,
    last_changed_at: life.lastChangedAt,
    change_seq: life.changeSeq,
    created_seq: life.createdSeq,
    binaries: binariesJson,
  };
}

/** The columns a catalogue listing reads: everything but the binaries document. */
export type UpdateSummaryRow = Omit<UpdatesTable, 'binaries'>;

export function fromUpdateRow(row: UpdateSummaryRow): UpdateSummary & { description: string } {
  return {
    updateId: row.update_id,
    revision: row.revision,
    upstream: row.upstream,
    product: row.product,
    suite: row.suite,
    source: row.source,
    version: row.version,
    title: row.title,
    description: row.description,
    vendor: row.vendor,
    classification: row.classification as UpdateSummary['classification'],
    severity: row.severity as UpdateSummary['severity'],
    releaseDate: row.release_date,
    advisoryId: row.advisory_id,
    cveIds: JSON.parse(row.cve_ids) as string[],
    referenceUrls: JSON.parse(row.reference_urls) as string[],
    language: row.language,
    rebootBehaviour: row.reboot_behaviour as UpdateSummary['rebootBehaviour'],
    eula: row.eula === 1,
    present: row.present === 1,
    superseded: row.superseded === 1,
    supersededBy: row.superseded_by,
    supersededAt: row.superseded_at,
    expired: row.expired === 1,
    firstSeenAt: row.first_seen_at,
    lastChangedAt: row.last_changed_at,
    changeSeq: row.change_seq,
  };
}

export function metadataOf(row: UpdatesTable): UpdateMetadata {
  const { present: _p, superseded: _s, supersededBy: _sb, supersededAt: _sa, expired: _e, firstSeenAt: _f, lastChangedAt: _l, changeSeq: _c, revision: _r, ...meta } = fromUpdateRow(row);
  return { ...meta, binaries: JSON.parse(row.binaries) as UpdateBinary[] };
}
