import { existsSync, realpathSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { HttpError } from '../http/http-error.ts';

/**
 * §6.1 each package has its own source folder: the place files are downloaded to before they are
 * verified into the content library. Two packages never share one, and none may reach into the
 * content library or the site's own data (a package deletion removes its folder whole).
 */

/** Default source folder of a package. */
export function defaultSourceFolder(dataDir: string, packageId: string): string {
  return join(dataDir, 'package-sources', packageId);
}

/** The path with symbolic links of its existing part resolved, so two spellings of one folder compare equal. */
export function canonicalPath(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/** `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

export interface SiteFolders {
  dataDir: string;
  libraryRoot: string;
  /** The SQLite database file, when the site has one. */
  databaseFile: string | null;
}

export interface OtherPackage {
  name: string;
  sourceFolder: string;
}

/**
 * Refuses (HttpError) a folder that overlaps the content library, holds the site's data or database,
 * or is, holds or lies inside another package's source folder; or that exists and is not an empty
 * directory. Returns the canonical path to store.
 */
export async function checkSourceFolder(folder: string, site: SiteFolders, others: readonly OtherPackage[]): Promise<string> {
  const path = canonicalPath(folder);
  const library = canonicalPath(site.libraryRoot);
  const dataDir = canonicalPath(site.dataDir);
  if (isWithin(dataDir, path)) throw new HttpError(400, `invalid source folder ${folder}: it would hold the site's data directory (${dataDir}), which holds the database and the content library`);
  if (isWithin(path, library) || isWithin(library, path)) throw new HttpError(400, `invalid source folder ${folder}: it overlaps the site's content library (${library})`);
  if (site.databaseFile !== null) {
    const database = canonicalPath(site.databaseFile);
    if (isWithin(database, path)) throw new HttpError(400, `invalid source folder ${folder}: it would hold the site's database (${database})`);
  }
  for (const other of others) {
    const theirs = canonicalPath(other.sourceFolder);
    if (path === theirs) throw new HttpError(409, `${folder} is already the source folder of package ${JSON.stringify(other.name)}; each package has its own`);
    if (isWithin(path, theirs)) throw new HttpError(409, `invalid source folder ${folder}: it lies inside the source folder of package ${JSON.stringify(other.name)} (${theirs})`);
    if (isWithin(theirs, path)) throw new HttpError(409, `invalid source folder ${folder}: it holds the source folder of package ${JSON.stringify(other.name)} (${theirs})`);
  }
  const existing = await stat(path).catch(() => null);
  if (existing && !existing.isDirectory()) throw new HttpError(400, `invalid source folder ${folder}: it exists and is not a directory`);
  if (existing && (await readdir(path)).length > 0) throw new HttpError(400, `invalid source folder ${folder}: it is not empty; a package's source folder holds only that package's files`);
  return path;
}
