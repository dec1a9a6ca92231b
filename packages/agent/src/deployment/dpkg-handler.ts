import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configuredPackages, dependencyProblems, installStages, packageControlOf, parseDeb822All, type PackageControl } from '@patchday/core';
import { sha256Of } from './downloader.ts';
import { lastLines, runProcess } from './run-process.ts';

/** One cached file an install hands to dpkg, with what the catalogue says it is. */
export interface InstallFile {
  path: string;
  sha256: string;
  size: number;
  /** Its archive name, for messages. */
  name: string;
  package: string;
  version: string;
  architecture: string;
}

export interface InstallOutcome {
  ok: boolean;
  /** What went wrong, as an administrator reads it (dpkg's own words when dpkg failed). */
  error: string | null;
  /** The root says a restart is needed (Debian's `/var/run/reboot-required`). */
  restartNeeded: boolean;
  /** True when the install stopped before changing anything on the machine. */
  unchanged: boolean;
}

/** A sandbox root is anything but `/`: dpkg then runs maintainer scripts outside a chroot. */
export function isSandboxRoot(root: string): boolean {
  return resolve(root) !== '/';
}

function dpkgOptions(root: string): string[] {
  const conffiles = ['--force-confdef', '--force-confold'];
  return isSandboxRoot(root) ? [`--root=${resolve(root)}`, '--force-script-chrootless', '--force-not-root', ...conffiles] : conffiles;
}

export function restartRequiredUnder(root: string): boolean {
  return existsSync(join(root, 'var/run/reboot-required')) || existsSync(join(root, 'run/reboot-required'));
}

const DPKG_DEB_TIMEOUT_MS = 60_000;

/**
 * §6.6 the `dpkg` install handler: every file present and verified, every dependency
 * satisfiable (the machine's configured packages plus this update's), or it fails without
 * touching the root. Then one `dpkg -i` run with every file — or, when packages of the update
 * pre-depend on each other, one run per stage as apt would — bounded together by the update's
 * maximum run time.
 */
export async function installWithDpkg(root: string, files: readonly InstallFile[], maxRunMinutes: number): Promise<InstallOutcome> {
  const refuse = (error: string): InstallOutcome => ({ ok: false, error, restartNeeded: restartRequiredUnder(root), unchanged: true });
  if (files.length === 0) return refuse('none of the update\'s binaries is installed on this machine at a lower version');
  for (const f of files) {
    let size: number;
    try {
      size = statSync(f.path).size;
    } catch {
      return refuse(`${f.name} is not in the cache`);
    }
    if (size !== f.size) return refuse(`${f.name} in the cache has ${size} bytes, not ${f.size}`);
    const sha = await sha256Of(f.path);
    if (sha !== f.sha256) return refuse(`${f.name} in the cache changed: sha256 ${sha}, expected ${f.sha256}`);
  }

  const incoming: Array<PackageControl & { file: InstallFile }> = [];
  for (const f of files) {
    const fields = await runProcess('dpkg-deb', ['-f', f.path], { timeoutMs: DPKG_DEB_TIMEOUT_MS });
    if (fields.exitCode !== 0) return refuse(`${f.name} is not a package dpkg-deb can read: ${lastLines(fields.stderr || fields.output)}`);
    let control: PackageControl;
    try {
      control = packageControlOf(parseDeb822All(fields.output)[0] ?? {});
    } catch (error) {
      return refuse(`${f.name}: ${(error as Error).message}`);
    }
    if (control.package !== f.package || control.version !== f.version || control.architecture !== f.architecture) {
      return refuse(`${f.name} is ${control.package} ${control.version} ${control.architecture}, not the ${f.package} ${f.version} ${f.architecture} the catalogue lists`);
    }
    incoming.push({ ...control, file: f });
  }

  let installed: PackageControl[];
  try {
    const status = readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8');
    installed = configuredPackages(parseDeb822All(status));
  } catch (error) {
    return refuse(`cannot read the dpkg status under ${root}: ${(error as Error).message}`);
  }
  const problems = dependencyProblems(installed, incoming);
  if (problems.length > 0) return refuse(`dependencies cannot be satisfied, nothing was installed: ${problems.join('; ')}`);

  const { stages, problems: staging } = installStages(installed, incoming);
  if (staging.length > 0) return refuse(`the update's packages cannot be installed in dpkg runs that each configure cleanly, nothing was installed: ${staging.join('; ')}`);

  const deadline = Date.now() + maxRunMinutes * 60_000;
  for (const [i, stage] of stages.entries()) {
    const run = await runProcess('dpkg', [...dpkgOptions(root), '--install', ...stage.map((p) => p.file.path)], { timeoutMs: Math.max(1, deadline - Date.now()), env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const restartNeeded = restartRequiredUnder(root);
    const which = stages.length > 1 ? ` (run ${i + 1} of ${stages.length})` : '';
    if (run.timedOut) return { ok: false, error: `dpkg did not finish within the maximum run time of ${maxRunMinutes} minutes and was stopped${which}: ${lastLines(run.output)}`, restartNeeded, unchanged: false };
    if (run.exitCode !== 0) return { ok: false, error: `dpkg failed (exit ${run.exitCode ?? 'killed'})${which}: ${lastLines(run.stderr || run.output)}`, restartNeeded, unchanged: false };
  }
  return { ok: true, error: null, restartNeeded: restartRequiredUnder(root), unchanged: false };
}

const LOCK_RETRIES = 120;
const LOCK_RETRY_MS = 1_000;

/**
 * After an install was interrupted (the agent killed mid-run): `dpkg --configure -a` finishes
 * what dpkg had unpacked. A dpkg still running from the killed agent holds the lock; wait for it.
 */
export async function finishInterruptedDpkg(root: string, maxRunMinutes: number): Promise<{ ok: boolean; output: string }> {
  for (let attempt = 0; ; attempt++) {
    const run = await runProcess('dpkg', [...dpkgOptions(root), '--configure', '-a'], { timeoutMs: maxRunMinutes * 60_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const locked = run.exitCode !== 0 && /lock/i.test(run.stderr);
    if (!locked || attempt >= LOCK_RETRIES) return { ok: run.exitCode === 0, output: lastLines(run.output) };
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
  }
}
