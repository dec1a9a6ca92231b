import type { ContentFailure, ContentJob, DeploymentPackage, DeploymentPackageDetail, PackageUpdate } from '@patchday/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DeploymentPackagesTable, Database } from '../store/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

const n = (v: unknown) => Number(v ?? 0);

/** Aggregates of `package_files` by state: `sum(case …)` reads the same on both engines. */
const stateSums = [
  sql<number>`count(*)`.as('total'),
  sql<number>`sum(case when state = 'stored' then 1 else 0 end)`.as('stored'),
  sql<number>`sum(case when state = 'pending' then 1 else 0 end)`.as('pending'),
  sql<number>`sum(case when state = 'failed' then 1 else 0 end)`.as('failed'),
  sql<number>`sum(size)`.as('bytes'),
  sql<number>`sum(case when state = 'stored' then size else 0 end)`.as('bytes_stored'),
] as const;

/** Packages as the API shows them, with their file counts (two queries whatever their number). */
export async function toDeploymentPackages(db: Db, rows: readonly DeploymentPackagesTable[], jobOf: (packageId: string) => ContentJob | null): Promise<DeploymentPackage[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.package_id);
  const [files, updates] = await Promise.all([
    db
      .selectFrom('package_files')
      .select(['package_id', ...stateSums, sql<number>`count(distinct update_id)`.as('updates')])
      .where('package_id', 'in', ids)
      .groupBy('package_id')
      .execute(),
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('package_files')
          .select(['package_id', 'update_id', sql<number>`min(case when state = 'stored' then 1 else 0 end)`.as('complete')])
          .where('package_id', 'in', ids)
          .groupBy(['package_id', 'update_id'])
          .as('u'),
      )
      .select(['u.package_id', sql<number>`sum(u.complete)`.as('complete')])
      .groupBy('u.package_id')
      .execute(),
  ]);
  const filesOf = new Map(files.map((f) => [f.package_id, f]));
  const completeOf = new Map(updates.map((u) => [u.package_id, n(u.complete)]));
  return rows.map((r) => {
    const f = filesOf.get(r.package_id);
    return {
      packageId: r.package_id,
      name: r.name,
      description: r.description,
      sourceFolder: r.source_folder,
      contentVersion: r.content_version,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      updates: { total: n(f?.updates), complete: completeOf.get(r.package_id) ?? 0 },
      files: { total: n(f?.total), stored: n(f?.stored), pending: n(f?.pending), failed: n(f?.failed) },
      bytes: { total: n(f?.bytes), stored: n(f?.bytes_stored) },
      job: jobOf(r.package_id),
    };
  });
}

export async function packageRow(db: Db, packageId: string): Promise<DeploymentPackagesTable | undefined> {
  return db.selectFrom('deployment_packages').selectAll().where('package_id', '=', packageId).executeTakeFirst();
}

/** One page of the updates a package carries, by title, with their files' states and failures. */
export async function packageContent(db: Db, packageId: string, page: number, pageSize: number): Promise<DeploymentPackageDetail['content']> {
  const { total } = await db.selectFrom('package_files').select(sql<number>`count(distinct update_id)`.as('total')).where('package_id', '=', packageId).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('package_files')
    .innerJoin('updates', 'updates.update_id', 'package_files.update_id')
    .select(['package_files.update_id', 'updates.title', 'updates.expired', ...stateSums])
    .where('package_files.package_id', '=', packageId)
    .groupBy(['package_files.update_id', 'updates.title', 'updates.expired'])
    .orderBy('updates.title')
    .orderBy('package_files.update_id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const failures = new Map<string, ContentFailure[]>();
  const failedIds = rows.filter((r) => n(r.failed) > 0).map((r) => r.update_id);
  if (failedIds.length) {
    const failed = await db
      .selectFrom('package_files')
      .select(['update_id', 'file_name', 'sha256', 'error'])
      .where('package_id', '=', packageId)
      .where('state', '=', 'failed')
      .where('update_id', 'in', failedIds)
      .orderBy('file_name')
      .execute();
    for (const f of failed) failures.set(f.update_id, [...(failures.get(f.update_id) ?? []), { updateId: f.update_id, fileName: f.file_name, sha256: f.sha256, error: f.error ?? '' }]);
  }
  const updates: PackageUpdate[] = rows.map((r) => ({
    updateId: r.update_id,
    title: r.title,
    expired: r.expired === 1,
    files: { total: n(r.total), stored: n(r.stored), pending: n(r.pending), failed: n(r.failed) },
    bytes: n(r.bytes),
    failures: failures.get(r.update_id) ?? [],
  }));
  return { total: n(total), page, pageSize, updates };
}
