import type { Command } from 'commander';
import type { ClientDeployments, Deployment, DeploymentStatus, UpdateGroup } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';
import { resolveClient, resolveCollection } from './collections.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const collect = (value: string, previous: string[]) => [...previous, value];

/** A deployment given by id or by name (exact, then regardless of case). */
async function resolveDeployment(api: ApiClient, wanted: string): Promise<Deployment> {
  const { deployments } = await api.get<{ deployments: Deployment[] }>('/deployments');
  const matches = deployments.filter((d) => d.deploymentId.toLowerCase() === wanted.toLowerCase() || d.name === wanted);
  const loose = matches.length ? matches : deployments.filter((d) => d.name.toLowerCase() === wanted.toLowerCase());
  if (loose.length === 0) throw new CliError(`no deployment ${wanted}`, ExitCode.notFound);
  if (loose.length > 1) throw new CliError(`${loose.length} deployments are named ${wanted}: use the deployment id (${loose.map((d) => d.deploymentId).join(', ')})`, ExitCode.usage);
  return loose[0];
}

/** An update group given by id, or by name through the group list. */
async function resolveGroup(api: ApiClient, wanted: string): Promise<string> {
  if (UUID.test(wanted)) return wanted.toLowerCase();
  const { groups } = await api.get<{ groups: UpdateGroup[] }>('/update-groups');
  const found = groups.find((g) => g.name === wanted) ?? groups.find((g) => g.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`no update group ${wanted}`, ExitCode.notFound);
  return found.groupId;
}

/**
 * A deployment time from the command line: ISO (`2026-12-08T22:00Z`; without Z in client local
 * time), `now`, or `+<n>m|h|d` from now.
 */
function timeOption(value: string, what: string): string {
  if (value === 'now') return new Date().toISOString();
  const relative = /^\+(\d+)([mhd])$/.exec(value);
  if (relative) return new Date(Date.now() + Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd']).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) throw new CliError(`${what} is a time such as 2026-12-08T22:00Z (UTC), 2026-12-08T22:00 (client local), now, or +7d`, ExitCode.usage);
  return value;
}

function integerOption(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliError(`${what} is a whole number, not ${JSON.stringify(value)}`, ExitCode.usage);
  return n;
}

interface SettingOptions {
  name?: string;
  purpose?: string;
  available?: string;
  deadline?: string;
  timeBasis?: string;
  restartSuppression?: string;
  installOutsideWindows?: boolean;
  restartOutsideWindows?: boolean;
  maxRunMinutes?: string;
  updateMaxRun: string[];
  reportOnly?: boolean;
  alertBelow?: string;
  alertAfterDays?: string;
  noAlerts?: boolean;
  json?: boolean;
}

/** The request fields the options give (only those given). */
function settingsBody(o: SettingOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.name !== undefined) body.name = o.name;
  if (o.purpose !== undefined) body.purpose = o.purpose;
  if (o.timeBasis !== undefined) body.timeBasis = o.timeBasis;
  if (o.available !== undefined) body.availableAt = timeOption(o.available, '--available');
  if (o.deadline !== undefined) body.deadlineAt = o.deadline === 'none' ? null : timeOption(o.deadline, '--deadline');
  if (o.restartSuppression !== undefined) body.restartSuppression = o.restartSuppression;
  if (o.installOutsideWindows !== undefined) body.installOutsideWindows = o.installOutsideWindows;
  if (o.restartOutsideWindows !== undefined) body.restartOutsideWindows = o.restartOutsideWindows;
  if (o.maxRunMinutes !== undefined) body.maxRunMinutes = integerOption(o.maxRunMinutes, '--max-run-minutes');
  if (o.updateMaxRun.length) {
    body.updateMaxRunMinutes = Object.fromEntries(
      o.updateMaxRun.map((pair) => {
        const m = /^([0-9a-f-]{36})=(\d+)$/i.exec(pair);
        if (!m) throw new CliError(`--update-max-run is <update id>=<minutes>, not ${JSON.stringify(pair)}`, ExitCode.usage);
        return [m[1].toLowerCase(), Number(m[2])];
      }),
    );
  }
  if (o.reportOnly !== undefined) body.reportOnly = o.reportOnly;
  if (o.noAlerts) body.alerts = null;
  else if (o.alertBelow !== undefined || o.alertAfterDays !== undefined) {
    if (o.alertBelow === undefined || o.alertAfterDays === undefined) throw new CliError('--alert-below and --alert-after-days go together', ExitCode.usage);
    body.alerts = { belowPercent: Number(o.alertBelow), afterDays: integerOption(o.alertAfterDays, '--alert-after-days') };
  }
  return body;
}

