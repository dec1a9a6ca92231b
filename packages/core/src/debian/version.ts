import { DebianFormatError, quote } from './errors.ts';

/** A version split the way dpkg splits it: `[epoch:]upstream[-revision]`. */
export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

// dpkg stores the epoch in an int and refuses anything larger.
const MAX_EPOCH = 2147483647;

const CH_TAB = 9;
const CH_SPACE = 32;
const CH_PLUS = 43;
const CH_HYPHEN = 45;
const CH_DOT = 46;
const CH_0 = 48;
const CH_9 = 57;
const CH_COLON = 58;
const CH_TILDE = 126;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isBlank(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB;
}

/**
 * Why dpkg would refuse `version`, or undefined when it is acceptable. Shared by the
 * throwing parser and by callers (the Packages index) that add their own location to
 * the message and so should not pay for a throw/catch per stanza.
 *
 * Follows dpkg 1.21's parseversion(): leading and trailing blanks are ignored; an
 * upstream version that does not start with a digit is only a warning there, so it is
 * accepted here; characters dpkg warns about as invalid are refused, because dpkg's
 * control-file parser turns those warnings into errors.
 */
export function debianVersionProblem(version: string): string | undefined {
  let start = 0;
  let end = version.length;
  while (start < end && isBlank(version.charCodeAt(start))) start++;
  while (end > start && isBlank(version.charCodeAt(end - 1))) end--;
  if (start === end) return 'version string is empty';
  for (let i = start; i < end; i++) {
    if (isBlank(version.charCodeAt(i))) return `version string has embedded spaces: ${quote(version)}`;
  }

  const colon = version.indexOf(':', start);
  let upstreamStart = start;
  if (colon !== -1 && colon < end) {
    const problem = epochProblem(version, start, colon);
    if (problem !== undefined) return `${problem} in ${quote(version)}`;
    upstreamStart = colon + 1;
    if (upstreamStart === end) return `nothing after colon in version ${quote(version)}`;
  }

  const hyphen = version.lastIndexOf('-', end - 1);
  let upstreamEnd = end;
  if (hyphen >= upstreamStart) {
    if (hyphen === end - 1) return `revision number is empty in ${quote(version)}`;
    upstreamEnd = hyphen;
  }
  if (upstreamEnd === upstreamStart) return `version number is empty in ${quote(version)}`;

  for (let i = upstreamStart; i < end; i++) {
    const c = version.charCodeAt(i);
    if (i < upstreamEnd) {
      if (!isDigit(c) && !isAsciiLetter(c) && c !== CH_DOT && c !== CH_PLUS && c !== CH_HYPHEN && c !== CH_TILDE && c !== CH_COLON) {
        return `invalid character ${quote(version[i])} in version number ${quote(version)}`;
      }
    } else if (i > upstreamEnd) {
      if (!isDigit(c) && !isAsciiLetter(c) && c !== CH_DOT && c !== CH_PLUS && c !== CH_TILDE) {
        return `invalid character ${quote(version[i])} in revision number ${quote(version)}`;
      }
    }
  }
  return undefined;
}

function epochProblem(version: string, start: number, colon: number): string | undefined {
  if (colon === start) return 'epoch in version is empty';
  // dpkg reads the epoch with strtol, which also takes "+5" and "-0"; Policy says an
  // epoch is an unsigned integer, and no archive uses a sign, so only digits pass here.
  if (version.charCodeAt(start) === CH_HYPHEN) return 'epoch in version is negative';
  let epoch = 0;
  for (let i = start; i < colon; i++) {
    if (!isDigit(version.charCodeAt(i))) return 'epoch in version is not a number';
    epoch = epoch * 10 + (version.charCodeAt(i) - CH_0);
    if (epoch > MAX_EPOCH) return 'epoch in version is too big';
  }
  return undefined;
}

export function isValidDebianVersion(version: string): boolean {
  return debianVersionProblem(version) === undefined;
}

