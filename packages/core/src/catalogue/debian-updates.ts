import type { BinaryPackage } from '../debian/packages-index.ts';
import { compareDebianVersions } from '../debian/version.ts';
import { debianUpdateId } from './update-id.ts';
import type { UpdateBinary, UpdateMetadata } from './update.ts';
import type { Classification, RebootBehaviour } from './vocabulary-schemas.ts';

/** The verified binary index of one suite, as the update point read it. */
export interface DebianSuiteIndex {
  upstream: string;
  product: string;
  /** The suite as configured (e.g. `bookworm-security`), part of every updateId. */
  suite: string;
  /** The InRelease `Date` of the sync that first saw the upload. */
  releaseDate: Date;
  binaries: readonly BinaryPackage[];
}

/** §2: `*-security` → Security Updates, `*-updates` → Critical Updates, the main suite → Updates. */
export function classificationOfSuite(suite: string): Classification {
  if (/-security$/.test(suite)) return 'Security Updates';
  if (/-updates$/.test(suite)) return 'Critical Updates';
  return 'Updates';
}

/**
 * Sources whose new version only takes effect after a restart. A heuristic until the archive
 * carries the information: the kernel always needs one, the C library and init may.
 */
function rebootBehaviourOf(source: string): RebootBehaviour {
  if (/^linux(-signed-[a-z0-9]+)?$/.test(source)) return 'always';
  if (['glibc', 'systemd', 'dbus', 'dbus-broker', 'intel-microcode', 'amd64-microcode'].includes(source)) return 'may request';
  return 'never';
}

/** One update per source upload (source name + source version) of the suite, carrying all its binaries. */
export function debianUpdatesOf(index: DebianSuiteIndex): UpdateMetadata[] {
  const uploads = new Map<string, BinaryPackage[]>();
  for (const binary of index.binaries) {
    const key = `${binary.source}\0${binary.sourceVersion}`;
    const list = uploads.get(key);
    if (list) list.push(binary);
    else uploads.set(key, [binary]);
  }
  const classification = classificationOfSuite(index.suite);
  const releaseDate = index.releaseDate.toISOString();
  const updates: UpdateMetadata[] = [];
  for (const binaries of uploads.values()) {
    const { source, sourceVersion: version } = binaries[0];
    const carried = newestPerPackage(binaries);
    const main = carried.find((b) => b.package === source) ?? carried[0];
    const kind = classification === 'Security Updates' ? 'security update' : classification === 'Critical Updates' ? 'stable update' : 'update';
    updates.push({
      updateId: debianUpdateId(index.product, index.suite, source, version),
      upstream: index.upstream,
      product: index.product,
      suite: index.suite,
      source,
      version,
      title: `${source} ${version} (${index.product} ${kind})`,
      description: describe(source, version, index.suite, main, carried),
      vendor: 'Debian',
      classification,
      severity: 'Unspecified',
      releaseDate,
      advisoryId: null,
      cveIds: [],
      referenceUrls: referenceUrls(source, classification),
      language: 'all',
      rebootBehaviour: rebootBehaviourOf(source),
      eula: false,
      binaries: carried.map(toUpdateBinary),
    });
  }
  return updates;
}

/** An index may list one package twice (several architectures or a stale duplicate): keep the newest per architecture. */
function newestPerPackage(binaries: BinaryPackage[]): BinaryPackage[] {
  const byKey = new Map<string, BinaryPackage>();
  for (const b of binaries) {
    const key = `${b.package}\0${b.architecture}`;
    const seen = byKey.get(key);
    if (!seen || compareDebianVersions(b.version, seen.version) > 0) byKey.set(key, b);
  }
  return [...byKey.values()].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : a.architecture < b.architecture ? -1 : 1));
}

function describe(source: string, version: string, suite: string, main: BinaryPackage, binaries: BinaryPackage[]): string {
  const summary = main.description ? `${main.description}. ` : '';
  const names = [...new Set(binaries.map((b) => b.package))];
  // Long lists (the kernel has hundreds of binaries) are cut: the full list is in the binaries.
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ');
  return `${summary}Source package ${source} ${version} from ${suite}, with ${names.length} binary package${names.length === 1 ? '' : 's'}: ${shown}.`;
}

function referenceUrls(source: string, classification: Classification): string[] {
  const urls = [`https://tracker.debian.org/pkg/${source}`];
  if (classification === 'Security Updates') urls.push(`https://security-tracker.debian.org/tracker/source-package/${source}`);
  return urls;
}

function toUpdateBinary(b: BinaryPackage): UpdateBinary {
  return {
    package: b.package,
    version: b.version,
    architecture: b.architecture,
    filename: b.filename,
    size: b.size,
    sha256: b.sha256,
    section: b.section ?? null,
    priority: b.priority ?? null,
    summary: b.description ?? null,
  };
}
