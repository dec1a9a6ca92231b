import { createHash } from 'node:crypto';
import type { UpdateBinary, UpdateMetadata, UpdateSummary } from '@patchday/core';
import type { UpdateBinariesTable, UpdatesTable } from '../store/schema.ts';

/** Fields of UpdateMetadata compared to tell what a new revision changed. */
const metadataFields = [
  'title', 'description', 'vendor', 'classification', 'severity', 'releaseDate', 'advisoryId', 'cveIds',
  'referenceUrls', 'language', 'rebootBehaviour', 'eula', 'binaries',
] as const satisfies ReadonlyArray<keyof UpdateMetadata>;

/** Digest of everything whose change makes a new revision (releaseDate is when first seen, so it never changes). */
export function metadataDigest(meta: UpdateMetadata): string {
  const { releaseDate: _firstSeen, ...rest } = meta;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
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
}

export function toUpdateRow(meta: UpdateMetadata, life: Lifecycle, digest: string): UpdatesTable {
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
  };
}

export function toBinaryRows(meta: UpdateMetadata): UpdateBinariesTable[] {
  return meta.binaries.map((b) => ({
    update_id: meta.updateId,
    package: b.package,
    version: b.version,
    architecture: b.architecture,
    filename: b.filename,
    size: b.size,
    sha256: b.sha256,
    section: b.section,
    priority: b.priority,
    summary: b.summary,
    depends: b.depends,
    pre_depends: b.preDepends,
  }));
}

export function fromBinaryRow(row: UpdateBinariesTable): UpdateBinary {
  return {
    package: row.package,
    version: row.version,
    architecture: row.architecture,
    filename: row.filename,
    size: Number(row.size),
    sha256: row.sha256,
    section: row.section,
    priority: row.priority,
    summary: row.summary,
    depends: row.depends,
    preDepends: row.pre_depends,
  };
}

export function fromUpdateRow(row: UpdatesTable): UpdateSummary & { description: string } {
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

export function metadataOf(row: UpdatesTable, binaries: UpdateBinary[]): UpdateMetadata {
  const { present: _p, superseded: _s, supersededBy: _sb, supersededAt: _sa, expired: _e, firstSeenAt: _f, lastChangedAt: _l, changeSeq: _c, revision: _r, ...meta } = fromUpdateRow(row);
  return { ...meta, binaries };
}
