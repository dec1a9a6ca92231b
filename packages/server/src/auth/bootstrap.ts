import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { generatePassword, hashPassword } from './passwords.ts';

export const INITIAL_ADMIN = 'admin';
export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/**
 * On the very first start (no user at all) creates the first Full Administrator with a random
 * password, written to `<dataDir>/initial-admin-password` (mode 0600). Returns that file's path,
 * or null when the site already has users.
 */
export async function bootstrapFirstAdministrator(store: Store, dataDir: string, now: Date): Promise<string | null> {
  const existing = await store.db.selectFrom('users').select('user_id').limit(1).executeTakeFirst();
  if (existing) return null;
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  await store.db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values({ user_id: randomUUID(), username: INITIAL_ADMIN, password_hash: passwordHash, role: 'Full Administrator', created_at: now.toISOString(), disabled: 0 }).execute();
    await recordAudit(trx, { actor: 'system', action: 'user.create', target: INITIAL_ADMIN, details: { role: 'Full Administrator', reason: 'first start' } }, now);
  });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return file;
}
