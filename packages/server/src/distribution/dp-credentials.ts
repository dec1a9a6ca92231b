import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { DpRow } from './dp-rows.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A remote distribution point's credential (`pdd_…`): shown once; the site keeps its sha256. */
export function newDpCredential(): { credential: string; hash: string } {
  const credential = `pdd_${randomBytes(32).toString('base64url')}`;
  return { credential, hash: sha256(credential) };
}

/** The remote distribution point a credential belongs to, or null. */
export async function authenticateDp(db: Kysely<Database>, credential: string): Promise<DpRow | null> {
  if (!/^pdd_[A-Za-z0-9_-]{20,100}$/.test(credential)) return null;
  const row = await db.selectFrom('distribution_points').selectAll().where('credential_hash', '=', sha256(credential)).where('kind', '=', 'remote').executeTakeFirst();
  return row ?? null;
}
