/**
 * Where in a Debian file a problem sits. Every part is optional because the lower layers
 * (a version string on its own, one armor line) know less than the parsers that call them.
 */
export interface DebianFormatLocation {
  /** 1-based line number in the text that was parsed. */
  line?: number;
  /** The field as spelled by the parser's canonical name, e.g. `Version`. */
  field?: string;
  /** The stanza's `Package`, once it is known. */
  packageName?: string;
}

/**
 * Raised for any malformed Debian metadata. The message reaches administrators verbatim,
 * so it always carries the location in front of the problem, in one consistent shape:
 * `line 12, package "openssl", field Version: revision number is empty in "3.0.17-"`.
 */
export class DebianFormatError extends Error {
  override readonly name = 'DebianFormatError';
  /** The problem without its location, for callers that add their own context. */
  readonly problem: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly packageName: string | undefined;

  constructor(problem: string, where: DebianFormatLocation = {}) {
    super(withLocation(problem, where));
    this.problem = problem;
    this.line = where.line;
    this.field = where.field;
    this.packageName = where.packageName;
  }
}

function withLocation(problem: string, where: DebianFormatLocation): string {
  const parts: string[] = [];
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.packageName !== undefined) parts.push(`package ${quote(where.packageName)}`);
  if (where.field !== undefined) parts.push(`field ${where.field}`);
  return parts.length === 0 ? problem : `${parts.join(', ')}: ${problem}`;
}

const MAX_QUOTED = 80;

/**
 * Quotes untrusted text for an error message: escapes control characters (so a hostile
 * value cannot forge extra log lines) and truncates, so one bad 10 MB field cannot flood a log.
 */
export function quote(text: string): string {
  const shown = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(shown);
}
