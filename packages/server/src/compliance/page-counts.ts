import type { UpdateCountsList } from '@patchday/core';
import type { Kysely } from 'kysely';
import { contentFlagsOf } from '../packages/content-flags.ts';
import type { Database } from '../store/schema.ts';
import { countedUpdateColumns, countUpdates, percentCompliant } from './client-compliance.ts';
import type { EstimateCache } from './fleet-estimate.ts';

/**
 * What a listing shows beside each update of one page: its Required / Installed / Not Required /
 * Unknown counts over the active clients (of `collectionId` when given), counted the way the fleet
 * summary counts them, and whether its files are in no deployment package. In the order of `ids`;
 * ids of no update are left out. The caller has checked that the collection exists.
 */
export async function countPage(db: Kysely<Database>, ids: readonly string[], scope: { collectionId?: string; estimates?: EstimateCache }): Promise<UpdateCountsList> {
  const { collectionId } = scope;
  let clients = db.selectFrom('clients').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'active');
  if (collectionId !== undefined) clients = clients.where('client_id', 'in', (eb) => eb.selectFrom('collection_members').select('client_id').where('collection_id', '=', collectionId));
  const [counts, counted, flags] = await Promise.all([
    ids.length === 0
      ? new Map()
      : db
          .selectFrom('updates')
          .select(countedUpdateColumns)
          .where('update_id', 'in', ids)
          .execute()
          .then((rows) => countUpdates(db, rows, scope)),
    clients.executeTakeFirstOrThrow(),
    contentFlagsOf(db, ids),
  ]);
  return {
    collectionId: collectionId ?? null,
    clientsCounted: Number(counted.n),
    updates: ids.flatMap((updateId) => {
      const c = counts.get(updateId);
      if (!c) return [];
      return [{ updateId, counts: c.counts, percentCompliant: percentCompliant(c.counts), withoutContent: flags.get(updateId)?.withoutContent ?? true }];
    }),
  };
}
