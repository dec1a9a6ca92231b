import { archivePathProblem } from './archive-path.ts';
import { type Deb822Fields, fieldLineInStanza, parseDeb822 } from './deb822.ts';
import { DebianFormatError, quote } from './errors.ts';
import { parseReleaseDate } from './release-date.ts';

export { debianProductOf, type DebianProduct } from './release-product.ts';

/** One index file listed in a Release file's `SHA256` field. */
export interface ReleaseChecksum {
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

/** What Patchday reads from a (verified) Release file. */
export interface ReleaseFile {
  origin?: string;
  label?: string;
  suite?: string;
  codename?: string;
  version?: string;
  description?: string;
  date: Date;
  validUntil?: Date;
  architectures: string[];
  components: string[];
  acquireByHash: boolean;
  /** Path relative to the suite directory (e.g. `main/binary-amd64/Packages.xz`) → checksum. */
  sha256: Map<string, ReleaseChecksum>;
}

export interface ParseReleaseOptions {
  /**
   * The line of the enclosing file where `signedText` starts (ClearsignedParts.firstLine),
   * so error messages point into the InRelease file rather than into the extracted text.
   */
  firstLine?: number;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SIZE = /^\d+$/;

/**
 * Parses the signed text of an InRelease (or a Release file whose signature was checked).
 * Requires a valid `Date` and a `SHA256` list, since without them neither replay nor
 * tampering of the indexes could be detected. Throws DebianFormatError naming the line.
 */
export function parseRelease(signedText: string, options: ParseReleaseOptions = {}): ReleaseFile {
  const offset = (options.firstLine ?? 1) - 1;
  const stanzas: Array<{ fields: Deb822Fields; line: number }> = [];
  try {
    parseDeb822(signedText, (fields, line) => {
      stanzas.push({ fields, line });
    });
  } catch (error) {
    if (error instanceof DebianFormatError && error.line !== undefined) {
      throw new DebianFormatError(error.problem, { line: error.line + offset, field: error.field });
    }
    throw error;
  }
  if (stanzas.length !== 1) {
    throw new DebianFormatError(`a Release file has exactly one stanza, this one has ${stanzas.length}`, stanzas[1] ? { line: stanzas[1].line + offset } : {});
  }
  const { fields, line: stanzaLine } = stanzas[0];
  const lineOf = (field: string): number | undefined => {
    const line = fieldLineInStanza(signedText, stanzaLine, field);
    return line === undefined ? undefined : line + offset;
  };
  const fail = (field: string, problem: string): never => {
    throw new DebianFormatError(problem, { line: lineOf(field), field });
  };

  const dateText = fields.Date;
  if (dateText === undefined) fail('Date', 'required field is missing');
  const date = dateOf(dateText, 'Date', lineOf);
  const validUntil = fields['Valid-Until'] === undefined ? undefined : dateOf(fields['Valid-Until'], 'Valid-Until', lineOf);

  let acquireByHash = false;
  const byHash = fields['Acquire-By-Hash'];
  if (byHash !== undefined) {
    if (byHash === 'yes') acquireByHash = true;
    else if (byHash !== 'no') fail('Acquire-By-Hash', `expected "yes" or "no", got ${quote(byHash)}`);
  }

  const checksums = fields.SHA256;
  if (checksums === undefined) fail('SHA256', 'required field is missing: the index files could not be verified');
  const sha256 = checksumsOf(checksums, lineOf('SHA256'));

  const release: ReleaseFile = {
    date,
    architectures: words(fields.Architectures),
    components: words(fields.Components),
    acquireByHash,
    sha256,
  };
  if (fields.Origin !== undefined) release.origin = fields.Origin;
  if (fields.Label !== undefined) release.label = fields.Label;
  if (fields.Suite !== undefined) release.suite = fields.Suite;
  if (fields.Codename !== undefined) release.codename = fields.Codename;
  if (fields.Version !== undefined) release.version = fields.Version;
  if (fields.Description !== undefined) release.description = fields.Description;
  if (validUntil !== undefined) release.validUntil = validUntil;
  return release;
}

function dateOf(text: string, field: string, lineOf: (field: string) => number | undefined): Date {
  try {
    return parseReleaseDate(text);
  } catch (error) {
    if (error instanceof DebianFormatError) throw new DebianFormatError(error.problem, { line: lineOf(field), field });
    throw error;
  }
}

/** ` <sha256> <size> <path>` lines; `fieldLine` is where `SHA256:` itself stands. */
function checksumsOf(value: string, fieldLine: number | undefined): Map<string, ReleaseChecksum> {
  const entries = new Map<string, ReleaseChecksum>();
  const lines = value.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '') continue;
    const where = { line: fieldLine === undefined ? undefined : fieldLine + i, field: 'SHA256' };
    const parts = text.split(/[ \t]+/);
    if (parts.length !== 3) throw new DebianFormatError(`expected "<sha256> <size> <path>", got ${quote(text)}`, where);
    const [hash, size, path] = parts;
    if (!SHA256_HEX.test(hash)) throw new DebianFormatError(`invalid sha256 ${quote(hash)} for ${quote(path)}`, where);
    if (!SIZE.test(size) || !Number.isSafeInteger(Number(size))) throw new DebianFormatError(`invalid size ${quote(size)} for ${quote(path)}`, where);
    const pathProblem = archivePathProblem(path);
    if (pathProblem !== undefined) throw new DebianFormatError(`${pathProblem}: ${quote(path)}`, where);
    if (entries.has(path)) throw new DebianFormatError(`${quote(path)} is listed twice`, where);
    entries.set(path, { size: Number(size), sha256: hash.toLowerCase() });
  }
  return entries;
}

function words(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(/\s+/).filter((w) => w !== '');
}
