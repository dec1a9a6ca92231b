import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * Content tokens: what an agent shows a distribution point, which holds no client credentials.
 * The site signs `client id + expiry` with a key of its own (HMAC-SHA256); every distribution
 * point of the site knows the key and verifies without asking anyone.
 */

const KEY_SETTING = 'content-token-key';
const PREFIX = 'pdt1';
const TOKEN = /^pdt1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,13})\.([A-Za-z0-9_-]{43})$/;
const keys = new WeakMap<Kysely<Database>, Buffer>();

/** The site's signing key, created the first time it is needed and never changed. */
export async function contentTokenKey(db: Kysely<Database>): Promise<Buffer> {
  const cached = keys.get(db);
  if (cached) return cached;
  const fresh = JSON.stringify(randomBytes(32).toString('base64url'));
  // Two first requests at once must end with one key: the loser's insert does nothing.
  await db.insertInto('site_settings').values({ key: KEY_SETTING, value: fresh }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('site_settings').select('value').where('key', '=', KEY_SETTING).executeTakeFirstOrThrow();
  const key = Buffer.from(JSON.parse(row.value) as string, 'base64url');
  keys.set(db, key);
  return key;
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signContentToken(key: Buffer, clientId: string, expiresAt: Date): string {
  const body = `${PREFIX}.${clientId.toLowerCase()}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${body}.${mac(key, body)}`;
}

export type ContentTokenCheck = { ok: true; clientId: string; expiresAt: Date } | { ok: false; reason: string };

export function verifyContentToken(key: Buffer, token: string, now: Date): ContentTokenCheck {
  const match = TOKEN.exec(token);
  if (!match) return { ok: false, reason: 'not a content token' };
  const [, clientId, seconds, signature] = match;
  const expected = Buffer.from(mac(key, `${PREFIX}.${clientId}.${seconds}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the content token is not signed by this site' };
  const expiresAt = new Date(Number(seconds) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: `the content token expired at ${expiresAt.toISOString()}; the agent gets a new one with its next policy` };
  return { ok: true, clientId, expiresAt };
}
