// The Debian format layer: pure parsers for what the Debian archive and dpkg write.
export { DebianFormatError, type DebianFormatLocation } from './errors.ts';
export { compareDebianVersions, debianVersionProblem, isValidDebianVersion, parseDebianVersion, type DebianVersion } from './version.ts';
export {
  canonicalFieldName,
  fieldLineInStanza,
  fieldValue,
  parseDeb822,
  parseDeb822All,
  scanDeb822,
  type Deb822Fields,
  type Deb822Visitor,
} from './deb822.ts';
export { splitClearsigned, type ClearsignedParts } from './clearsign.ts';
export { parseRelease, type ParseReleaseOptions, type ReleaseChecksum, type ReleaseFile } from './release.ts';
export { parseReleaseDate } from './release-date.ts';
export { debianProductOf, type DebianProduct } from './release-product.ts';
export { isPackageName, parsePackagesIndex, type BinaryPackage } from './packages-index.ts';
export { archivePathProblem } from './archive-path.ts';
