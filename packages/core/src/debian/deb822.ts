import { DebianFormatError, quote } from './errors.ts';

/**
 * One stanza (paragraph) of a deb822 control file: field name → value.
 *
 * Field names are case-insensitive (Debian Policy §5.1), so the parser normalises them:
 * a field Debian defines is always stored under Debian's spelling (`package:` in the
 * file → `Package`, `sha256:` → `SHA256`), so `fields.Package` works whatever case the
 * file used. Other fields keep the spelling the stanza used; look those up with
 * {@link fieldValue}. Two spellings of one name in a stanza are a duplicate field.
 *
 * Values are what dpkg stores: the text after the colon with blanks around it removed;
 * a multi-line value is its first line, then `\n` and each continuation line exactly as
 * written (leading space included), so `SHA256:` followed by lines gives `"\n <hash> …"`.
 */
export type Deb822Fields = Record<string, string>;

/** Debian's spelling of the fields Patchday reads or Debian tools write (Policy §5, apt, dak). */
const KNOWN_FIELD_NAMES = [
  // Binary and source package fields (Policy §5.3–§5.6) and what dak adds to Packages.
  'Package', 'Source', 'Version', 'Architecture', 'Maintainer', 'Uploaders', 'Original-Maintainer',
  'Installed-Size', 'Depends', 'Pre-Depends', 'Recommends', 'Suggests', 'Enhances', 'Breaks',
  'Conflicts', 'Replaces', 'Provides', 'Built-Using', 'Static-Built-Using', 'Essential', 'Protected',
  'Build-Essential', 'Important', 'Multi-Arch', 'Section', 'Priority', 'Description', 'Description-md5',
  'Homepage', 'Tag', 'Filename', 'Size', 'MD5sum', 'SHA1', 'SHA256', 'SHA512', 'Package-Type',
  'Auto-Built-Package', 'Build-Ids', 'Binary', 'Format', 'Standards-Version', 'Files', 'Checksums-Sha1',
  'Checksums-Sha256', 'Build-Depends', 'Build-Depends-Indep', 'Build-Depends-Arch', 'Build-Conflicts',
  'Build-Conflicts-Indep', 'Build-Conflicts-Arch', 'Directory', 'Testsuite', 'Vcs-Browser', 'Vcs-Git',
  // dpkg status database.
  'Status', 'Conffiles', 'Config-Version', 'Triggers-Pending', 'Triggers-Awaited',
  // Release / InRelease files.
  'Origin', 'Label', 'Suite', 'Codename', 'Date', 'Valid-Until', 'Architectures', 'Components',
  'Acquire-By-Hash', 'NotAutomatic', 'ButAutomaticUpgrades', 'Changelogs', 'Snapshots',
  'No-Support-for-Architecture-all', 'Signed-By',
];

const CANONICAL_BY_LOWER = new Map(KNOWN_FIELD_NAMES.map((name) => [name.toLowerCase(), name]));

/** The key a field is stored under: Debian's spelling when Debian defines it, else `name` itself. */
export function canonicalFieldName(name: string): string {
  return CANONICAL_BY_LOWER.get(name.toLowerCase()) ?? name;
}

/** Case-insensitive lookup, for fields outside the known list (whose spelling may vary). */
export function fieldValue(fields: Deb822Fields, name: string): string | undefined {
  const key = canonicalFieldName(name);
  if (Object.hasOwn(fields, key)) return fields[key];
  const lower = name.toLowerCase();
  for (const candidate of Object.keys(fields)) {
    if (candidate.toLowerCase() === lower) return fields[candidate];
  }
  return undefined;
}

const CH_TAB = 9;
const CH_LF = 10;
const CH_SPACE = 32;
const CH_HASH = 35;
const CH_HYPHEN = 45;
const CH_COLON = 58;

/**
 * A field name seen in this text. The parser recognises repeated names by comparing
 * characters in place, so the ~15 field lines of each of 60,000 stanzas neither allocate
 * a name string nor re-validate it.
 */
interface InternedName {
  spelling: string;
  key: string;
  /** Same for every spelling of one name, for duplicate detection. */
  id: number;
}

/**
 * Streams the stanzas of a deb822 text to `onStanza`, with the 1-based line number where
 * each stanza starts. Throws DebianFormatError, naming the line, for a line that is
 * neither a field nor a continuation, a continuation before any field, an empty or
 * malformed field name, a duplicate field, or a NUL character.
 *
 * Blank lines (empty or only spaces and tabs) separate stanzas; lines starting with `#`
 * are comments and are skipped, even between continuation lines (Policy §5.1). CRLF line
 * ends are accepted.
 */
