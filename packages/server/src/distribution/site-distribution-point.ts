import { SITE_DISTRIBUTION_POINT_ID, SITE_DISTRIBUTION_POINT_NAME } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * Every site is a distribution point of its own content library. Its row is created at the first
 * start, before any other distribution point can exist (no migration needed); it can be renamed,
 * reordered and disabled, never removed.
 */
export async function ensureSiteDistributionPoint(db: Kysely<Database>, now: Date): Promise<void> {
  const exists = await db.selectFrom('distribution_points').select('dp_id').where('dp_id', '=', SITE_DISTRIBUTION_POINT_ID).executeTakeFirst();
  if (exists) return;
  await db
    .insertInto('distribution_points')
    .values({ dp_id: SITE_DISTRIBUTION_POINT_ID, name: SITE_DISTRIBUTION_POINT_NAME, name_key: SITE_DISTRIBUTION_POINT_NAME, kind: 'site', url: null, credential_hash: null, sort_order: 0, enabled: 1, created_at: now.toISOString(), last_seen_at: null })
    .execute();
}
