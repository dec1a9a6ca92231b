import { DebianFormatError, quote } from './errors.ts';

/** The two parts of an OpenPGP cleartext-signed file (RFC 4880 §7, RFC 9580 §7). */
export interface ClearsignedParts {
  /**
   * The text the signature covers: dash-escapes removed, lines joined with `\n`, trailing
   * spaces and tabs removed from every line (the signature does not cover them, so an
   * attacker could add them freely), without the line end before the signature block.
   */
  signedText: string;
  /** `-----BEGIN PGP SIGNATURE-----` … `-----END PGP SIGNATURE-----\n`. */
  armoredSignature: string;
  /** Line of the file where the signed text starts, so later errors can point into the file. */
  firstLine: number;
}

const BEGIN_MESSAGE = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';

/** RFC 4880 §6.2 keys; anything else in a signature's armor is a sign of tampering. */
const SIGNATURE_ARMOR_HEADERS = new Set(['Version', 'Comment', 'Charset', 'MessageID']);

const ARMOR_HEADER = /^([A-Za-z][A-Za-z0-9-]*): (.*)$/;
const HASH_NAME = /^[A-Za-z0-9-]+$/;
const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;
const ARMOR_CHECKSUM = /^=[A-Za-z0-9+/]{4}$/;

/**
 * Checks that `text` is exactly one cleartext-signed message, and nothing else, and
 * splits it. This is apt's defence against CVE-2013-1051: OpenPGP libraries verify the
 * signed part and ignore whatever surrounds it, so an attacker could otherwise prepend
 * or append unsigned stanzas that a lenient reader would believe.
 *
 * The file must start with the `-----BEGIN PGP SIGNED MESSAGE-----` line (no byte before
 * it), carry only `Hash:` armor headers and one empty line, then dash-escaped text, then
 * one signature block, then nothing but whitespace. Every deviation is a
 * DebianFormatError naming the line.
 */
export function splitClearsigned(text: string): ClearsignedParts {
  const lines = text.split('\n');

  if (armorLine(lines[0]) !== BEGIN_MESSAGE) {
    const at = lines.findIndex((l) => l.includes(BEGIN_MESSAGE));
    if (at === -1) throw new DebianFormatError('not signed: no OpenPGP cleartext signature');
    throw new DebianFormatError(`content before ${quote(BEGIN_MESSAGE)}: a clearsigned file must start with that line`, { line: at + 1 });
  }

  let i = 1;
  for (; ; i++) {
    if (i >= lines.length) throw new DebianFormatError('no empty line after the armor headers of the signed message');
    const header = armorLine(lines[i]);
    if (header === '') break;
    checkMessageHeader(header, i + 1);
  }

  const firstLine = i + 2;
  const signed: string[] = [];
  for (i++; ; i++) {
    if (i >= lines.length) throw new DebianFormatError(`missing signature block: no ${quote(BEGIN_SIGNATURE)} line`);
    const raw = lines[i];
    if (raw.charCodeAt(0) === 45 /* - */) {
      if (raw.startsWith('- ')) {
        signed.push(cleartextLine(raw.slice(2), i + 1));
        continue;
      }
      const armor = armorLine(raw);
      if (armor === BEGIN_SIGNATURE) break;
      if (armor === BEGIN_MESSAGE) throw new DebianFormatError('a second signed message starts inside the signed text', { line: i + 1 });
      throw new DebianFormatError('line in the signed text starts with "-" but is not dash-escaped', { line: i + 1 });
    }
    signed.push(cleartextLine(raw, i + 1));
  }

  const signatureStart = i;
  const end = readSignatureBlock(lines, signatureStart);

  for (let j = end + 1; j < lines.length; j++) {
    const rest = lines[j].trim();
    if (rest === '') continue;
    if (rest.includes(BEGIN_MESSAGE)) throw new DebianFormatError('a second signed message follows the signature block', { line: j + 1 });
    throw new DebianFormatError('content after the signature block', { line: j + 1 });
  }

  const armored: string[] = [];
  for (let j = signatureStart; j <= end; j++) armored.push(armorLine(lines[j]));
  return { signedText: signed.join('\n'), armoredSignature: `${armored.join('\n')}\n`, firstLine };
}