export function parseDeb822(text: string, onStanza: (fields: Deb822Fields, line: number) => void): void {
  if (text.indexOf('\r') !== -1) text = text.replace(/\r\n/g, '\n');
  const nul = text.indexOf('\0');
  if (nul !== -1) throw new DebianFormatError('NUL character in a control file', { line: lineNumberAt(text, nul) });

  const byShape = new Map<number, InternedName[]>();
  const idByLower = new Map<string, number>();
  // Per name id: the stanza that last used it and on which line, to find duplicates.
  const seenInStanza: number[] = [];
  const seenOnLine: number[] = [];

  const length = text.length;
  let stanzaCount = 0;
  let fields: Deb822Fields | undefined;
  let stanzaLine = 0;

  // The field being read: its value is text[valueStart, valueEnd) while its lines are
  // contiguous; `pieces` takes over only when a comment interrupts a multi-line value.
  let key: string | undefined;
  let valueStart = 0;
  let valueEnd = 0;
  let pieces: string | undefined;

  const finishField = (): void => {
    if (key === undefined) return;
    let value: string;
    if (pieces === undefined) {
      let end = valueEnd;
      while (end > valueStart && isBlankOrNewline(text.charCodeAt(end - 1))) end--;
      value = text.slice(valueStart, end);
    } else {
      value = pieces.replace(/[ \t\n]+$/, '');
      pieces = undefined;
    }
    (fields as Deb822Fields)[key] = value;
    key = undefined;
  };

  const finishStanza = (): void => {
    finishField();
    if (fields !== undefined) {
      const done = fields;
      fields = undefined;
      onStanza(done, stanzaLine);
    }
  };

  const fail = (problem: string, line: number, field?: string): never => {
    const packageName = fields !== undefined && Object.hasOwn(fields, 'Package') ? fields.Package : undefined;
    throw new DebianFormatError(problem, { line, field, packageName });
  };

  let pos = 0;
  let line = 0;
  while (pos < length) {
    const lineStart = pos;
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd === -1) lineEnd = length;
    pos = lineEnd + 1;
    line++;

    const first = text.charCodeAt(lineStart);
    if (lineStart === lineEnd) {
      finishStanza();
      continue;
    }
    if (first === CH_SPACE || first === CH_TAB) {
      let i = lineStart + 1;
      while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
      if (i === lineEnd) {
        finishStanza();
        continue;
      }
      if (key === undefined) fail('continuation line before any field', line);
      if (pieces === undefined) valueEnd = lineEnd;
      else pieces += `\n${text.slice(lineStart, lineEnd)}`;
      continue;
    }
    if (first === CH_HASH) {
      if (key !== undefined && pieces === undefined) pieces = text.slice(valueStart, valueEnd);
      continue;
    }

    finishField();
    const colon = text.indexOf(':', lineStart);
    if (colon === -1 || colon > lineEnd) {
      fail(`line is neither "Field: value" nor a continuation: ${quote(text.slice(lineStart, lineEnd))}`, line);
    }
    const nameLength = colon - lineStart;
    if (nameLength === 0) fail('empty field name', line);

    const shape = nameLength * 128 + (first & 127);
    let name: InternedName | undefined;
    const candidates = byShape.get(shape);
    if (candidates !== undefined) {
      for (let c = 0; c < candidates.length; c++) {
        if (text.startsWith(candidates[c].spelling, lineStart)) {
          name = candidates[c];
          break;
        }
      }
    }
    if (name === undefined) {
      const spelling = text.slice(lineStart, colon);
      const problem = fieldNameProblem(spelling);
      if (problem !== undefined) fail(problem, line);
      const lower = spelling.toLowerCase();
      let id = idByLower.get(lower);
      if (id === undefined) {
        id = idByLower.size;
        idByLower.set(lower, id);
        seenInStanza.push(-1);
        seenOnLine.push(0);
      }
      name = { spelling, key: CANONICAL_BY_LOWER.get(lower) ?? spelling, id };
      if (candidates === undefined) byShape.set(shape, [name]);
      else candidates.push(name);
    }

    if (fields === undefined) {
      fields = {};
      stanzaLine = line;
      stanzaCount++;
    }
    if (seenInStanza[name.id] === stanzaCount) {
      fail(`duplicate field (first on line ${seenOnLine[name.id]})`, line, name.key);
    }
    seenInStanza[name.id] = stanzaCount;
    seenOnLine[name.id] = line;

    let start = colon + 1;
    while (start < lineEnd && isBlank(text.charCodeAt(start))) start++;
    key = name.key;
    valueStart = start;
    valueEnd = lineEnd;
  }
  finishStanza();
}

/** Every stanza of `text`, in order. */
export function parseDeb822All(text: string): Deb822Fields[] {
  const stanzas: Deb822Fields[] = [];
  parseDeb822(text, (fields) => {
    stanzas.push(fields);
  });
  return stanzas;
}

/**
 * Policy §5.1: printable US-ASCII except space and colon, not starting with `-` (or `#`,
 * which makes a comment). `__proto__` is refused too: as a key it would silently vanish
 * from the plain object a stanza is.
 */
function fieldNameProblem(name: string): string | undefined {
  if (name.charCodeAt(0) === CH_HYPHEN) return `field name ${quote(name)} starts with "-"`;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= CH_SPACE || c > 126 || c === CH_COLON) return `invalid character ${quote(name[i])} in field name ${quote(name)}`;
  }
  if (name === '__proto__') return 'field name "__proto__" is not allowed';
  return undefined;
}

function isBlank(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB;
}

function isBlankOrNewline(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB || c === CH_LF;
}

function lineNumberAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
