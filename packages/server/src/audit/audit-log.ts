import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export interface AuditEntry {
  /** Username of the administrator (or `system` for the site itself). */
  actor: string;
  /** Dotted verb, e.g. `upstream.add`, `sync.run`, `user.create`. */
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/** Write inside the same transaction as the change it records, so neither exists without the other. */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry, at: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ at: at.toISOString(), actor: entry.actor, action: entry.action, target: entry.target, details: JSON.stringify(entry.details ?? {}) })
    .execute();
}
