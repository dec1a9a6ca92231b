/**
 * Builds signed archives laid out like the real Debian archive (`dists/<suite>/InRelease`,
 * `dists/<suite>/main/binary-amd64/Packages.xz`), so sync tests can exercise every refusal path
 * (stale Date, bad hash, corrupt xz, unsigned or foreign-signed InRelease) with signatures that
 * gpgv and apt accept — the failures a test provokes are then the ones it meant to provoke.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as openpgp from 'openpgp';

export interface TestKey {
  name: string;
  armoredPrivate: string;
  armoredPublic: string;
  /** Binary transferable public key, the unit a `.gpg` keyring concatenates. */
  binaryPublic: Uint8Array;
  /** 40 upper-case hex digits, as gpg prints it. */
  fingerprint: string;
}

/**
 * A v4 EdDSA key: gpgv 2.2 (Debian 12) and apt verify it, and it is generated in milliseconds.
 * openpgp 6's `type: 'curve25519'` would make an RFC 9580 Ed25519 key, which gpgv 2.2 rejects.
 */
export async function createTestKey(name: string): Promise<TestKey> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@test.invalid`;
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email }],
    // Created long before any date a test signs at, so virtual clocks need not follow real time.
    date: KEY_CREATION_DATE,
    format: 'object',
  });
  return {
    name,
    armoredPrivate: privateKey.armor(),
    armoredPublic: publicKey.armor(),
    binaryPublic: publicKey.write(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
  };
}

const KEY_CREATION_DATE = new Date('2020-01-01T00:00:00Z');

/** Same format as /usr/share/keyrings/debian-archive-keyring.gpg: binary public keys, back to back. */
export async function writeKeyring(path: string, keys: readonly TestKey[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.concat(keys.map((k) => Buffer.from(k.binaryPublic))));
}

const parsedKeys = new WeakMap<TestKey, Promise<openpgp.PrivateKey>>();

function privateKeyOf(key: TestKey): Promise<openpgp.PrivateKey> {
  let parsed = parsedKeys.get(key);
  if (!parsed) {
    parsed = openpgp.readPrivateKey({ armoredKey: key.armoredPrivate });
    parsedKeys.set(key, parsed);
  }
  return parsed;
}

/**
 * Clearsigns `text` with every signer at once: one cleartext message carrying one signature per
 * key, as Debian's InRelease does. With no signers the text comes back unchanged (an "InRelease"
 * that is really a plain, unsigned Release).
 */
export async function resignInRelease(text: string, signers: readonly TestKey[], date = DEFAULT_DATE): Promise<string> {
  if (signers.length === 0) return text;
  // gpg --clearsign treats the file's final newline as framing, so Debian's signed text ends
  // without it; openpgp.js would sign it and print a blank line before the signature.
  const signedText = text.endsWith('\n') ? text.slice(0, -1) : text;
  const message = await openpgp.createCleartextMessage({ text: signedText });
  const signingKeys = await Promise.all(signers.map(privateKeyOf));
  // Signed at the publication's own date, as dak does: the signature never lies in a test clock's future.
  const armored = await openpgp.sign({ message, signingKeys, date });
  // openpgp.js prints the cleartext with the CRLF line endings it hashed; Debian's files use LF.
  // Verifiers canonicalise to CRLF before hashing, so the signature holds for either.
  return armored.replace(/\r\n/g, '\n');
}

export type StanzaValue = string | number;

/**
 * Renders one deb822 stanza (no trailing blank line). A value with newlines becomes a multi-line
 * field: continuation lines get the leading space the format needs, empty ones become " .".
 */
export function makeStanza(fields: Readonly<Record<string, StanzaValue | undefined>>): string {
  let out = '';
  for (const [name, raw] of Object.entries(fields)) {
    if (raw === undefined) continue;
    const [first, ...rest] = String(raw).split('\n');
    out += `${name}: ${first}\n`;
    for (const line of rest) {
      if (line === '' || line.trim() === '.') out += ' .\n';
      else out += line.startsWith(' ') ? `${line}\n` : ` ${line}\n`;
    }
  }
  return out;
}

/** Stanzas separated by blank lines, the last one too, as in the archive's Packages files. */
export function makePackagesText(stanzas: ReadonlyArray<Readonly<Record<string, StanzaValue | undefined>>>): string {
  return stanzas.map((s) => `${makeStanza(s)}\n`).join('');
}

/** A plausible binary stanza; `fields` overrides or adds to it (undefined removes a field). */
export function binaryStanza(
  pkg: string,
  version: string,
  fields: Readonly<Record<string, StanzaValue | undefined>> = {},
): Record<string, StanzaValue | undefined> {
  const arch = typeof fields.Architecture === 'string' ? fields.Architecture : 'amd64';
  const fileVersion = version.replace(/^\d+:/, '');
  return {
    Package: pkg,
    Version: version,
    'Installed-Size': 100,
    Maintainer: 'Patchday Tests <tests@test.invalid>',
    Architecture: arch,
    Description: `test package ${pkg}`,
    Section: 'misc',
    Priority: 'optional',
    Filename: `pool/main/${pkg[0]}/${pkg}/${pkg}_${fileVersion}_${arch}.deb`,
    Size: 1000,
    SHA256: createHash('sha256').update(`${pkg}_${version}`).digest('hex'),
    ...fields,
  };
}

const XZ_MAX_OUTPUT = 1 << 30;

/** Compressed with Debian's own `xz`, so the container format is exactly what the archive serves. */
export function xzCompress(data: Buffer | string, level = 6): Buffer {
  const result = spawnSync('xz', ['-c', '-T1', `-${level}`], { input: data, maxBuffer: XZ_MAX_OUTPUT });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`xz exited ${result.status}: ${result.stderr.toString()}`);
  return result.stdout;
}

const bombs = new Map<number, Buffer>();

/**
 * A single-stream .xz that inflates to `decompressedBytes` zeros. The zeros are piped from
 * /dev/zero into xz, so even a multi-gigabyte bomb never exists in this process's memory.
 * Preset 0 gives the same output size as -9 on zeros (the LZMA2 chunk framing is the limit,
 * about 1:6900) at a quarter of the time, and results are cached because tests reuse sizes.
 */
export function xzBomb(decompressedBytes: number): Buffer {
  if (!Number.isSafeInteger(decompressedBytes) || decompressedBytes < 0) {
    throw new RangeError(`xzBomb: decompressedBytes must be a non-negative integer, got ${decompressedBytes}`);
  }
  const cached = bombs.get(decompressedBytes);
  if (cached) return cached;
  // The size goes in as a positional parameter, never spliced into the script.
  const result = spawnSync('sh', ['-c', 'head -c "$1" /dev/zero | xz -c -T1 -0', 'xz-bomb', String(decompressedBytes)], {
    maxBuffer: XZ_MAX_OUTPUT,
  });
  if (result.error) throw result.error;
  if (result.status !== 0 || result.stdout.length === 0) {
    throw new Error(`xz bomb pipeline failed (${result.status}): ${result.stderr.toString()}`);
  }
  bombs.set(decompressedBytes, result.stdout);
  return result.stdout;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 1123 date with "UTC", as dak writes Date: and Valid-Until:. */
export function releaseDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, 'UTC');
}

export interface IndexEntry {
  path: string;
  sha256: string;
  size: number;
}

/** dak's layout: ` <sha256> <size right-aligned to 8> <path>`. */
export function sha256Line(entry: IndexEntry): string {
  return ` ${entry.sha256} ${String(entry.size).padStart(8)} ${entry.path}`;
}

export type PackagesInput = string | ReadonlyArray<Readonly<Record<string, StanzaValue | undefined>>>;

export interface TestSuiteSpec {
  /** Suite: field, and the dists/ directory name unless `dist` says otherwise. */
  suite: string;
  /** Directory under dists/ (the real archive names it by codename, e.g. bookworm-security). */
  dist?: string;
  codename?: string;
  version?: string;
  origin?: string;
  label?: string;
  description?: string;
  date?: Date;
  validUntil?: Date;
  architectures?: readonly string[];
  components?: readonly string[];
  /** main/binary-amd64 Packages: deb822 text as-is (may be malformed on purpose) or stanzas. */
  packages?: PackagesInput;
  /**
   * Bytes served as main/binary-amd64/Packages.xz instead of xz(packages), e.g. corrupt xz or a
   * bomb. They are hashed truthfully; the `Packages` (uncompressed) line is then left out, since
   * there is no honest value for it.
   */
  packagesXz?: Buffer;
  /** Also write the uncompressed main/binary-amd64/Packages (the snapshot does not have it). */
  writeUncompressed?: boolean;
  /** More files under dists/<dist>/, written and listed in SHA256 with their true hash. */
  extraFiles?: Readonly<Record<string, Buffer | string>>;
  /** Fields added after Valid-Until, e.g. { 'Acquire-By-Hash': 'yes' }. */
  extraFields?: Readonly<Record<string, string>>;
  /** An empty list writes InRelease unsigned (plain Release text under that name). */
  signers: readonly TestKey[];
  /** Unsigned text placed before the BEGIN line / after the END line. */
  extraBefore?: string;
  extraAfter?: string;
  /** Lie in the SHA256 line of main/binary-amd64/Packages.xz. */
  overrideSha256?: string;
  overrideSize?: number;
  /** Last chance to edit the Release text before it is signed. */
  transformRelease?: (text: string) => string;
}

export interface BuiltSuite {
  suite: string;
  dist: string;
  distDir: string;
  inReleasePath: string;
  packagesXzPath: string;
  /** The Release text that was signed. */
  releaseText: string;
  /** The file as written (signed or not, with extraBefore/extraAfter). */
  inRelease: string;
  packagesText: string;
  packagesXz: Buffer;
  entries: IndexEntry[];
}

export interface BuiltArchive {
  dir: string;
  suites: BuiltSuite[];
}

/**
 * Rebuilding a suite in the same second as before must still look newer over HTTP: Last-Modified
 * has whole seconds and apt revalidates with If-Modified-Since alone, so an unchanged second
 * would get a 304 and apt would keep the old InRelease. A rewrite moves the mtime a second on.
 */
async function writeNewer(path: string, content: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const previous = await stat(path).then((s) => s.mtimeMs, () => undefined);
  await writeFile(path, content);
  if (previous === undefined) return;
  const written = await stat(path);
  const floor = (ms: number) => Math.floor(ms / 1000) * 1000;
  if (floor(written.mtimeMs) <= floor(previous)) {
    const next = new Date(floor(previous) + 1000);
    await utimes(path, next, next);
  }
}

export const PACKAGES_XZ_PATH = 'main/binary-amd64/Packages.xz';
export const DEFAULT_DATE = new Date('2026-11-22T19:58:56Z');

export async function buildTestArchive(dir: string, spec: { suites: readonly TestSuiteSpec[] }): Promise<BuiltArchive> {
  const suites: BuiltSuite[] = [];
  for (const s of spec.suites) suites.push(await buildSuite(dir, s));
  return { dir, suites };
}

async function buildSuite(dir: string, s: TestSuiteSpec): Promise<BuiltSuite> {
  const dist = s.dist ?? s.suite;
  const distDir = join(dir, 'dists', dist);
  const packagesText = typeof s.packages === 'string' ? s.packages : makePackagesText(s.packages ?? []);
  const packagesXz = s.packagesXz ?? xzCompress(packagesText);

  const files = new Map<string, Buffer>();
  files.set(PACKAGES_XZ_PATH, packagesXz);
  if (s.writeUncompressed) files.set('main/binary-amd64/Packages', Buffer.from(packagesText));
  for (const [path, content] of Object.entries(s.extraFiles ?? {})) files.set(path, Buffer.from(content));

  const entries: IndexEntry[] = [];
  if (!s.packagesXz) {
    entries.push({ path: 'main/binary-amd64/Packages', sha256: sha256Hex(packagesText), size: Buffer.byteLength(packagesText) });
  }
  for (const [path, content] of files) {
    if (path === 'main/binary-amd64/Packages') continue;
    entries.push({ path, sha256: sha256Hex(content), size: content.length });
  }
  for (const e of entries) {
    if (e.path !== PACKAGES_XZ_PATH) continue;
    if (s.overrideSha256 !== undefined) e.sha256 = s.overrideSha256;
    if (s.overrideSize !== undefined) e.size = s.overrideSize;
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const version = s.version ?? '12';
  const header: Record<string, string | undefined> = {
    Origin: s.origin ?? 'Debian',
    Label: s.label ?? 'Debian',
    Suite: s.suite,
    Version: version,
    Codename: s.codename ?? s.suite,
    Date: releaseDate(s.date ?? DEFAULT_DATE),
    'Valid-Until': s.validUntil ? releaseDate(s.validUntil) : undefined,
    ...s.extraFields,
    Architectures: (s.architectures ?? ['amd64']).join(' '),
    Components: (s.components ?? ['main']).join(' '),
    Description: s.description ?? `Patchday test archive ${s.suite} ${version}`,
  };
  let releaseText = makeStanza(header) + 'SHA256:\n' + entries.map((e) => `${sha256Line(e)}\n`).join('');
  if (s.transformRelease) releaseText = s.transformRelease(releaseText);

  const signed = await resignInRelease(releaseText, s.signers, s.date ?? DEFAULT_DATE);
  const inRelease = (s.extraBefore ?? '') + signed + (s.extraAfter ?? '');

  for (const [path, content] of files) await writeNewer(join(distDir, path), content);
  const inReleasePath = join(distDir, 'InRelease');
  await writeNewer(inReleasePath, inRelease);

  return {
    suite: s.suite,
    dist,
    distDir,
    inReleasePath,
    packagesXzPath: join(distDir, PACKAGES_XZ_PATH),
    releaseText,
    inRelease,
    packagesText,
    packagesXz,
    entries,
  };
}
