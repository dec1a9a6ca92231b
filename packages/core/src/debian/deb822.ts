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
 * A field name seen in this text. The scanner recognises repeated names by comparing
 * characters in place, so the ~15 field lines of each of 60,000 stanzas neither allocate
 * a name string nor re-validate it.
 */
interface InternedName {
  spelling: string;
  key: string;
  /** Same for every spelling of one name, for duplicate detection. */
  id: number;
  /** Whether the visitor wants this field's value. */
  wanted: boolean;
}

/** Receives a deb822 text field by field; what {@link parseDeb822} and the index parsers build on. */
export interface Deb822Visitor {
  /**
   * Canonical names of the fields to deliver (all when absent). The others are still
   * checked (syntax, duplicates) but their values are never extracted, which spares
   * the Packages parser a third of its allocations.
   */
  readonly wanted?: ReadonlySet<string>;
  /** One complete field of the current stanza, under its canonical name. */
  field(key: string, value: string): void;
  /** The current stanza, which started on `line`, is complete. */
  endStanza(line: number): void;
}

const LINE_END_OF_TEXT = 0;
const LINE_BLANK = 1;
const LINE_CONTINUATION = 2;
const LINE_COMMENT = 3;
const LINE_FIELD = 4;

/**
 * The deb822 scanner. Throws DebianFormatError, naming the line, for a line that is
 * neither a field nor a continuation, a continuation before any field, an empty or
 * malformed field name, a duplicate field, or a NUL character.
 *
 * Blank lines (empty or only spaces and tabs) separate stanzas; lines starting with `#`
 * are comments and are skipped, even between continuation lines (Policy §5.1). CRLF line
 * ends are accepted.
 *
 * Written as one loop over plain locals (no closures over mutable state, no regex per
 * line), because it reads 50 MB Packages indexes.
 */
