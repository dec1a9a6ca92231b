import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentDownloadStarted, ContentRemoval, CreateDeploymentPackageRequest, DeploymentPackage, DownloadContentRequest, PackageDeletion } from '@patchday/core';
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit-log.ts';
import { checkKnown } from '../groups/group-members.ts';
import type { SiteContext } from '../http/context.ts';
import { HttpError, notFound } from '../http/http-error.ts';
import { ContentJobs } from './content-jobs.ts';
import type { Origin } from './fetch-file.ts';
import { planFiles, recordPending, releaseUnreferenced } from './package-content.ts';
import type { Database } from '../store/schema.ts';
import { packageRow, toDeploymentPackages } from './package-queries.ts';
import { checkSourceFolder, defaultSourceFolder } from './source-folder.ts';

/**
 * §6.1 what can be done to a deployment package, for the admin API and for automatic deployment
 * rules alike. Refusals are HttpErrors raised before anything changed; library files are removed
 * only after the transaction that stopped referencing them committed.
 */

const jobsBySite = new WeakMap<SiteContext, ContentJobs>();

/** The site's download jobs (one registry per site; the admin API stops them when the site stops). */
export function contentJobsOf(site: SiteContext): ContentJobs {
  let jobs = jobsBySite.get(site);
  if (!jobs) {
    jobs = new ContentJobs({ store: site.store, clock: site.clock, log: site.log, content: site.content, events: site.events });
    jobsBySite.set(site, jobs);
  }
  return jobs;
}

// A job's snapshot is read before the package's rows: a job reports itself finished only after its
// last write committed, so a reader never sees a finished job beside the rows from before it.
export async function loadPackage(site: SiteContext, packageId: string): Promise<DeploymentPackage> {
  const job = contentJobsOf(site).snapshot(packageId);
  const row = await packageRow(site.store.db, packageId);
  if (!row) throw notFound(`deployment package ${packageId}`);
  return (await toDeploymentPackages(site.store.db, [row], () => job))[0]!;
}

export async function listPackages(site: SiteContext): Promise<DeploymentPackage[]> {
  const jobs = contentJobsOf(site).snapshots();
  return toDeploymentPackages(site.store.db, await site.store.db.selectFrom('deployment_packages').selectAll().orderBy('name_key').execute(), (id) => jobs.get(id) ?? null);
}

async function checkNameFree(db: Kysely<Database>, name: string, except?: string): Promise<void> {
  const clash = await db.selectFrom('deployment_packages').select(['package_id', 'name']).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
  if (clash && clash.package_id !== except) throw new HttpError(409, `a deployment package named ${JSON.stringify(clash.name)} already exists (${clash.package_id})`);
}