/** Splits a version into its parts; throws DebianFormatError wherever dpkg would refuse it. */
export function parseDebianVersion(version: string): DebianVersion {
  const problem = debianVersionProblem(version);
  if (problem !== undefined) throw new DebianFormatError(problem);
  const trimmed = version.trim();
  const colon = trimmed.indexOf(':');
  const epoch = colon === -1 ? 0 : Number(trimmed.slice(0, colon));
  const rest = colon === -1 ? trimmed : trimmed.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  return hyphen === -1
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

/**
 * dpkg's version order (Debian Policy §5.6.12): negative when `a` is older than `b`,
 * 0 when equal (`1.0` = `0:1.0-0` = `1.00`), positive when newer.
 *
 * Works on character positions inside the two strings and allocates nothing, because
 * compliance evaluation calls it millions of times (builtins like indexOf cost more
 * than scanning the few characters by hand). It does not validate: the parsers validate
 * versions on the way in (use isValidDebianVersion for anything else); an invalid
 * version still gets a deterministic place in the order, never an exception.
 */
export function compareDebianVersions(a: string, b: string): number {
  if (a === b) return 0;

  let aStart = 0;
  let aEnd = a.length;
  while (aStart < aEnd && isBlank(a.charCodeAt(aStart))) aStart++;
  while (aEnd > aStart && isBlank(a.charCodeAt(aEnd - 1))) aEnd--;
  let bStart = 0;
  let bEnd = b.length;
  while (bStart < bEnd && isBlank(b.charCodeAt(bStart))) bStart++;
  while (bEnd > bStart && isBlank(b.charCodeAt(bEnd - 1))) bEnd--;

  // In a valid version the first colon, if any, ends an all-digit epoch.
  let aEpoch = 0;
  let i = aStart;
  for (; i < aEnd; i++) {
    const c = a.charCodeAt(i);
    if (!isDigit(c)) break;
    aEpoch = aEpoch * 10 + (c - CH_0);
  }
  if (i < aEnd && a.charCodeAt(i) === CH_COLON) aStart = i + 1;
  else aEpoch = 0;
  let bEpoch = 0;
  i = bStart;
  for (; i < bEnd; i++) {
    const c = b.charCodeAt(i);
    if (!isDigit(c)) break;
    bEpoch = bEpoch * 10 + (c - CH_0);
  }
  if (i < bEnd && b.charCodeAt(i) === CH_COLON) bStart = i + 1;
  else bEpoch = 0;
  if (aEpoch !== bEpoch) return aEpoch < bEpoch ? -1 : 1;

  // The revision starts after the last hyphen; without one it is empty (which equals "0").
  let aHyphen = aEnd - 1;
  while (aHyphen >= aStart && a.charCodeAt(aHyphen) !== CH_HYPHEN) aHyphen--;
  if (aHyphen < aStart) aHyphen = aEnd;
  let bHyphen = bEnd - 1;
  while (bHyphen >= bStart && b.charCodeAt(bHyphen) !== CH_HYPHEN) bHyphen--;
  if (bHyphen < bStart) bHyphen = bEnd;

  const upstream = verrevcmp(a, aStart, aHyphen, b, bStart, bHyphen);
  if (upstream !== 0) return upstream;
  return verrevcmp(a, aHyphen + 1, aEnd, b, bHyphen + 1, bEnd);
}

/**
 * Weight of a character in the non-digit parts: `~` before the end of the string (0),
 * the end before letters, letters before everything else. Digits weigh 0 like the end,
 * so a digit run ends the non-digit comparison the way dpkg's order() does.
 */
function order(c: number): number {
  if (c === 0 || isDigit(c)) return 0;
  if (isAsciiLetter(c)) return c;
  if (c === CH_TILDE) return -1;
  return c + 256;
}

/** dpkg's verrevcmp over [aPos, aEnd) and [bPos, bEnd); a position past the end reads as 0. */
function verrevcmp(a: string, aPos: number, aEnd: number, b: string, bPos: number, bEnd: number): number {
  // Versions compared in practice share long prefixes (`3.0.17-1~deb12u2` / `…u3`). The
  // comparison can resume after the common prefix, at the last point where verrevcmp
  // starts a new round (a digit followed by a non-digit), as both strings agree up to there.
  if (aPos === bPos) {
    const limit = aEnd < bEnd ? aEnd : bEnd;
    let same = aPos;
    while (same < limit && a.charCodeAt(same) === b.charCodeAt(same)) same++;
    if (same === aEnd && same === bEnd) return 0;
    let resume = aPos;
    for (let j = same - 1; j > aPos; j--) {
      if (!isDigit(a.charCodeAt(j)) && isDigit(a.charCodeAt(j - 1))) {
        resume = j;
        break;
      }
    }
    aPos = resume;
    bPos = resume;
  }

  while (aPos < aEnd || bPos < bEnd) {
    let ac = aPos < aEnd ? a.charCodeAt(aPos) : 0;
    let bc = bPos < bEnd ? b.charCodeAt(bPos) : 0;
    while ((ac !== 0 && !isDigit(ac)) || (bc !== 0 && !isDigit(bc))) {
      const aw = order(ac);
      const bw = order(bc);
      if (aw !== bw) return aw - bw;
      aPos++;
      bPos++;
      ac = aPos < aEnd ? a.charCodeAt(aPos) : 0;
      bc = bPos < bEnd ? b.charCodeAt(bPos) : 0;
    }
    while (ac === CH_0) {
      aPos++;
      ac = aPos < aEnd ? a.charCodeAt(aPos) : 0;
    }
    while (bc === CH_0) {
      bPos++;
      bc = bPos < bEnd ? b.charCodeAt(bPos) : 0;
    }
    let firstDiff = 0;
    while (isDigit(ac) && isDigit(bc)) {
      if (firstDiff === 0) firstDiff = ac - bc;
      aPos++;
      bPos++;
      ac = aPos < aEnd ? a.charCodeAt(aPos) : 0;
      bc = bPos < bEnd ? b.charCodeAt(bPos) : 0;
    }
    if (isDigit(ac)) return 1;
    if (isDigit(bc)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}
