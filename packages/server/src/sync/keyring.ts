import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';

export interface Keyring {
  path: string;
  /** sha256 of the keyring file: verification results are only reused for the same keyring. */
  digest: string;
  keys: openpgp.Key[];
  fingerprints: Set<string>;
}

const cache = new Map<string, Keyring>();

/** Reads a binary (or armored) OpenPGP keyring such as /usr/share/keyrings/debian-archive-keyring.gpg. */
export async function loadKeyring(path: string): Promise<Keyring> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read keyring ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  const cached = cache.get(path);
  if (cached && cached.digest === digest) return cached;
  let keys: openpgp.Key[];
  try {
    const armored = bytes.subarray(0, 64).toString('latin1').includes('-----BEGIN PGP');
    keys = armored ? await openpgp.readKeys({ armoredKeys: bytes.toString('utf8') }) : await openpgp.readKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new Error(`keyring ${path} is not an OpenPGP keyring: ${(error as Error).message}`);
  }
  if (keys.length === 0) throw new Error(`keyring ${path} holds no keys`);
  const keyring = { path, digest, keys, fingerprints: new Set(keys.map((k) => k.getFingerprint())) };
  cache.set(path, keyring);
  return keyring;
}
