import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A secret for an enrolment token (`pde_…`) or an agent's credential (`pdc_…`). */
export function newSecret(prefix: 'pde' | 'pdc'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export interface AuthenticatedClient {
  clientId: string;
  name: string;
  status: string;
}

/** The client an agent credential belongs to, or null. */
export async function authenticateClient(db: Kysely<Database>, credential: string): Promise<AuthenticatedClient | null> {
  if (!/^pdc_[A-Za-z0-9_-]{20,100}$/.test(credential)) return null;
  const row = await db.selectFrom('clients').select(['client_id', 'name', 'status']).where('credential_hash', '=', sha256(credential)).executeTakeFirst();
  return row ? { clientId: row.client_id, name: row.name, status: row.status } : null;
}
