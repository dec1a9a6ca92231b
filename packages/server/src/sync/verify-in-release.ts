import * as openpgp from 'openpgp';
import { parseRelease, splitClearsigned, type ReleaseFile } from '@patchday/core';
import type { Keyring } from './keyring.ts';

export interface VerifiedInRelease {
  release: ReleaseFile;
  /** Key ids of the signatures that verified. */
  goodSigners: string[];
}

/**
 * Verifies a clearsigned InRelease against the keyring with apt's policy: one good signature by a
 * key in the keyring suffices; signatures by unknown keys are ignored; a bad signature by a known
 * key refuses the file. Only the signed text is ever parsed (apt's CVE-2013-1051).
 * Throws an Error whose message is the reason (the caller adds the suite).
 */
export async function verifyInRelease(text: string, keyring: Keyring, now: Date): Promise<VerifiedInRelease> {
  // Structural check first: anything outside the signed part refuses the file outright.
  const { signedText } = splitClearsigned(text);
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: text });
  } catch (error) {
    throw new Error(`InRelease signature cannot be read: ${(error as Error).message}`);
  }
  const result = await openpgp.verify({ message, verificationKeys: keyring.keys, date: now, expectSigned: false });
  const goodSigners: string[] = [];
  const unknownSigners: string[] = [];
  for (const signature of result.signatures) {
    const keyId = signature.keyID.toHex().toUpperCase();
    const known = keyring.keys.some((k) => k.getKeys(signature.keyID).length > 0);
    if (!known) {
      unknownSigners.push(keyId);
      continue;
    }
    try {
      await signature.verified;
      goodSigners.push(keyId);
    } catch (error) {
      throw new Error(`bad signature by key ${keyId} (in the keyring): ${(error as Error).message}`);
    }
  }
  if (goodSigners.length === 0) {
    throw new Error(
      unknownSigners.length > 0
        ? `InRelease is signed only by keys not in the keyring ${keyring.path} (${unknownSigners.join(', ')})`
        : 'InRelease carries no signature',
    );
  }
  // openpgp.js and our own parser must agree on what was signed; if not, trust neither.
  if (result.data !== signedText) throw new Error('InRelease signed text is ambiguous (parsers disagree on what the signature covers)');
  return { release: parseRelease(signedText), goodSigners };
}
