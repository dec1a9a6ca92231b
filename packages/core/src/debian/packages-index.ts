import { archivePathProblem } from './archive-path.ts';
import { type Deb822Fields, fieldLineInStanza, parseDeb822 } from './deb822.ts';
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

// Policy §5.6.1: at least two characters, lowercase letters, digits, + - . starting alphanumeric.
const PACKAGE_NAME = /^[a-z0-9][a-z0-9.+-]+$/;
// dpkg architecture names (`amd64`, `all`, `musl-linux-arm64`, …).
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;
const SOURCE_WITH_VERSION = /^(\S+)\s*\(\s*([^()\s]+)\s*\)$/;
const DECIMAL = /^\d+$/;

/**
 * Parses and validates a binary Packages index. Every stanza must have a valid Package,
 * Version, Architecture, Filename (a safe relative path), Size and SHA256; the first
 * violation throws DebianFormatError naming the line, the package and the field.
 */
export function parsePackagesIndex(text: string): BinaryPackage[] {
  const packages: BinaryPackage[] = [];
  parseDeb822(text, (fields, line) => {
    packages.push(binaryPackageOf(text, fields, line));
  });
  return packages;
}

// No closures per stanza: this runs 60,000 times per index, and per-call closures cost
// allocations (and, under tsx/esbuild's keepNames, a defineProperty each).
function binaryPackageOf(text: string, fields: Deb822Fields, line: number): BinaryPackage {
  const name = requiredField(text, fields, line, 'Package');
  if (!PACKAGE_NAME.test(name)) throw stanzaError(text, fields, line, 'Package', `invalid package name ${quote(name)}`);

  const version = requiredField(text, fields, line, 'Version');
  const versionProblem = debianVersionProblem(version);
  if (versionProblem !== undefined) throw stanzaError(text, fields, line, 'Version', versionProblem);

  const architecture = requiredField(text, fields, line, 'Architecture');
  if (!ARCHITECTURE.test(architecture)) throw stanzaError(text, fields, line, 'Architecture', `invalid architecture ${quote(architecture)}`);

  const filename = requiredField(text, fields, line, 'Filename');
  const pathProblem = archivePathProblem(filename);
  if (pathProblem !== undefined) throw stanzaError(text, fields, line, 'Filename', `${pathProblem}: ${quote(filename)}`);

  const size = decimalOf(requiredField(text, fields, line, 'Size'));
  if (size === undefined) throw stanzaError(text, fields, line, 'Size', `invalid size ${quote(fields.Size)}`);

  const sha256 = requiredField(text, fields, line, 'SHA256');
  if (!isLowercaseSha256(sha256)) throw stanzaError(text, fields, line, 'SHA256', `invalid sha256 ${quote(sha256)} (expected 64 lowercase hex digits)`);

  let source = name;
  let sourceVersion = version;
  const sourceField = fields.Source;
  if (sourceField !== undefined) {
    const withVersion = sourceField.indexOf('(') === -1 ? null : SOURCE_WITH_VERSION.exec(sourceField);
    source = withVersion === null ? sourceField : withVersion[1];
    if (!PACKAGE_NAME.test(source)) throw stanzaError(text, fields, line, 'Source', `invalid source package name in ${quote(sourceField)}`);
    if (withVersion !== null) {
      sourceVersion = withVersion[2];
      const problem = debianVersionProblem(sourceVersion);
      if (problem !== undefined) throw stanzaError(text, fields, line, 'Source', `invalid source version: ${problem}`);
    }
  }

  const binary: BinaryPackage = { package: name, version, architecture, source, sourceVersion, filename, size, sha256 };
  const installedSizeField = fields['Installed-Size'];
  if (installedSizeField !== undefined) {
    const installedSize = decimalOf(installedSizeField);
    if (installedSize === undefined) throw stanzaError(text, fields, line, 'Installed-Size', `invalid size ${quote(installedSizeField)}`);
    binary.installedSize = installedSize;
  }
  const description = fields.Description;
  if (description !== undefined) {
    const newline = description.indexOf('\n');
    binary.description = newline === -1 ? description : description.slice(0, newline).trimEnd();
  }
  if (fields.Section !== undefined) binary.section = fields.Section;
  if (fields.Priority !== undefined) binary.priority = fields.Priority;
  if (fields.Depends !== undefined) binary.depends = fields.Depends;
  if (fields['Pre-Depends'] !== undefined) binary.preDepends = fields['Pre-Depends'];
  if (fields['Multi-Arch'] !== undefined) binary.multiArch = fields['Multi-Arch'];
  return binary;
}

function requiredField(text: string, fields: Deb822Fields, line: number, field: string): string {
  const value = fields[field];
  if (value === undefined) throw stanzaError(text, fields, line, field, 'required field is missing from the stanza starting on this line');
  if (value === '') throw stanzaError(text, fields, line, field, 'empty value');
  return value;
}

function stanzaError(text: string, fields: Deb822Fields, stanzaLine: number, field: string, problem: string): DebianFormatError {
  const line = fieldLineInStanza(text, stanzaLine, field) ?? stanzaLine;
  return new DebianFormatError(problem, { line, packageName: fields.Package, field });
}

/** A non-negative decimal integer that a double holds exactly, else undefined. */
function decimalOf(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function isLowercaseSha256(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
