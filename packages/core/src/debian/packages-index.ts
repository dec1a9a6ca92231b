import { archivePathProblem } from './archive-path.ts';
import { type Deb822Visitor, fieldLineInStanza, scanDeb822 } from './deb822.ts';
import { DebianFormatError, quote } from './errors.ts';
import { debianVersionProblem } from './version.ts';

/** One stanza of a binary Packages index, validated. */
export interface BinaryPackage {
  package: string;
  version: string;
  architecture: string;
  /** The source package; the binary's own name when the stanza has no `Source`. */
  source: string;
  /** The source version: from `Source: name (version)` (binNMUs), else the binary's version. */
  sourceVersion: string;
  /** Relative to the archive root, e.g. `pool/main/o/openssl/openssl_3.0.17-1~deb12u3_amd64.deb`. */
  filename: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
  section?: string;
  priority?: string;
  /** The synopsis: the first line of `Description` only. */
  description?: string;
  installedSize?: number;
  depends?: string;
  preDepends?: string;
  multiArch?: string;
}

// dpkg architecture names (`amd64`, `all`, `musl-linux-arm64`, …).
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;
const SOURCE_WITH_VERSION = /^(\S+)\s*\(\s*([^()\s]+)\s*\)$/;

/**
 * Parses and validates a binary Packages index. Every stanza must have a valid Package,
 * Version, Architecture, Filename (a safe relative path), Size and SHA256; the first
 * violation throws DebianFormatError naming the line, the package and the field.
 */
export function parsePackagesIndex(text: string): BinaryPackage[] {
  const reader = new PackagesIndexReader(text);
  scanDeb822(text, reader);
  return reader.packages;
}

const FIELDS_READ = new Set([
  'Package', 'Version', 'Architecture', 'Source', 'Filename', 'Size', 'SHA256',
  'Section', 'Priority', 'Description', 'Installed-Size', 'Depends', 'Pre-Depends', 'Multi-Arch',
]);

/**
 * Collects one stanza's fields into plain properties rather than a record per stanza:
 * 60,000 records with varying field order make every lookup megamorphic, and the
 * records themselves were half of the garbage.
 */
class PackagesIndexReader implements Deb822Visitor {
  readonly wanted = FIELDS_READ;
  readonly packages: BinaryPackage[] = [];
  private name: string | undefined = undefined;
  private version: string | undefined = undefined;
  private architecture: string | undefined = undefined;
  private source: string | undefined = undefined;
  private filename: string | undefined = undefined;
  private size: string | undefined = undefined;
  private sha256: string | undefined = undefined;
  private section: string | undefined = undefined;
  private priority: string | undefined = undefined;
  private description: string | undefined = undefined;
  private installedSize: string | undefined = undefined;
  private depends: string | undefined = undefined;
  private preDepends: string | undefined = undefined;
  private multiArch: string | undefined = undefined;

  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  field(key: string, value: string): void {
    switch (key) {
      case 'Package': this.name = value; break;
      case 'Version': this.version = value; break;
      case 'Architecture': this.architecture = value; break;
      case 'Source': this.source = value; break;
      case 'Filename': this.filename = value; break;
      case 'Size': this.size = value; break;
      case 'SHA256': this.sha256 = value; break;
      case 'Section': this.section = value; break;
      case 'Priority': this.priority = value; break;
      case 'Description': this.description = value; break;
      case 'Installed-Size': this.installedSize = value; break;
      case 'Depends': this.depends = value; break;
      case 'Pre-Depends': this.preDepends = value; break;
      case 'Multi-Arch': this.multiArch = value; break;
    }
  }

  endStanza(line: number): void {
    this.packages.push(this.binaryPackage(line));
    this.name = this.version = this.architecture = this.source = this.filename = this.size = this.sha256 = undefined;
    this.section = this.priority = this.description = this.installedSize = this.depends = this.preDepends = this.multiArch = undefined;
  }