/** Armor lines may carry trailing whitespace (RFC 9580 §6.2) and CRLF ends. */
function armorLine(line: string): string {
  return withoutTrailingBlanks(line);
}

/**
 * Drops trailing spaces, tabs and CRs. By hand, not with /[ \t\r]+$/: this runs before
 * the signature is checked, and that regex takes quadratic time on a long run of
 * blanks followed by another character.
 */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  for (;;) {
    const c = line.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 13) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}

/**
 * RFC 4880 §7.1: the signature is computed with trailing spaces and tabs removed, so
 * they are removed here too. A carriage return inside a line is refused: OpenPGP
 * canonicalises a lone CR to a line end, so the signed text and our lines would differ.
 */
function cleartextLine(line: string, lineNumber: number): string {
  const stripped = withoutTrailingBlanks(line);
  if (stripped.includes('\r')) throw new DebianFormatError('carriage return inside a line of the signed text', { line: lineNumber });
  return stripped;
}

function checkMessageHeader(header: string, lineNumber: number): void {
  const match = ARMOR_HEADER.exec(header);
  if (match === null) throw new DebianFormatError(`malformed armor header ${quote(header)} in the signed message`, { line: lineNumber });
  if (match[1] !== 'Hash') {
    throw new DebianFormatError(`unknown armor header ${quote(match[1])} in the signed message (only "Hash" is allowed)`, { line: lineNumber });
  }
  const names = match[2].split(',').map((n) => n.trim());
  if (names.some((n) => !HASH_NAME.test(n))) throw new DebianFormatError(`malformed Hash armor header ${quote(header)}`, { line: lineNumber });
}

/** Validates the armored signature starting at `begin`; returns the index of its END line. */
function readSignatureBlock(lines: string[], begin: number): number {
  let i = begin + 1;
  for (; ; i++) {
    if (i >= lines.length) throw new DebianFormatError('signature block has no empty line after its armor headers', { line: begin + 1 });
    const header = armorLine(lines[i]);
    if (header === '') break;
    const match = ARMOR_HEADER.exec(header);
    if (match === null) throw new DebianFormatError(`malformed armor header ${quote(header)} in the signature block`, { line: i + 1 });
    if (!SIGNATURE_ARMOR_HEADERS.has(match[1])) {
      throw new DebianFormatError(`unknown armor header ${quote(match[1])} in the signature block`, { line: i + 1 });
    }
  }

  // A missing END line would otherwise surface as an odd complaint about trailing blank lines.
  let last = lines.length - 1;
  while (last > i && lines[last].trim() === '') last--;
  let dataLines = 0;
  let checksumSeen = false;
  for (i++; ; i++) {
    if (i > last) throw new DebianFormatError(`signature block is not closed by ${quote(END_SIGNATURE)}`, { line: begin + 1 });
    const line = armorLine(lines[i]);
    if (line === END_SIGNATURE) break;
    if (line.startsWith('-----')) throw new DebianFormatError(`unexpected armor line ${quote(line)} inside the signature block`, { line: i + 1 });
    if (checksumSeen) throw new DebianFormatError('signature data after the armor checksum', { line: i + 1 });
    if (ARMOR_CHECKSUM.test(line) && dataLines > 0) {
      checksumSeen = true;
    } else if (BASE64_LINE.test(line)) {
      dataLines++;
    } else {
      throw new DebianFormatError(`invalid line ${quote(line)} in the signature block (not base64)`, { line: i + 1 });
    }
  }
  if (dataLines === 0) throw new DebianFormatError('signature block is empty', { line: begin + 1 });
  return i;
}
