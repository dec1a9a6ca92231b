import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { Role } from '@patchday/core';

export interface Principal {
  userId: string;
  username: string;
  role: Role;
  tokenId: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Issues `pd_<secret>`; only its sha256 is stored. */
export async function issueToken(db: Kysely<Database>, userId: string, name: string, now: Date, lifetimeDays: number | null): Promise<{ token: string; tokenId: string; expiresAt: string | null }> {
  const secret = `pd_${randomBytes(32).toString('base64url')}`;
  const tokenId = randomUUID();
  const expiresAt = lifetimeDays === null ? null : new Date(now.getTime() + lifetimeDays * 86_400_000).toISOString();
  await db.insertInto('api_tokens').values({ token_id: tokenId, user_id: userId, token_hash: sha256(secret), name, created_at: now.toISOString(), expires_at: expiresAt, last_used_at: null }).execute();
  return { token: secret, tokenId, expiresAt };
}

/** The principal a bearer token belongs to, or null if it is unknown, expired or its user disabled. */
export async function authenticateToken(db: Kysely<Database>, token: string, now: Date): Promise<Principal | null> {
  if (!/^pd_[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.user_id', 'api_tokens.user_id')
    .select(['api_tokens.token_id', 'api_tokens.expires_at', 'users.user_id', 'users.username', 'users.role', 'users.disabled'])
    .where('api_tokens.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.disabled === 1) return null;
  if (row.expires_at && Date.parse(row.expires_at) <= now.getTime()) return null;
  return { userId: row.user_id, username: row.username, role: Role.parse(row.role), tokenId: row.token_id };
}

export async function revokeToken(db: Kysely<Database>, tokenId: string): Promise<void> {
  await db.deleteFrom('api_tokens').where('token_id', '=', tokenId).execute();
}
