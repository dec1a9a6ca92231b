import type { Upstream } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database, UpstreamsTable } from '../store/schema.ts';

export function fromUpstreamRow(row: UpstreamsTable): Upstream {
  return {
    name: row.name,
    kind: 'debian',
    url: row.url,
    suites: JSON.parse(row.suites) as string[],
    architectures: JSON.parse(row.architectures) as string[],
    keyring: row.keyring,
    allowStale: row.allow_stale === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listUpstreams(db: Kysely<Database>): Promise<Upstream[]> {
  const rows = await db.selectFrom('upstreams').selectAll().orderBy('name').execute();
  return rows.map(fromUpstreamRow);
}
