import { createHash } from 'node:crypto';
import type { ClientPolicy, ClientSettings } from '@patchday/core';

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

/** A client's policy and its ETag (a digest of the policy, so an unchanged policy costs a 304). */
export function policyFor(
  clientId: string,
  siteUrl: string,
  settings: ClientSettings = defaultClientSettings,
  deployment: Pick<ClientPolicy, 'distributionPoints' | 'contentToken' | 'maintenanceWindows' | 'assignments'> = { distributionPoints: [], contentToken: '', maintenanceWindows: [], assignments: [] },
): { policy: ClientPolicy; etag: string } {
  const policy: ClientPolicy = {
    clientId,
    clientSettings: settings,
    // §3: no update point when software updates are disabled, so the agent does not scan.
    updatePoints: settings.softwareUpdatesEnabled ? [{ url: `${siteUrl}/up/v1` }] : [],
    ...deployment,
  };
  const etag = `"${createHash('sha256').update(JSON.stringify(policy)).digest('base64url')}"`;
  return { policy, etag };
}
