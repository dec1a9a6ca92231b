import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Store } from '../../src/store/store.ts';
import { ContentLibrary } from '../../src/content/content-library.ts';

/**
 * Deployment packages for distribution tests, written the way the packages service leaves them
 * (rows in deployment_packages, content_files, package_files; verified bytes in the site's
 * content library), without depending on that service: real files of random bytes.
 */

export interface FixtureFile {
  sha256: string;
  size: number;
  bytes: Buffer;
}

export interface FixturePackage {
  packageId: string;
  name: string;
  updateId: string;
  files: FixtureFile[];
}

export const fileOf = (bytes: Buffer): FixtureFile => ({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, bytes });
export const randomFile = (size: number): FixtureFile => fileOf(randomBytes(size));

/** The site's content library (what `site.content` is). */
export const siteLibrary = (dataDir: string) => new ContentLibrary(join(dataDir, 'content'));

async function insertUpdate(store: Store, updateId: string, title: string, at: string): Promise<void> {
  await store.db
    .insertInto('updates')
    .values({
      update_id: updateId, revision: 1, upstream: 'test', product: 'Debian 12', suite: 'bookworm-security', source: title, version: '1.0-1',
      title, description: title, vendor: 'Debian', classification: 'Security Updates', severity: 'Important', release_date: at,
      advisory_id: null, cve_ids: '[]', reference_urls: '[]', language: 'en', reboot_behaviour: 'never', eula: 0, present: 1,
      superseded: 0, superseded_by: null, superseded_at: null, expired: 0, metadata_sha256: createHash('sha256').update(updateId).digest('hex'),
      first_seen_at: at, last_changed_at: at, change_seq: 1, created_seq: 1, binaries: '[]',
    })
    .execute();
}

/** A package whose files are all stored in the site's library (content version 2: its files are downloaded). */
export async function addStoredPackage(store: Store, dataDir: string, name: string, files: FixtureFile[], at = '2026-11-25T10:00:00.000Z'): Promise<FixturePackage> {
  const packageId = randomUUID();
  const updateId = randomUUID();
  await insertUpdate(store, updateId, `${name} update`, at);
  await store.db
    .insertInto('deployment_packages')
    .values({ package_id: packageId, name, name_key: name.toLowerCase(), description: '', source_folder: join(dataDir, 'package-sources', packageId), content_version: 2, created_by: 'admin', created_at: at, updated_at: at })
    .execute();
  const pkg = { packageId, name, updateId, files: [] as FixtureFile[] };
  await addFiles(store, dataDir, pkg, files, { bump: false, at });
  return pkg;
}

/**
 * Adds files to a package (stored in the site's library unless `state` says otherwise) and, as a
 * change of its content, raises its content version.
 */
export async function addFiles(store: Store, dataDir: string, pkg: FixturePackage, files: FixtureFile[], options: { bump?: boolean; state?: 'stored' | 'pending'; at?: string } = {}): Promise<void> {
  const at = options.at ?? '2026-11-25T10:00:00.000Z';
  const state = options.state ?? 'stored';
  const library = siteLibrary(dataDir);
  for (const file of files) {
    if (state === 'stored') {
      await library.put(Readable.from([file.bytes]), file);
      await store.db.insertInto('content_files').values({ sha256: file.sha256, size: file.size, stored_at: at }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
    }
    await store.db
      .insertInto('package_files')
      .values({ package_id: pkg.packageId, update_id: pkg.updateId, sha256: file.sha256, file_name: `${file.sha256.slice(0, 12)}.deb`, size: file.size, state, error: null, added_at: at })
      .execute();
    pkg.files.push(file);
  }
  if (options.bump !== false) await bumpContentVersion(store, pkg.packageId);
}

/** Removes a file from a package (not from the library: another package may hold it) and raises its content version. */
export async function removeFile(store: Store, pkg: FixturePackage, sha256: string): Promise<void> {
  await store.db.deleteFrom('package_files').where('package_id', '=', pkg.packageId).where('sha256', '=', sha256).execute();
  pkg.files = pkg.files.filter((f) => f.sha256 !== sha256);
  await bumpContentVersion(store, pkg.packageId);
}

/** Marks a pending file of a package stored (its bytes already put into the library). */
export async function markStored(store: Store, dataDir: string, pkg: FixturePackage, file: FixtureFile): Promise<void> {
  await siteLibrary(dataDir).put(Readable.from([file.bytes]), file);
  await store.db.insertInto('content_files').values({ sha256: file.sha256, size: file.size, stored_at: '2026-11-25T10:00:00.000Z' }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
  await store.db.updateTable('package_files').set({ state: 'stored' }).where('package_id', '=', pkg.packageId).where('sha256', '=', file.sha256).execute();
}

async function bumpContentVersion(store: Store, packageId: string): Promise<void> {
  const row = await store.db.selectFrom('deployment_packages').select('content_version').where('package_id', '=', packageId).executeTakeFirstOrThrow();
  await store.db.updateTable('deployment_packages').set({ content_version: row.content_version + 1 }).where('package_id', '=', packageId).execute();
}

export async function contentVersionOf(store: Store, packageId: string): Promise<number> {
  return (await store.db.selectFrom('deployment_packages').select('content_version').where('package_id', '=', packageId).executeTakeFirstOrThrow()).content_version;
}