export function scanDeb822(text: string, visitor: Deb822Visitor): void {
  if (text.indexOf('\r') !== -1) text = text.replace(/\r\n/g, '\n');
  const nul = text.indexOf('\0');
  if (nul !== -1) throw new DebianFormatError('NUL character in a control file', { line: lineNumberAt(text, nul) });

  const wanted = visitor.wanted;
  const byShape = new Map<number, InternedName[]>();
  const idByLower = new Map<string, number>();
  // Per name id: the stanza that last used it and on which line, to find duplicates.
  const seenInStanza: number[] = [];
  const seenOnLine: number[] = [];

  const length = text.length;
  let stanzaCount = 0;
  let inStanza = false;
  let stanzaLine = 0;
  // Only for error messages.
  let packageName: string | undefined;

  // The field being read: its value is text[valueStart, valueEnd) while its lines are
  // contiguous; `pieces` takes over only when a comment interrupts a multi-line value.
  let inField = false;
  let field: InternedName | undefined;
  let valueStart = 0;
  let valueEnd = 0;
  let pieces: string | undefined;

  let pos = 0;
  let line = 0;
  for (;;) {
    let kind = LINE_END_OF_TEXT;
    const lineStart = pos;
    let lineEnd = pos;
    if (pos <= length && !(pos === length && line > 0)) {
      lineEnd = text.indexOf('\n', pos);
      if (lineEnd === -1) lineEnd = length;
      pos = lineEnd + 1;
      line++;
      const first = text.charCodeAt(lineStart);
      if (lineStart === lineEnd) {
        kind = LINE_BLANK;
      } else if (first === CH_SPACE || first === CH_TAB) {
        let i = lineStart + 1;
        while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
        kind = i === lineEnd ? LINE_BLANK : LINE_CONTINUATION;
      } else if (first === CH_HASH) {
        kind = LINE_COMMENT;
      } else {
        kind = LINE_FIELD;
      }
    }

    if (kind === LINE_CONTINUATION) {
      if (!inField) throw new DebianFormatError('continuation line before any field', { line, packageName });
      if (pieces === undefined) valueEnd = lineEnd;
      else pieces += `\n${text.slice(lineStart, lineEnd)}`;
      continue;
    }
    if (kind === LINE_COMMENT) {
      if (inField && pieces === undefined) pieces = text.slice(valueStart, valueEnd);
      continue;
    }

    // A field line, a blank line or the end of the text: the field before is complete.
    if (inField) {
      const current = field as InternedName;
      if (current.wanted || current.key === 'Package') {
        const value = pieces === undefined ? trimmedValue(text, valueStart, valueEnd) : trimmedValue(pieces, 0, pieces.length);
        if (current.key === 'Package') packageName = value;
        if (current.wanted) visitor.field(current.key, value);
      }
      pieces = undefined;
      inField = false;
    }
    if (kind !== LINE_FIELD) {
      if (inStanza) {
        inStanza = false;
        packageName = undefined;
        visitor.endStanza(stanzaLine);
      }
      if (kind === LINE_END_OF_TEXT) return;
      continue;
    }

    const colon = text.indexOf(':', lineStart);
    if (colon === -1 || colon > lineEnd) {
      throw new DebianFormatError(`line is neither "Field: value" nor a continuation: ${quote(text.slice(lineStart, lineEnd))}`, { line, packageName });
    }
    const nameLength = colon - lineStart;
    if (nameLength === 0) throw new DebianFormatError('empty field name', { line, packageName });

    const shape = nameLength * 128 + (text.charCodeAt(lineStart) & 127);
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
      if (problem !== undefined) throw new DebianFormatError(problem, { line, packageName });
      const lower = spelling.toLowerCase();
      let id = idByLower.get(lower);
      if (id === undefined) {
        id = idByLower.size;
        idByLower.set(lower, id);
        seenInStanza.push(-1);
        seenOnLine.push(0);
      }
      const key = CANONICAL_BY_LOWER.get(lower) ?? spelling;
      name = { spelling, key, id, wanted: wanted === undefined || wanted.has(key) };
      if (candidates === undefined) byShape.set(shape, [name]);
      else candidates.push(name);
    }

    if (!inStanza) {
      inStanza = true;
      stanzaLine = line;
      stanzaCount++;
    }
    if (seenInStanza[name.id] === stanzaCount) {
      throw new DebianFormatError(`duplicate field (first on line ${seenOnLine[name.id]})`, { line, packageName, field: name.key });
    }
    seenInStanza[name.id] = stanzaCount;
    seenOnLine[name.id] = line;

    let start = colon + 1;
    while (start < lineEnd && isBlank(text.charCodeAt(start))) start++;
    inField = true;
    field = name;
    valueStart = start;
    valueEnd = lineEnd;
  }
}

/**
 * Streams the stanzas of a deb822 text to `onStanza`, with the 1-based line number where
 * each stanza starts; errors as {@link scanDeb822}.
 */
export function parseDeb822(text: string, onStanza: (fields: Deb822Fields, line: number) => void): void {
  let fields: Deb822Fields = {};
  scanDeb822(text, {
    field(key, value) {
      fields[key] = value;
    },
    endStanza(line) {
      const done = fields;
      fields = {};
      onStanza(done, line);
    },
  });
}

/** Every stanza of `text`, in order. */
export function parseDeb822All(text: string): Deb822Fields[] {
  const stanzas: Deb822Fields[] = [];
  parseDeb822(text, (fields) => {
    stanzas.push(fields);
  });
  return stanzas;
}

/** dpkg drops blanks (and the newline of a blank last continuation) at the end of a value. */
function trimmedValue(text: string, start: number, end: number): string {
  while (end > start && isBlankOrNewline(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
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

/**
 * The line where `field` stands in the stanza starting at `stanzaLine`, or undefined when
 * the stanza lacks it. A linear scan, meant for error messages only: callers validate
 * values after the stanza is parsed, when the field's own line is no longer known.
 */
export function fieldLineInStanza(text: string, stanzaLine: number, field: string): number | undefined {
  const prefix = `${field.toLowerCase()}:`;
  let start = 0;
  for (let line = 1; line < stanzaLine; line++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return undefined;
    start = next + 1;
  }
  for (let line = stanzaLine; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const content = text.slice(start, end);
    if (content.trim() === '') return undefined;
    if (content.slice(0, prefix.length).toLowerCase() === prefix) return line;
    start = end + 1;
  }
  return undefined;
}
