import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { binaryStanza, buildTestArchive, type BuiltArchive, type TestKey, type TestSuiteSpec } from './test-archive.ts';

const run = promisify(execFile);

/** One real binary package to build with `dpkg-deb`. */
export interface DebSpec {
  package: string;
  version: string;
  /** Source package (the update's identity); defaults to the package name. */
  source?: string;
  architecture?: string;
  depends?: string;
  preDepends?: string;
  /** Files the package installs, by absolute path under the root (`/usr/share/doc/x/VERSION`). */
  files?: Readonly<Record<string, string>>;
  /** Maintainer scripts (`postinst`, `preinst`…), written executable; `#!/bin/sh` is added when missing. */
  scripts?: Readonly<Record<string, string>>;
  /** Extra control fields (`Multi-Arch`, `Conflicts`…). */
  control?: Readonly<Record<string, string>>;
}

/** A built .deb and its archive stanza (real Filename, Size and SHA256). */
export interface BuiltDeb {
  spec: DebSpec;
  /** Path inside the archive (`pool/main/o/openssl/libssl3_3.0.17-1~deb12u3_amd64.deb`). */
  filename: string;
  /** Absolute path of the .deb on disk. */
  path: string;
  size: number;
  sha256: string;
  stanza: Record<string, string | number | undefined>;
}

/**
 * Builds a real .deb with `dpkg-deb --build` (root-owned files, no fakeroot needed) under `poolRoot`
 * at Debian's pool path, and returns its stanza with the true size and sha256.
 */
export async function buildDeb(poolRoot: string, spec: DebSpec): Promise<BuiltDeb> {
  const arch = spec.architecture ?? 'amd64';
  const source = spec.source ?? spec.package;
  const fileVersion = spec.version.replace(/^\d+:/, '');
  const filename = `pool/main/${source[0]}/${source}/${spec.package}_${fileVersion}_${arch}.deb`;
  const work = await mkdtemp(join(tmpdir(), 'patchday-deb-'));
  try {
    const files = spec.files ?? { [`/usr/share/doc/${spec.package}/VERSION`]: `${spec.package} ${spec.version}\n` };
    for (const [path, content] of Object.entries(files)) {
      if (!path.startsWith('/') || path.includes('..')) throw new Error(`a .deb file path is absolute without "..": ${path}`);
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await mkdir(join(work, 'DEBIAN'), { recursive: true });
    const control: Record<string, string | undefined> = {
      Package: spec.package,
      Version: spec.version,
      Architecture: arch,
      Maintainer: 'Patchday Tests <tests@test.invalid>',
      ...(source !== spec.package ? { Source: source } : {}),
      'Pre-Depends': spec.preDepends,
      Depends: spec.depends,
      ...spec.control,
      Description: `test package ${spec.package}\n built by the Patchday tests with dpkg-deb`,
    };
    const text = Object.entries(control)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join('');
    await writeFile(join(work, 'DEBIAN', 'control'), text);
    for (const [name, body] of Object.entries(spec.scripts ?? {})) {
      const path = join(work, 'DEBIAN', name);
      await writeFile(path, body.startsWith('#!') ? body : `#!/bin/sh\nset -e\n${body}\n`);
      await chmod(path, 0o755);
    }
    const out = join(poolRoot, filename);
    await mkdir(dirname(out), { recursive: true });
    await run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', work, out]);
    const bytes = await readFile(out);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const stanza = binaryStanza(spec.package, spec.version, {
      Architecture: arch,
      Source: source !== spec.package ? source : undefined,
      Depends: spec.depends,
      'Pre-Depends': spec.preDepends,
      ...spec.control,
      Filename: filename,
      Size: bytes.length,
      SHA256: sha256,
    });
    return { spec, filename, path: out, size: bytes.length, sha256, stanza };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface DebSuiteSpec extends Omit<TestSuiteSpec, 'packages'> {
  debs: readonly DebSpec[];
}

/**
 * A signed test archive of real .deb files: every suite's Packages lists the debs built for it,
 * with the Filename/Size/SHA256 a client will verify. Serve `archive.dir` with `startArchiveServer`.
 */
export async function buildDebArchive(dir: string, suites: readonly DebSuiteSpec[]): Promise<{ archive: BuiltArchive; debs: Map<string, BuiltDeb> }> {
  const debs = new Map<string, BuiltDeb>();
  const specs: TestSuiteSpec[] = [];
  for (const s of suites) {
    const built: BuiltDeb[] = [];
    for (const d of s.debs) {
      const deb = await buildDeb(dir, d);
      debs.set(`${d.package}_${d.version}_${d.architecture ?? 'amd64'}`, deb);
      built.push(deb);
    }
    const { debs: _, ...rest } = s;
    specs.push({ ...rest, packages: built.map((b) => b.stanza) });
  }
  return { archive: await buildTestArchive(dir, { suites: specs }), debs };
}

export type { TestKey };
