import type { DistributionPointRef } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { contentTokenKey, signContentToken } from './content-token.ts';
import { contentUrlOf } from './dp-rows.ts';

const DAY_MS = 86_400_000;

/** A content token is valid at least this long after it is handed out: far longer than any policy poll interval. */
export const CONTENT_TOKEN_VALID_DAYS = 7;

/**
 * §6.1 what a client's policy says about content: the enabled distribution points, in the order
 * agents try them (the site's own at `${siteUrl}/dp/v1`).
 */
export async function distributionPointsFor(db: Kysely<Database>, siteUrl: string): Promise<DistributionPointRef[]> {
  const rows = await db.selectFrom('distribution_points').select(['dp_id', 'name', 'kind', 'url']).where('enabled', '=', 1).orderBy('sort_order').orderBy('name_key').execute();
  return rows.map((r) => ({ dpId: r.dp_id, name: r.name, url: contentUrlOf(r, siteUrl) }));
}

/**
 * The content token of a client's policy. It expires 8 days after the start of today (UTC): valid
 * for at least 7 days, and the same all day, so it changes the policy (and its ETag) at most once a day.
 */
export async function contentTokenFor(db: Kysely<Database>, clientId: string, now: Date): Promise<string> {
  const startOfDay = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return signContentToken(await contentTokenKey(db), clientId, new Date(startOfDay + (CONTENT_TOKEN_VALID_DAYS + 1) * DAY_MS));
}
