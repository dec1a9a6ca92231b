import { CollectionClientSettings, type ClientSettings } from '@patchday/core';
import { formatNumber } from '../../components/format.ts';

export type SettingName = keyof ClientSettings;

/** §12 each client setting in an administrator's words; keyed by ClientSettings so a new setting needs its words. */
const words: Record<SettingName, { label: string; unit?: string }> = {
  softwareUpdatesEnabled: { label: 'Software updates enabled on clients' },
  policyPollingMinutes: { label: 'Policy polling interval', unit: 'minutes' },
  firstScanWithinMinutes: { label: 'First scan after policy, within', unit: 'minutes' },
  scanScheduleDays: { label: 'Scan schedule, every', unit: 'days' },
  scanRandomisationMinutes: { label: 'Scan schedule randomised by up to', unit: 'minutes' },
  deploymentReevaluationDays: { label: 'Deployment re-evaluation, every', unit: 'days' },
  metadataTtlHours: { label: 'Metadata TTL', unit: 'hours' },
  stateMessageBatchMinutes: { label: 'State message batch interval', unit: 'minutes' },
  scanRetryMinutes: { label: 'Failed scan retried every', unit: 'minutes' },
  scanRetries: { label: 'Failed scan retries before the next update point', unit: 'times' },
  cacheMaximumMb: { label: 'Client cache maximum', unit: 'MB' },
  cacheMinimumAgeMinutes: { label: 'Cached content kept at least', unit: 'minutes' },
  restartCountdownMinutes: { label: 'Restart countdown after the deadline', unit: 'minutes' },
  restartFinalCountdownMinutes: { label: 'Final countdown the user cannot dismiss', unit: 'minutes' },
  restartReminderMinutes: { label: 'Restart reminders every', unit: 'minutes' },
};

/** The field's label: "Policy polling interval (minutes)". */
export const settingLabel = (s: SettingName): string => (words[s].unit ? `${words[s].label} (${words[s].unit})` : words[s].label);

export function settingValueText(s: SettingName, value: boolean | number): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return `${formatNumber(value)} ${words[s].unit ?? ''}`.trim();
}

/** The bounds the site checks (core's CollectionClientSettings), for the field and its hint; null for a yes/no setting. */
export function settingBounds(s: SettingName): { min: number; max: number } | null {
  const schema = CollectionClientSettings.shape[s].unwrap();
  return 'minValue' in schema && schema.minValue !== null && schema.maxValue !== null ? { min: schema.minValue, max: schema.maxValue } : null;
}
