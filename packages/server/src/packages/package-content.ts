import { archivePathProblem, type UpdateBinary } from '@patchday/core';
import type { Kysely, Transaction } from 'kysely';
import { HttpError, notFound } from '../http/http-error.ts';
import type { Database } from '../store/schema.ts';
import type { WantedFile } from './fetch-file.ts';

/**
 * Which files a package carries (`package_files`, one row per package, update and file) and the
 * library's reference counting: a file stays in the content library while any package has a row
 * for its sha256, whatever the row's state.
 */

type Db = Kysely<Database> | Transaction<Database>;

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** At most 20 names, then how many more. */
function listed(items: readonly string[]): string {
  return items.length <= 20 ? items.join(', ') : `${items.slice(0, 20).join(', ')} and ${items.length - 20} more`;
}

/** One file of one update, as a package will list it. */
export interface PlannedFile extends WantedFile {
  updateId: string;
}

/**
 * The files of these updates, checked before anything is written: every update exists (404) and
 * has not expired (409), every Filename is a safe relative path (400), and no two different files
 * would share a name in the package's source folder (409). With `needUpstream`, every update's
 * upstream must still be configured (409).
 */
export async function planFiles(db: Db, packageId: string, updateIds: readonly string[], needUpstream: boolean): Promise<PlannedFile[]> {
  const rows: Array<{ update_id: string; title: string; expired: number; upstream: string; binaries: string }> = [];
  for (const chunk of chunks(updateIds)) rows.push(...(await db.selectFrom('updates').select(['update_id', 'title', 'expired', 'upstream', 'binaries']).where('update_id', 'in', chunk).execute()));
  const found = new Map(rows.map((r) => [r.update_id, r]));
  const unknown = updateIds.filter((id) => !found.has(id));
  if (unknown.length) throw notFound(`update${unknown.length > 1 ? 's' : ''} ${listed(unknown)}`);
  const expired = rows.filter((r) => r.expired === 1);
  if (expired.length) {
    throw new HttpError(409, `expired updates cannot be deployed, so their files are not downloaded: ${listed(expired.map((r) => `${r.title} (${r.update_id})`))}`, { expired: expired.map((r) => r.update_id) });
  }
  const upstreams = new Map((await db.selectFrom('upstreams').select(['name', 'url']).execute()).map((u) => [u.name, u.url.replace(/\/+$/, '')]));
  if (needUpstream) {
    const orphaned = rows.filter((r) => !upstreams.has(r.upstream));
    if (orphaned.length) throw new HttpError(409, `the upstream of ${listed(orphaned.map((r) => `${r.title} (upstream ${r.upstream})`))} is no longer configured: download those files from a folder`);
  }
  const files: PlannedFile[] = [];
  const nameOwner = new Map<string, string>();
  const claim = (fileName: string, sha256: string, what: string) => {
    const owner = nameOwner.get(fileName);
    if (owner !== undefined && owner !== sha256) throw new HttpError(409, `two different files would be named ${fileName} in the package's source folder (${what}); put them in different packages`);
    nameOwner.set(fileName, sha256);
  };
  for (const id of updateIds) {
    const row = found.get(id)!;
    for (const b of JSON.parse(row.binaries) as UpdateBinary[]) {
      const problem = archivePathProblem(b.filename);
      if (problem !== undefined) throw new HttpError(400, `update ${row.title} (${id}) names its file ${JSON.stringify(b.filename)}: ${problem}; it is not downloaded`);
      const fileName = b.filename.slice(b.filename.lastIndexOf('/') + 1);
      if (fileName.endsWith('.part')) throw new HttpError(400, `update ${row.title} (${id}) names its file ${JSON.stringify(b.filename)}: a name ending in .part is reserved for transfers in progress`);
      claim(fileName, b.sha256, row.title);
      const base = upstreams.get(row.upstream);
      files.push({ updateId: id, sha256: b.sha256, size: b.size, fileName, url: base === undefined ? null : `${base}/${b.filename.split('/').map(encodeURIComponent).join('/')}` });
    }
  }
  const names = [...nameOwner.keys()];
  for (const chunk of chunks(names)) {
    const clashes = await db.selectFrom('package_files').select(['file_name', 'sha256']).where('package_id', '=', packageId).where('file_name', 'in', chunk).execute();
    for (const c of clashes) claim(c.file_name, c.sha256, 'one of them is already in the package');
  }
  return files;
}

/**
 * Lists the planned files in the package (rows `pending`), leaves stored ones as they are and puts
 * failed ones back to `pending`. Returns the rows that still need their file.
 */
export async function recordPending(trx: Transaction<Database>, packageId: string, files: readonly PlannedFile[], now: Date): Promise<PlannedFile[]> {
  for (const chunk of chunks(files)) {
    await trx
      .insertInto('package_files')
      .values(chunk.map((f) => ({ package_id: packageId, update_id: f.updateId, sha256: f.sha256, file_name: f.fileName, size: f.size, state: 'pending', error: null, added_at: now.toISOString() })))
      .onConflict((oc) => oc.columns(['package_id', 'update_id', 'sha256']).doNothing())
      .execute();
  }
  const stored = new Set<string>();
  for (const chunk of chunks([...new Set(files.map((f) => f.updateId))])) {
    await trx.updateTable('package_files').set({ state: 'pending', error: null }).where('package_id', '=', packageId).where('update_id', 'in', chunk).where('state', '=', 'failed').execute();
    const rows = await trx.selectFrom('package_files').select(['update_id', 'sha256']).where('package_id', '=', packageId).where('update_id', 'in', chunk).where('state', '=', 'stored').execute();
    for (const r of rows) stored.add(`${r.update_id} ${r.sha256}`);
  }
  return files.filter((f) => !stored.has(`${f.updateId} ${f.sha256}`));
}

/**
 * Of these files, the ones no package references any more: their `content_files` rows are deleted
 * here, and the caller removes their bytes from the library once the transaction committed.
 */
export async function releaseUnreferenced(trx: Transaction<Database>, sha256s: readonly string[]): Promise<string[]> {
  const unique = [...new Set(sha256s)];
  const referenced = new Set<string>();
  for (const chunk of chunks(unique)) {
    for (const r of await trx.selectFrom('package_files').select('sha256').distinct().where('sha256', 'in', chunk).execute()) referenced.add(r.sha256);
  }
  const released = unique.filter((s) => !referenced.has(s));
  for (const chunk of chunks(released)) await trx.deleteFrom('content_files').where('sha256', 'in', chunk).execute();
  return released;
}
