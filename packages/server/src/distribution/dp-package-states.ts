import type { DpFile, DpPackageState, DpPackageStatus } from '@patchday/core';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** What the site's own library holds of one package's current content (files counted once each). */
export interface PackageContent {
  files: number;
  bytesTotal: number;
  storedFiles: number;
  bytesStored: number;
  failedFiles: number;
  /** Why a file of it failed, when one did. */
  error: string | null;
}

/** The files of each package, once per sha256, and the worst state a package gives each. */
function filesOf(db: Kysely<Database>, packageIds: readonly string[]) {
  // 'failed' < 'pending' < 'stored': min() is the worst state of a file listed twice.
  return sql<{ package_id: string; sha256: string; size: number | string; state: string; error: string | null }>`
    select package_id, sha256, max(size) as size, min(state) as state, max(error) as error
    from package_files where package_id in (${sql.join(packageIds)}) group by package_id, sha256`;
}

export async function packageContents(db: Kysely<Database>, packageIds: readonly string[]): Promise<Map<string, PackageContent>> {
  const out = new Map<string, PackageContent>();
  if (packageIds.length === 0) return out;
  const { rows } = await sql<{ package_id: string; files: number | string; bytes: number | string; stored_files: number | string; stored_bytes: number | string; failed_files: number | string; error: string | null }>`
    select package_id, count(*) as files, coalesce(sum(size), 0) as bytes,
      coalesce(sum(case when state = 'stored' then 1 else 0 end), 0) as stored_files,
      coalesce(sum(case when state = 'stored' then size else 0 end), 0) as stored_bytes,
      coalesce(sum(case when state = 'failed' then 1 else 0 end), 0) as failed_files,
      max(error) as error
    from (${filesOf(db, packageIds)}) f group by package_id`.execute(db);
  for (const r of rows) {
    out.set(r.package_id, {
      files: Number(r.files),
      bytesTotal: Number(r.bytes),
      storedFiles: Number(r.stored_files),
      bytesStored: Number(r.stored_bytes),
      failedFiles: Number(r.failed_files),
      error: r.error,
    });
  }
  return out;
}

/** Each package's files (sha256 and size), and whether all of them are in the site's library. */
export async function packageFiles(db: Kysely<Database>, packageIds: readonly string[]): Promise<Map<string, { ready: boolean; files: DpFile[] }>> {
  const out = new Map(packageIds.map((id) => [id, { ready: true, files: [] as DpFile[] }]));
  if (packageIds.length === 0) return out;
  const { rows } = await sql<{ package_id: string; sha256: string; size: number | string; state: string }>`${filesOf(db, packageIds)} order by package_id, sha256`.execute(db);
  for (const r of rows) {
    const entry = out.get(r.package_id)!;
    entry.files.push({ sha256: r.sha256, size: Number(r.size) });
    if (r.state !== 'stored') entry.ready = false;
  }
  return out;
}

const EMPTY: PackageContent = { files: 0, bytesTotal: 0, storedFiles: 0, bytesStored: 0, failedFiles: 0, error: null };

interface StatusRow {
  dp_id: string;
  dp_name: string;
  kind: string;
  package_id: string;
  package_name: string;
  package_version: number;
  state: string;
  content_version: number;
  bytes_done: number | string;
  bytes_total: number | string;
  error: string | null;
  updated_at: string;
}

/**
 * The state of one package on one distribution point, as an administrator reads it. The site's
 * own holds a package when every file of it is stored in the site's library. A remote one holds
 * what it reported; a report about an older content version than the package's is pending again.
 */
function statusOf(row: StatusRow, content: PackageContent): DpPackageStatus {
  const base = { dpId: row.dp_id, dpName: row.dp_name, kind: row.kind as DpPackageStatus['kind'], packageId: row.package_id, packageName: row.package_name, packageContentVersion: row.package_version, updatedAt: row.updated_at };
  if (row.kind === 'site') {
    const state: DpPackageState = content.failedFiles > 0 ? 'failed' : content.storedFiles === content.files ? 'installed' : content.storedFiles > 0 ? 'in-progress' : 'pending';
    return { ...base, state, contentVersion: row.package_version, bytesDone: content.bytesStored, bytesTotal: content.bytesTotal, error: state === 'failed' ? content.error : null };
  }
  if (row.content_version < row.package_version) {
    return { ...base, state: 'pending', contentVersion: row.content_version, bytesDone: 0, bytesTotal: content.bytesTotal, error: null };
  }
  return { ...base, state: row.state as DpPackageState, contentVersion: row.content_version, bytesDone: Number(row.bytes_done), bytesTotal: row.state === 'pending' ? content.bytesTotal : Number(row.bytes_total), error: row.error };
}

/** Package states per distribution point, for one distribution point, one package, or all. */
export async function dpPackageStatuses(db: Kysely<Database>, where: { dpId?: string; packageId?: string } = {}): Promise<DpPackageStatus[]> {
  let query = db
    .selectFrom('dp_packages as t')
    .innerJoin('distribution_points as d', 'd.dp_id', 't.dp_id')
    .innerJoin('deployment_packages as p', 'p.package_id', 't.package_id')
    .select([
      't.dp_id', 'd.name as dp_name', 'd.kind', 't.package_id', 'p.name as package_name', 'p.content_version as package_version',
      't.state', 't.content_version', 't.bytes_done', 't.bytes_total', 't.error', 't.updated_at',
    ])
    .orderBy('d.sort_order')
    .orderBy('d.name_key')
    .orderBy('p.name_key');
  if (where.dpId) query = query.where('t.dp_id', '=', where.dpId);
  if (where.packageId) query = query.where('t.package_id', '=', where.packageId);
  const rows = await query.execute();
  const contents = await packageContents(db, [...new Set(rows.map((r) => r.package_id))]);
  return rows.map((r) => statusOf(r, contents.get(r.package_id) ?? EMPTY));
}
