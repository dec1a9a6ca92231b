import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ClientPolicy, ClientSettings, MaintenanceWindow } from '@patchday/core';
import type { Kysely } from 'kysely';
import { assignmentsOfClient, type CachedAssignment } from '../deployments/assignment-cache.ts';
import { contentTokenFor, distributionPointsFor } from '../distribution/policy-distribution.ts';
import type { Database } from '../store/schema.ts';

/** §12 defaults; collections will assign other settings to their members. */
export const defaultClientSettings: ClientSettings = {
  softwareUpdatesEnabled: true,
  policyPollingMinutes: 60,
  firstScanWithinMinutes: 120,
  scanScheduleDays: 7,
  scanRandomisationMinutes: 120,
  deploymentReevaluationDays: 7,
  metadataTtlHours: 24,
  stateMessageBatchMinutes: 15,
  scanRetryMinutes: 30,
  scanRetries: 4,
  cacheMaximumMb: 5120,
  cacheMinimumAgeMinutes: 1440,
  restartCountdownMinutes: 90,
  restartFinalCountdownMinutes: 15,
  restartReminderMinutes: 240,
};

/** The §6 part of a policy: content locations, maintenance windows and assignments. */
export interface DeploymentPolicyParts {
  distributionPoints: ClientPolicy['distributionPoints'];
  contentToken: string;
  maintenanceWindows: MaintenanceWindow[];
  assignments: readonly CachedAssignment[];
}

const noDeployments: DeploymentPolicyParts = { distributionPoints: [], contentToken: '', maintenanceWindows: [], assignments: [] };

/** A client's policy, ready to send: its ETag and its body, plain or gzipped. */
export interface PolicyResponse {
  etag: string;
  body(gzipped: boolean): Buffer;
}

const gzipMember = (text: string) => gzipSync(Buffer.from(text), { level: 1 });
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');
const COMMA_GZIPPED = gzipMember(',');
const CLOSE_GZIPPED = gzipMember(']}');

/**
 * A client's policy as sent to it, and its ETag. Assignments are spliced in as their cached bytes
 * (gzipped: as their cached gzip members; a gzip stream may be several members one after the other),
 * so a poll never serialises or compresses a large assignment again. The ETag digests everything the
 * policy says — the assignments through their own digests — so an unchanged policy costs a 304; it
 * is weak because the same policy is sent gzipped or not.
 */
export function policyFor(clientId: string, siteUrl: string, settings: ClientSettings = defaultClientSettings, parts: DeploymentPolicyParts = noDeployments): PolicyResponse {
  const head: Omit<ClientPolicy, 'assignments'> = {
    clientId,
    clientSettings: settings,
    // §3: no update point when software updates are disabled, so the agent does not scan.
    updatePoints: settings.softwareUpdatesEnabled ? [{ url: `${siteUrl}/up/v1` }] : [],
    distributionPoints: parts.distributionPoints,
    contentToken: parts.contentToken,
    maintenanceWindows: parts.maintenanceWindows,
  };
  const headJson = JSON.stringify(head);
  const opening = `${headJson.slice(0, -1)},"assignments":[`;
  const digest = createHash('sha256').update(headJson);
  for (const a of parts.assignments) digest.update(`\n${a.digest}`);
  return {
    etag: `W/"${digest.digest('base64url')}"`,
    body(gzipped) {
      const pieces: Buffer[] = [gzipped ? gzipMember(opening) : Buffer.from(opening)];
      parts.assignments.forEach((a, i) => {
        if (i > 0) pieces.push(gzipped ? COMMA_GZIPPED : COMMA);
        pieces.push(gzipped ? a.gzipped : a.body);
      });
      pieces.push(gzipped ? CLOSE_GZIPPED : CLOSE);
      return Buffer.concat(pieces);
    },
  };
}

/**
 * §6.1 / §6.4 / §6.8 what deployments put into `clientId`'s policy: the distribution points and a
 * content token for them, the enabled maintenance windows of every collection it is in, and one
 * assignment per enabled deployment to such a collection.
 */
export async function deploymentPolicyParts(db: Kysely<Database>, clientId: string, siteUrl: string, now: Date): Promise<DeploymentPolicyParts> {
  const seq = await db.selectFrom('site_settings').select('value').where('key', '=', 'catalogue_seq').executeTakeFirst();
  const [assignments, windows, distributionPoints, contentToken] = await Promise.all([
    assignmentsOfClient(db, clientId, seq?.value ?? '0', now),
    db
      .selectFrom('collection_members as m')
      .innerJoin('maintenance_windows as w', 'w.collection_id', 'm.collection_id')
      .select('w.definition')
      .where('m.client_id', '=', clientId)
      .orderBy('w.created_at')
      .orderBy('w.window_id')
      .execute(),
    distributionPointsFor(db, siteUrl),
    contentTokenFor(db, clientId, now),
  ]);
  const maintenanceWindows = windows.map((w) => JSON.parse(w.definition) as MaintenanceWindow).filter((w) => w.enabled);
  return { distributionPoints, contentToken, maintenanceWindows, assignments };
}