function settingOptions(command: Command): Command {
  return command
    .option('--purpose <purpose>', 'required (installed at the deadline) or available (the user installs it)')
    .option('--available <time>', 'available time: 2026-12-08T22:00Z (UTC), 2026-12-08T22:00 with --time-basis client-local, now, or +2h (default now)')
    .option('--deadline <time>', 'deadline of a required deployment (same forms; "none" to clear)')
    .option('--time-basis <basis>', 'utc (default) or client-local: times read in each client\'s own time zone')
    .option('--restart-suppression <who>', 'none (default), servers, workstations or both: who does not restart automatically')
    .option('--install-outside-windows', 'install even outside maintenance windows')
    .option('--no-install-outside-windows', 'install only inside maintenance windows (default)')
    .option('--restart-outside-windows', 'restart even outside maintenance windows')
    .option('--no-restart-outside-windows', 'restart only inside maintenance windows (default)')
    .option('--max-run-minutes <n>', 'maximum run time of each update (default 60)')
    .option('--update-max-run <id=minutes>', 'maximum run time of one update; repeatable', collect, [])
    .option('--report-only', 'clients only report compliance, never install')
    .option('--alert-below <percent>', 'alert when fewer than this % of clients are compliant…')
    .option('--alert-after-days <days>', '…this many days after the available time')
    .option('--json', 'print the deployment as JSON');
}

const flagsText = (d: Deployment) =>
  [d.flags.expiredUpdates.count ? `${d.flags.expiredUpdates.count} expired` : '', d.flags.updatesWithoutContent.count ? `${d.flags.updatesWithoutContent.count} without content` : ''].filter(Boolean).join(', ');

function printDeployment(d: Deployment): void {
  printFields([
    ['Deployment', `${d.name} (${d.deploymentId})`],
    ['Update group', `${d.groupName} (${d.groupId}): ${d.updateCount} update${d.updateCount === 1 ? '' : 's'}`],
    ['Collection', `${d.collectionName} (${d.collectionId})`],
    ['Enabled', d.enabled ? 'yes' : 'no'],
    ['Purpose', d.reportOnly ? `${d.purpose}, report only` : d.purpose],
    ['Available', `${d.availableAt} (${d.timeBasis})`],
    ['Deadline', d.deadlineAt ?? '-'],
    ['Restart suppressed', d.restartSuppression],
    ['Outside windows', `install ${d.installOutsideWindows ? 'yes' : 'no'}, restart ${d.restartOutsideWindows ? 'yes' : 'no'}`],
    ['Max run time', `${d.maxRunMinutes} min${Object.keys(d.updateMaxRunMinutes).length ? ` (${Object.keys(d.updateMaxRunMinutes).length} update${Object.keys(d.updateMaxRunMinutes).length === 1 ? '' : 's'} overridden)` : ''}`],
    ['Alerts', d.alerts ? `under ${d.alerts.belowPercent} % compliant ${d.alerts.afterDays} days after available` : '-'],
    ['Flags', flagsText(d) || '-'],
    ['Created', `${d.createdAt} by ${d.createdBy}${d.adrId ? ` (rule ${d.adrId})` : ''}`],
    ['Updated', d.updatedAt],
  ]);
  for (const [label, flagged] of [['EXPIRED UPDATE', d.flags.expiredUpdates], ['UPDATE WITHOUT CONTENT', d.flags.updatesWithoutContent]] as const) {
    if (!flagged.count) continue;
    process.stdout.write('\n');
    printTable([label, 'UPDATE ID'], flagged.updates.map((u) => [u.title, u.updateId]), { maxWidth: 80 });
    if (flagged.count > flagged.updates.length) process.stdout.write(`… and ${flagged.count - flagged.updates.length} more\n`);
  }
}

