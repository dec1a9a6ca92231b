import type { Deployment } from '@patchday/core';
import { sql, type Kysely } from 'kysely';
import { groupFlagCounts, hasContent } from '../packages/content-flags.ts';
import type { Database } from '../store/schema.ts';

/** How many flagged updates a deployment names; the count covers them all. */
const NAMED = 20;

export type GroupFlags = Pick<Deployment, 'updateCount' | 'flags'>;

/**
 * What the console shows in red about the update groups deployments hold (§6.1, §12): expired
 * updates (a sync may expire an update after it was deployed) and updates whose files are in no
 * package. Counts for every group in one query; the first few of each named by title.
 */
export async function groupFlags(db: Kysely<Database>, groupIds: readonly string[]): Promise<Map<string, GroupFlags>> {
  const counts = await groupFlagCounts(db, groupIds);
  const out = new Map<string, GroupFlags>();
  for (const groupId of groupIds) {
    const c = counts.get(groupId) ?? { updates: 0, expired: 0, withoutContent: 0 };
    const named = (flagged: ReturnType<typeof sql<boolean>>) =>
      db
        .selectFrom('update_group_members as m')
        .innerJoin('updates as u', 'u.update_id', 'm.update_id')
        .select(['u.update_id as updateId', 'u.title'])
        .where('m.group_id', '=', groupId)
        .where(flagged)
        .orderBy('u.title')
        .orderBy('u.update_id')
        .limit(NAMED)
        .execute();
    out.set(groupId, {
      updateCount: c.updates,
      flags: {
        expiredUpdates: { count: c.expired, updates: c.expired ? await named(sql<boolean>`u.expired = 1`) : [] },
        updatesWithoutContent: { count: c.withoutContent, updates: c.withoutContent ? await named(sql<boolean>`not ${hasContent('m.update_id')}`) : [] },
      },
    });
  }
  return out;
}
