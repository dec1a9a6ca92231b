import { DebianFormatError, quote } from './errors.ts';
import type { ReleaseFile } from './release.ts';

/** The product an update belongs to (§2), e.g. "Debian 12". */
export interface DebianProduct {
  product: string;
  majorVersion: number;
}

/** Release codenames, for suites whose Release has no Version (security and -updates of some releases, testing). */
const MAJOR_BY_CODENAME = new Map([
  ['jessie', 8],
  ['stretch', 9],
  ['buster', 10],
  ['bullseye', 11],
  ['bookworm', 12],
  ['trixie', 13],
  ['forky', 14],
  ['duke', 15],
]);

// `12`, `12.15`, `13.8`, `12-updates`: the major release is the leading number.
const VERSION = /^(\d+)(?:\.\d+)*(?:-[a-z]+)?$/;

/**
 * Maps a Release file to its Debian product: from `Version` when it is numeric, else
 * from `Codename` without its suite suffix (`bookworm-security` → bookworm → 12).
 * When both are present they must agree, and an `Origin` other than Debian is refused:
 * the catalogue must never file another distribution's packages under a Debian product.
 */
export function debianProductOf(release: ReleaseFile): DebianProduct {
  if (release.origin !== undefined && release.origin !== 'Debian') {
    throw new DebianFormatError(`not a Debian archive: Origin is ${quote(release.origin)}`, { field: 'Origin' });
  }
  const fromVersion = release.version === undefined ? undefined : VERSION.exec(release.version);
  const codename = release.codename?.split('-')[0];
  const fromCodename = codename === undefined ? undefined : MAJOR_BY_CODENAME.get(codename);

  let major: number;
  if (fromVersion) {
    major = Number(fromVersion[1]);
    if (fromCodename !== undefined && fromCodename !== major) {
      throw new DebianFormatError(
        `Version ${quote(release.version ?? '')} says Debian ${major} but Codename ${quote(release.codename ?? '')} is Debian ${fromCodename}`,
        { field: 'Version' },
      );
    }
  } else if (fromCodename !== undefined) {
    major = fromCodename;
  } else {
    const seen = [
      release.version === undefined ? 'no Version' : `Version ${quote(release.version)}`,
      release.codename === undefined ? 'no Codename' : `Codename ${quote(release.codename)}`,
    ].join(' and ');
    throw new DebianFormatError(`cannot tell which Debian release this is: ${seen}`);
  }
  if (major < 1) throw new DebianFormatError(`Version ${quote(release.version ?? '')} is not a Debian release`, { field: 'Version' });
  return { product: `Debian ${major}`, majorVersion: major };
}