export function registerDeploymentCommands(program: Command): void {
  const deployments = program.command('deployments').description('deploy update groups to collections (§6.4), and watch them (§9)');

  deployments
    .command('list')
    .description('every deployment')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { deployments: list } = await new ApiClient().get<{ deployments: Deployment[] }>('/deployments');
      if (o.json) return printJson(list);
      printTable(
        ['DEPLOYMENT ID', 'NAME', 'GROUP', 'COLLECTION', 'PURPOSE', 'AVAILABLE', 'DEADLINE', 'ENABLED', 'UPDATES', 'FLAGS'],
        list.map((d) => [d.deploymentId, d.name, d.groupName, d.collectionName, d.purpose, d.availableAt, d.deadlineAt ?? '-', d.enabled ? 'yes' : 'no', d.updateCount, flagsText(d) || '-']),
      );
    });

  deployments
    .command('show <deployment>')
    .description('one deployment (id or name): settings and flags')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const d = await resolveDeployment(new ApiClient(), wanted);
      if (o.json) return printJson(d);
      printDeployment(d);
    });

  settingOptions(
    deployments
      .command('create')
      .description('deploy an update group to a collection')
      .requiredOption('--name <name>', 'its name')
      .requiredOption('--group <group>', 'the update group (id or name)')
      .requiredOption('--collection <collection>', 'the collection (id or name)')
      .option('--disabled', 'create it disabled (not in any policy until enabled)'),
  ).action(async (o: SettingOptions & { group: string; collection: string; disabled?: boolean }) => {
    const api = new ApiClient();
    const body = { ...settingsBody(o), groupId: await resolveGroup(api, o.group), collectionId: (await resolveCollection(api, o.collection)).collectionId, ...(o.disabled ? { enabled: false } : {}) };
    const created = await api.post<Deployment>('/deployments', body);
    if (o.json) return printJson(created);
    const flags = flagsText(created);
    process.stdout.write(`Created deployment ${created.name} (${created.deploymentId}): ${created.updateCount} update${created.updateCount === 1 ? '' : 's'} of ${created.groupName} to ${created.collectionName}${flags ? `; flagged: ${flags}` : ''}\n`);
  });

  settingOptions(deployments.command('set <deployment>').description('change a deployment: each option given replaces that setting').option('--name <name>', 'rename it').option('--no-alerts', 'no compliance alert')).action(
    async (wanted: string, o: SettingOptions & { alerts?: boolean }) => {
      const api = new ApiClient();
      const d = await resolveDeployment(api, wanted);
      const body = settingsBody({ ...o, noAlerts: o.alerts === false });
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option (see patchday deployments set --help)', ExitCode.usage);
      const updated = await api.request<Deployment>('PATCH', `/deployments/${d.deploymentId}`, body);
      if (o.json) return printJson(updated);
      process.stdout.write(`Updated deployment ${updated.name} (${updated.deploymentId})\n`);
    },
  );

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    deployments
      .command(`${verb} <deployment>`)
      .description(enabled ? 'put the deployment back into its clients\' policy' : 'take the deployment out of every policy (kept, with its states)')
      .action(async (wanted: string) => {
        const api = new ApiClient();
        const d = await resolveDeployment(api, wanted);
        await api.request<Deployment>('PATCH', `/deployments/${d.deploymentId}`, { enabled });
        process.stdout.write(`${enabled ? 'Enabled' : 'Disabled'} deployment ${d.name} (${d.deploymentId})\n`);
      });
  }

  deployments
    .command('delete <deployment>')
    .description('delete a deployment and what clients reported about it')
    .action(async (wanted: string) => {
      const api = new ApiClient();
      const d = await resolveDeployment(api, wanted);
      await api.delete(`/deployments/${d.deploymentId}`);
      process.stdout.write(`Deleted deployment ${d.name} (${d.deploymentId})\n`);
    });

  deployments
    .command('status <deployment>')
    .description('compliant, in progress, waiting, error (with the error), unknown: counts and each client')
    .option('--category <category>', 'only clients in this category: compliant, in-progress, waiting, error, unknown')
    .option('--limit <n>', 'at most this many clients (max 1000)', '100')
    .option('--offset <n>', 'skip this many first', '0')
    .option('--json', 'JSON output (the counts and the page)')
    .action(async (wanted: string, o: { category?: string; limit: string; offset: string; json?: boolean }) => {
      const api = new ApiClient();
      const d = await resolveDeployment(api, wanted);
      const s = await api.get<DeploymentStatus>(`/deployments/${d.deploymentId}/status`, { category: o.category, limit: o.limit, offset: o.offset });
      if (o.json) return printJson(s);
      const c = s.counts;
      process.stdout.write(`${s.name}: ${s.percentCompliant} % compliant — ${c.compliant} compliant, ${c.inProgress} in progress, ${c.waiting} waiting, ${c.error} error, ${c.unknown} unknown (${c.members} clients)${s.enabled ? '' : ' [disabled]'}\n\n`);
      printTable(['CLIENT ID', 'NAME', 'CATEGORY', 'DETAIL', 'ERROR'], s.clients.map((x) => [x.clientId, x.name, x.category, x.detail, x.error ?? '']), { maxWidth: 100 });
      process.stdout.write(s.clients.length ? `\n${s.offset + 1}–${s.offset + s.clients.length} of ${s.total} clients\n` : `\nno clients here (${s.total} in all)\n`);
    });

  deployments
    .command('of <client>')
    .description("a client's assignments (id or name) and its state of each")
    .option('--json', 'JSON output')
    .action(async (client: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const target = await resolveClient(api, client);
      const result = await api.get<ClientDeployments>(`/clients/${target.clientId}/deployments`);
      if (o.json) return printJson(result);
      printTable(
        ['DEPLOYMENT ID', 'NAME', 'COLLECTION', 'PURPOSE', 'DEADLINE', 'CATEGORY', 'DETAIL', 'ERROR'],
        result.deployments.map((d) => [d.deploymentId, d.name, d.collectionName, d.purpose, d.deadlineAt ?? '-', d.category, d.detail, d.error ?? '']),
        { maxWidth: 80 },
      );
    });
}
