import { fieldLineInStanza, scanDeb822 } from '../debian/deb822.ts';
import { DebianFormatError, quote } from '../debian/errors.ts';
import { isPackageName } from '../debian/packages-index.ts';
import { debianVersionProblem } from '../debian/version.ts';
import { type DpkgPackage, DpkgStatusText, MultiArch } from './inventory.ts';

export interface ParseDpkgStatusOptions {
  /**
   * The machine's dpkg architecture, which decides which packages dpkg names with their
   * architecture. By default it is the architecture of the installed `dpkg` package, which
   * is always the native one.
   */
  nativeArchitecture?: string;
}

const FIELDS_READ = new Set(['Package', 'Status', 'Architecture', 'Version', 'Multi-Arch']);

/**
 * Reads `/var/lib/dpkg/status` into the inventory's dpkg record, keyed as dpkg itself names
 * packages: `name:arch` for Multi-Arch `same` packages and packages of a foreign
 * architecture, `name` otherwise. Every stanza is kept, installed or not, with its status.
 *
 * Throws DebianFormatError, naming the line, for what dpkg would refuse to read: a missing
 * or invalid Package or Status, an invalid Version or Multi-Arch, a package on the machine
 * without Version or Architecture, or the same package twice.
 */
export function parseDpkgStatus(text: string, options: ParseDpkgStatusOptions = {}): Record<string, DpkgPackage> {
  const stanzas: Array<{ fields: Map<string, string>; line: number }> = [];
  let fields = new Map<string, string>();
  scanDeb822(text, {
    wanted: FIELDS_READ,
    field(key, value) {
      fields.set(key, value);
    },
    endStanza(line) {
      stanzas.push({ fields, line });
      fields = new Map();
    },
  });

  const fail = (line: number, name: string | undefined, field: string, problem: string): never => {
    throw new DebianFormatError(problem, { line: fieldLineInStanza(text, line, field) ?? line, packageName: name, field });
  };

  const packages: DpkgPackage[] = [];
  const lines: number[] = [];
  for (const { fields, line } of stanzas) {
    const name = fields.get('Package');
    if (name === undefined) fail(line, undefined, 'Package', 'required field is missing from the stanza starting on this line');
    if (!isPackageName(name!)) fail(line, name, 'Package', `invalid package name ${quote(name!)}`);
    const status = fields.get('Status');
    if (status === undefined) fail(line, name, 'Status', 'required field is missing from the stanza starting on this line');
    if (!DpkgStatusText.safeParse(status).success) fail(line, name, 'Status', `invalid status ${quote(status!)}`);
    const version = fields.get('Version') ?? null;
    if (version !== null) {
      const problem = debianVersionProblem(version);
      if (problem !== undefined) fail(line, name, 'Version', problem);
    }
    const architecture = fields.get('Architecture') ?? null;
    const onMachine = !status!.endsWith(' not-installed');
    if (onMachine && version === null) fail(line, name, 'Version', 'a package on the machine needs a version');
    if (onMachine && architecture === null) fail(line, name, 'Architecture', 'a package on the machine needs an architecture');
    const multiArchText = fields.get('Multi-Arch');
    let multiArch: MultiArch | null = null;
    if (multiArchText !== undefined) {
      const parsed = MultiArch.safeParse(multiArchText);
      if (!parsed.success) fail(line, name, 'Multi-Arch', `invalid Multi-Arch ${quote(multiArchText)}`);
      multiArch = parsed.data!;
    }
    packages.push({ name: name!, architecture, version, status: status!, multiArch });
    lines.push(line);
  }

  const native = options.nativeArchitecture ?? nativeArchitectureOf(packages);
  const record: Record<string, DpkgPackage> = {};
  packages.forEach((p, i) => {
    const qualified = `${p.name}:${p.architecture}`;
    let key = needsArchitecture(p, native) ? qualified : p.name;
    // Without knowing the native architecture, a package crossgraded to another architecture
    // leaves two unqualified stanzas of one name; the second is told apart by its architecture.
    if (Object.hasOwn(record, key) && key !== qualified && p.architecture !== null && record[key].architecture !== p.architecture) key = qualified;
    if (Object.hasOwn(record, key)) fail(lines[i], p.name, 'Package', `package ${quote(key)} appears twice`);
    record[key] = p;
  });
  return record;
}

/** dpkg's own rule (pkgbin_name_needs_arch, "non-ambiguous" names). */
function needsArchitecture(p: DpkgPackage, native: string | null): boolean {
  if (p.architecture === null) return false;
  if (p.multiArch === 'same') return true;
  if (p.architecture === 'all') return false;
  return native !== null && p.architecture !== native;
}

function nativeArchitectureOf(packages: readonly DpkgPackage[]): string | null {
  const dpkg = packages.find((p) => p.name === 'dpkg' && p.architecture !== null && p.architecture !== 'all' && p.status.endsWith(' installed'));
  return dpkg?.architecture ?? null;
}
