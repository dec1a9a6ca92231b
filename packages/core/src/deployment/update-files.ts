import type { UpdateBinary } from '../catalogue/update.ts';
import { compareDebianVersions, isValidDebianVersion } from '../debian/version.ts';
import { architectureMatches, dpkgStanzasOf, isInstalledStatus, type Inventory } from '../inventory/inventory.ts';

/**
 * §6.6 the binaries of a Debian update that the `dpkg` handler installs on this machine: those
 * whose package is installed at a lower version (same architecture, `all` standing for the native
 * one). A package caught mid-install by an interrupted run is taken too, so installing again
 * repairs it. Binaries of packages the machine does not have are never added, and nothing is
 * ever downgraded.
 */
export function binariesToInstall(binaries: readonly UpdateBinary[], inventory: Inventory): UpdateBinary[] {
  const dpkg = inventory.dpkg;
  if (dpkg === null) return [];
  const native = inventory.os.architecture;
  return binaries.filter((b) =>
    dpkgStanzasOf(dpkg, b.package).some((p) => {
      if (p.version === null || !isValidDebianVersion(p.version)) return false;
      if (architectureMatches(p.architecture, b.architecture, native) !== true) return false;
      const installed = isInstalledStatus(p.status);
      const order = compareDebianVersions(p.version, b.version);
      return installed === true ? order < 0 : installed === undefined && order <= 0;
    }),
  );
}

/**
 * Binaries of the update that a failed or interrupted dpkg run left unpacked, half-installed or
 * half-configured on the machine. The detection rules see past them (their version is not below
 * the update's), but the update is not done until they are installed again.
 */
export function binariesLeftUnfinished(binaries: readonly UpdateBinary[], inventory: Inventory): UpdateBinary[] {
  const dpkg = inventory.dpkg;
  if (dpkg === null) return [];
  const native = inventory.os.architecture;
  return binaries.filter((b) =>
    dpkgStanzasOf(dpkg, b.package).some(
      (p) => isInstalledStatus(p.status) === undefined && p.version !== null && isValidDebianVersion(p.version) && architectureMatches(p.architecture, b.architecture, native) === true && compareDebianVersions(p.version, b.version) <= 0,
    ),
  );
}
