import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { debianApplicabilityRules, type CatalogueEntry } from '@patchday/core';
import { buildDeb, type BuiltDeb, type DebSpec } from '../../../../server/test/support/deb-archive.ts';
import { BOOKWORM_OS_RELEASE } from '../agent-harness.ts';

/**
 * A sandbox machine for install tests: a root with its own dpkg database (never the test
 * machine's packages), os-release and host name, plus a pool of real .deb files built with
 * dpkg-deb. Packages get onto it with real `dpkg --root`.
 */
export class DpkgSandbox {
  readonly base = mkdtempSync(join(tmpdir(), 'patchday-dpkg-'));
  readonly root = join(this.base, 'root');
  readonly pool = join(this.base, 'pool');
  readonly dataDir = join(this.base, 'data');

  constructor(hostname = 'sandbox-1') {
    for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/log', 'var/run', 'etc']) mkdirSync(join(this.root, dir), { recursive: true });
    writeFileSync(join(this.root, 'var/lib/dpkg/status'), '');
    writeFileSync(join(this.root, 'etc/os-release'), BOOKWORM_OS_RELEASE);
    writeFileSync(join(this.root, 'etc/hostname'), `${hostname}\n`);
  }

  build(spec: DebSpec): Promise<BuiltDeb> {
    return buildDeb(this.pool, spec);
  }

  /** Installs packages the way the machine got them before Patchday: plain dpkg. */
  dpkgInstall(debs: readonly BuiltDeb[]): void {
    execFileSync('dpkg', [`--root=${this.root}`, '--force-script-chrootless', '--force-not-root', '--install', ...debs.map((d) => d.path)], { stdio: 'pipe' });
  }

  /** Package → version of what dpkg says is installed. */
  installed(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const stanza of readFileSync(join(this.root, 'var/lib/dpkg/status'), 'utf8').split('\n\n')) {
      const name = /^Package: (.+)$/m.exec(stanza)?.[1];
      const version = /^Version: (.+)$/m.exec(stanza)?.[1];
      const status = /^Status: (.+)$/m.exec(stanza)?.[1];
      if (name && version && status?.endsWith(' installed')) out[name] = version;
    }
    return out;
  }

  /** Every file under the root with its sha256: "nothing changed" is this, before and after. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else out[relative(this.root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
      }
    };
    walk(this.root);
    return out;
  }

  dispose(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

/** The catalogue entry an update point would send for an upload of these binaries (real rules from core). */
export function catalogueEntryOf(updateId: string, title: string, debs: readonly BuiltDeb[], changeSeq = 1, rebootBehaviour: CatalogueEntry['rebootBehaviour'] = 'may request'): CatalogueEntry {
  const binaries = debs.map((d) => ({ package: d.spec.package, version: d.spec.version, architecture: d.spec.architecture ?? 'amd64', filename: d.filename, size: d.size, sha256: d.sha256, section: null, priority: null, summary: null }));
  return {
    updateId,
    revision: 1,
    title,
    classification: 'Security Updates',
    severity: 'Critical',
    releaseDate: '2026-11-20T00:00:00.000Z',
    present: true,
    superseded: false,
    expired: false,
    changeSeq,
    rebootBehaviour,
    applicability: debianApplicabilityRules({ product: 'Debian 12', binaries }),
    binaries,
  };
}