/** Content version 1, an empty source folder of its own. */
export async function createPackage(site: SiteContext, input: CreateDeploymentPackageRequest, actor: string): Promise<DeploymentPackage> {
  const { db } = site.store;
  const packageId = randomUUID();
  await checkNameFree(db, input.name);
  const others = (await db.selectFrom('deployment_packages').select(['name', 'source_folder']).execute()).map((p) => ({ name: p.name, sourceFolder: p.source_folder }));
  const folder = await checkSourceFolder(input.sourceFolder ?? defaultSourceFolder(site.dataDir, packageId), {
    dataDir: site.dataDir,
    libraryRoot: site.content.root,
    databaseFile: site.store.kind === 'sqlite' ? site.store.location : null,
  }, others);
  const created = !existsSync(folder);
  try {
    await mkdir(folder, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw new HttpError(400, `invalid source folder ${folder}: it cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const now = site.clock.now().toISOString();
  try {
    await db.transaction().execute(async (trx) => {
      await checkNameFree(trx, input.name);
      const holder = await trx.selectFrom('deployment_packages').select('name').where('source_folder', '=', folder).executeTakeFirst();
      if (holder) throw new HttpError(409, `${folder} is already the source folder of package ${JSON.stringify(holder.name)}; each package has its own`);
      await trx
        .insertInto('deployment_packages')
        .values({ package_id: packageId, name: input.name, name_key: input.name.toLowerCase(), description: input.description, source_folder: folder, content_version: 1, created_by: actor, created_at: now, updated_at: now })
        .execute();
      await recordAudit(trx, { actor, action: 'package.create', target: packageId, details: { name: input.name, sourceFolder: folder } }, site.clock.now());
    });
  } catch (error) {
    if (created) await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return loadPackage(site, packageId);
}

export async function changePackage(site: SiteContext, packageId: string, input: { name?: string; description?: string }, actor: string): Promise<DeploymentPackage> {
  const { db } = site.store;
  const current = await packageRow(db, packageId);
  if (!current) throw notFound(`deployment package ${packageId}`);
  if (input.name !== undefined) await checkNameFree(db, input.name, packageId);
  const name = input.name ?? current.name;
  const now = site.clock.now();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('deployment_packages').set({ name, name_key: name.toLowerCase(), description: input.description ?? current.description, updated_at: now.toISOString() }).where('package_id', '=', packageId).execute();
    await recordAudit(trx, { actor, action: 'package.update', target: packageId, details: { name, previousName: current.name, changed: Object.keys(input) } }, now);
  });
  return loadPackage(site, packageId);
}

/**
 * Runs the transaction, then removes from the library the files it released (no package references
 * them any more), both in the library's turn so no download marks one of them stored in between.
 */
async function releasing<T extends { released: string[] }>(site: SiteContext, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return contentJobsOf(site).exclusive(async () => {
    const result = await site.store.db.transaction().execute(work);
    for (const sha256 of result.released) await site.content.remove(sha256);
    return result;
  });
}

/** Holds the package for the duration of `work`, or answers 409 while a download runs. */
async function holding<T>(site: SiteContext, packageId: string, name: string, work: () => Promise<T>): Promise<T> {
  const release = contentJobsOf(site).claim(packageId);
  if (!release) throw new HttpError(409, `a download into package ${JSON.stringify(name)} is running; wait until it has finished (see GET /api/v1/packages/${packageId})`);
  try {
    return await work();
  } finally {
    release();
  }
}

/**
 * Starts downloading the files of the updates (or of the group's non-expired updates) into the
 * package, from their upstream or from a folder. The job runs in the background; its progress is on
 * the package.
 */
export async function startContentDownload(site: SiteContext, packageId: string, request: DownloadContentRequest, actor: string): Promise<ContentDownloadStarted> {
  const { db } = site.store;
  const pkg = await packageRow(db, packageId);
  if (!pkg) throw notFound(`deployment package ${packageId}`);
  const jobs = contentJobsOf(site);
  return holding(site, packageId, pkg.name, async () => {
    let updateIds = request.updateIds ?? [];
    let skippedExpired = 0;
    if (request.groupId !== undefined) {
      const group = await db.selectFrom('update_groups').select('name').where('group_id', '=', request.groupId).executeTakeFirst();
      if (!group) throw notFound(`update group ${request.groupId}`);
      const members = await db.selectFrom('update_group_members').innerJoin('updates', 'updates.update_id', 'update_group_members.update_id').select(['updates.update_id', 'updates.expired']).where('update_group_members.group_id', '=', request.groupId).orderBy('updates.update_id').execute();
      updateIds = members.filter((m) => m.expired === 0).map((m) => m.update_id);
      skippedExpired = members.length - updateIds.length;
      if (updateIds.length === 0) throw new HttpError(400, `update group ${JSON.stringify(group.name)} has no update whose files could be downloaded${skippedExpired ? ` (its ${skippedExpired} updates have expired)` : ''}`);
    }
    const origin: Origin = request.from === 'upstream' ? { kind: 'upstream' } : { kind: 'folder', folder: request.from.folder };
    if (origin.kind === 'folder') {
      const found = await stat(origin.folder).catch(() => null);
      if (!found?.isDirectory()) throw new HttpError(400, `invalid content folder ${origin.folder}: it is not a directory on the site`);
    }
    const planned = await planFiles(db, packageId, updateIds, origin.kind === 'upstream');
    const now = site.clock.now();
    const toFetch = await db.transaction().execute(async (trx) => {
      const pending = await recordPending(trx, packageId, planned, now);
      await recordAudit(
        trx,
        { actor, action: 'package.content-download', target: packageId, details: { name: pkg.name, from: origin.kind === 'folder' ? origin.folder : 'upstream', groupId: request.groupId ?? null, updates: updateIds.length, files: planned.length, toFetch: pending.length } },
        now,
      );
      return pending;
    });
    jobs.start({ packageId, name: pkg.name, sourceFolder: pkg.source_folder }, toFetch, origin, actor);
    const queued = new Set(toFetch.map((f) => f.sha256)).size;
    return { package: await loadPackage(site, packageId), queued, alreadyStored: planned.length - toFetch.length, skippedExpired };
  });
}

/** Takes these updates' files out of the package (content version + 1 when stored files left). */
export async function removePackageContent(site: SiteContext, packageId: string, updateIds: readonly string[], actor: string): Promise<ContentRemoval> {
  const { db } = site.store;
  const pkg = await packageRow(db, packageId);
  if (!pkg) throw notFound(`deployment package ${packageId}`);
  return holding(site, packageId, pkg.name, async () => {
    await checkKnown(db, updateIds);
    const now = site.clock.now();
    const { removed, released, names } = await releasing(site, async (trx) => {
      const rows: Array<{ update_id: string; sha256: string; file_name: string; state: string }> = [];
      for (let i = 0; i < updateIds.length; i += 500) {
        rows.push(...(await trx.selectFrom('package_files').select(['update_id', 'sha256', 'file_name', 'state']).where('package_id', '=', packageId).where('update_id', 'in', updateIds.slice(i, i + 500)).execute()));
      }
      const carried = new Set(rows.map((r) => r.update_id));
      const absent = updateIds.filter((id) => !carried.has(id));
      if (absent.length) throw notFound(`${absent.length > 1 ? 'updates' : 'update'} ${absent.slice(0, 20).join(', ')}${absent.length > 20 ? ` and ${absent.length - 20} more` : ''} in package ${JSON.stringify(pkg.name)}`);
      for (let i = 0; i < updateIds.length; i += 500) {
        await trx.deleteFrom('package_files').where('package_id', '=', packageId).where('update_id', 'in', updateIds.slice(i, i + 500)).execute();
      }
      if (rows.some((r) => r.state === 'stored')) {
        await trx.updateTable('deployment_packages').set((eb) => ({ content_version: eb('content_version', '+', 1), updated_at: now.toISOString() })).where('package_id', '=', packageId).execute();
      }
      const releasedFiles = await releaseUnreferenced(trx, rows.map((r) => r.sha256));
      const stillNamed = new Set(
        (await trx.selectFrom('package_files').select('file_name').where('package_id', '=', packageId).where('file_name', 'in', [...new Set(rows.map((r) => r.file_name))]).execute()).map((r) => r.file_name),
      );
      await recordAudit(trx, { actor, action: 'package.content-remove', target: packageId, details: { name: pkg.name, updateIds: updateIds.length <= 100 ? updateIds : `${updateIds.length} update ids`, files: rows.length, releasedFiles: releasedFiles.length } }, now);
      return { removed: rows.length, released: releasedFiles, names: [...new Set(rows.map((r) => r.file_name))].filter((n) => !stillNamed.has(n)) };
    });
    for (const name of names) {
      await rm(join(pkg.source_folder, name), { force: true });
      await rm(join(pkg.source_folder, `${name}.part`), { force: true });
    }
    return { package: await loadPackage(site, packageId), removedFiles: removed, releasedFiles: released.length };
  });
}

/**
 * Deletes the package, its rows and its source folder. Library files go only when no other package
 * references them: a file two packages share stays for the other.
 */
export async function deletePackage(site: SiteContext, packageId: string, actor: string): Promise<PackageDeletion> {
  const { db } = site.store;
  const pkg = await packageRow(db, packageId);
  if (!pkg) throw notFound(`deployment package ${packageId}`);
  return holding(site, packageId, pkg.name, async () => {
    const rules = await db.selectFrom('automatic_deployment_rules').select(['adr_id', 'name']).where('package_id', '=', packageId).orderBy('name').execute();
    if (rules.length) {
      throw new HttpError(409, `package ${JSON.stringify(pkg.name)} cannot be deleted while automatic deployment rule${rules.length > 1 ? 's' : ''} ${rules.map((r) => JSON.stringify(r.name)).join(', ')} download${rules.length > 1 ? '' : 's'} into it; change ${rules.length > 1 ? 'them' : 'it'} first`, {
        rules: rules.map((r) => ({ adrId: r.adr_id, name: r.name })),
      });
    }
    const now = site.clock.now();
    const { released, files } = await releasing(site, async (trx) => {
      const shas = (await trx.selectFrom('package_files').select('sha256').distinct().where('package_id', '=', packageId).execute()).map((r) => r.sha256);
      await trx.deleteFrom('package_files').where('package_id', '=', packageId).execute();
      await trx.deleteFrom('deployment_packages').where('package_id', '=', packageId).execute();
      const releasedFiles = await releaseUnreferenced(trx, shas);
      await recordAudit(trx, { actor, action: 'package.delete', target: packageId, details: { name: pkg.name, sourceFolder: pkg.source_folder, files: shas.length, releasedFiles: releasedFiles.length } }, now);
      return { released: releasedFiles, files: shas.length };
    });
    await rm(pkg.source_folder, { recursive: true, force: true });
    contentJobsOf(site).forget(packageId);
    return { packageId, deleted: true, releasedFiles: released.length, keptFiles: files - released.length };
  });
}