  private binaryPackage(line: number): BinaryPackage {
    const name = this.required(line, 'Package', this.name);
    if (!isPackageName(name)) throw this.error(line, 'Package', `invalid package name ${quote(name)}`);

    const version = this.required(line, 'Version', this.version);
    const versionProblem = debianVersionProblem(version);
    if (versionProblem !== undefined) throw this.error(line, 'Version', versionProblem);

    const architecture = this.required(line, 'Architecture', this.architecture);
    if (!ARCHITECTURE.test(architecture)) throw this.error(line, 'Architecture', `invalid architecture ${quote(architecture)}`);

    const filename = this.required(line, 'Filename', this.filename);
    const pathProblem = archivePathProblem(filename);
    if (pathProblem !== undefined) throw this.error(line, 'Filename', `${pathProblem}: ${quote(filename)}`);

    const sizeText = this.required(line, 'Size', this.size);
    const size = decimalOf(sizeText);
    if (size === undefined) throw this.error(line, 'Size', `invalid size ${quote(sizeText)}`);

    const sha256 = this.required(line, 'SHA256', this.sha256);
    if (!isLowercaseSha256(sha256)) throw this.error(line, 'SHA256', `invalid sha256 ${quote(sha256)} (expected 64 lowercase hex digits)`);

    let source = name;
    let sourceVersion = version;
    const sourceField = this.source;
    if (sourceField !== undefined) {
      const withVersion = sourceField.indexOf('(') === -1 ? null : SOURCE_WITH_VERSION.exec(sourceField);
      source = withVersion === null ? sourceField : withVersion[1];
      if (!isPackageName(source)) throw this.error(line, 'Source', `invalid source package name in ${quote(sourceField)}`);
      if (withVersion !== null) {
        sourceVersion = withVersion[2];
        const problem = debianVersionProblem(sourceVersion);
        if (problem !== undefined) throw this.error(line, 'Source', `invalid source version: ${problem}`);
      }
    }

    const binary: BinaryPackage = { package: name, version, architecture, source, sourceVersion, filename, size, sha256 };
    if (this.installedSize !== undefined) {
      const installedSize = decimalOf(this.installedSize);
      if (installedSize === undefined) throw this.error(line, 'Installed-Size', `invalid size ${quote(this.installedSize)}`);
      binary.installedSize = installedSize;
    }
    if (this.description !== undefined) {
      const newline = this.description.indexOf('\n');
      binary.description = newline === -1 ? this.description : this.description.slice(0, newline).trimEnd();
    }
    if (this.section !== undefined) binary.section = this.section;
    if (this.priority !== undefined) binary.priority = this.priority;
    if (this.depends !== undefined) binary.depends = this.depends;
    if (this.preDepends !== undefined) binary.preDepends = this.preDepends;
    if (this.multiArch !== undefined) binary.multiArch = this.multiArch;
    return binary;
  }

  private required(line: number, field: string, value: string | undefined): string {
    if (value === undefined) throw this.error(line, field, 'required field is missing from the stanza starting on this line');
    if (value === '') throw this.error(line, field, 'empty value');
    return value;
  }

  /** Points at the field's own line when the stanza has it, else at the stanza's first line. */
  private error(stanzaLine: number, field: string, problem: string): DebianFormatError {
    const line = fieldLineInStanza(this.text, stanzaLine, field) ?? stanzaLine;
    return new DebianFormatError(problem, { line, packageName: this.name, field });
  }
}

/** A non-negative decimal integer that a double holds exactly, else undefined. */
function decimalOf(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** Policy §5.6.1: two or more of lowercase letters, digits, `+`, `-`, `.`, starting alphanumeric. */
export function isPackageName(text: string): boolean {
  if (text.length < 2) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
    if (i > 0 && (c === 43 || c === 45 || c === 46)) continue;
    return false;
  }
  return true;
}

function isLowercaseSha256(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
