import { DP_CONTENT_PATH, DpPackageState, type DistributionPoint, type DpPackageStatus } from '@patchday/core';
import type { Selectable } from 'kysely';
import type { DistributionPointsTable } from '../store/schema.ts';

export type DpRow = Selectable<DistributionPointsTable>;

/** The base URL agents fetch a distribution point's content from: `{it}/content/{sha256}`. */
export function contentUrlOf(row: { kind: string; url: string | null }, siteUrl: string): string {
  return `${row.kind === 'site' ? siteUrl : row.url}${DP_CONTENT_PATH}`;
}

export function toDistributionPoint(row: DpRow, packages: DpPackageStatus[], siteUrl: string): DistributionPoint {
  const summary = Object.fromEntries(DpPackageState.options.map((s) => [s, 0])) as DistributionPoint['summary'];
  for (const p of packages) summary[p.state] += 1;
  return {
    dpId: row.dp_id,
    name: row.name,
    kind: row.kind as DistributionPoint['kind'],
    url: row.url,
    contentUrl: contentUrlOf(row, siteUrl),
    sortOrder: row.sort_order,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    summary,
    packages,
  };
}
