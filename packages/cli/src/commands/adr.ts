import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AdrPreview, AdrRunResult, AutomaticDeploymentRule, DistributionPoint } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';
import { resolveCollection } from './collections.ts';
import { resolveDp } from './dp.ts';
import { filterFrom, filterOptions, resolveGroup, type FilterFlags } from './groups.ts';
import { followDownload, resolvePackage } from './packages.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** A rule given by id or by name (names are unique regardless of case). */
async function resolveAdr(api: ApiClient, wanted: string): Promise<AutomaticDeploymentRule> {
  const { adrs } = await api.get<{ adrs: AutomaticDeploymentRule[] }>('/adrs');
  const found = adrs.find((r) => r.adrId.toLowerCase() === wanted.toLowerCase()) ?? adrs.find((r) => r.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`no automatic deployment rule ${wanted} (see patchday adr list)`, ExitCode.notFound);
  return found;
}

/** `90m`, `36h`, `7d` or plain minutes, as whole minutes. */
export function minutesOf(text: string, option: string): number {
  const m = /^(\d+)\s*(m|min|h|d)?$/.exec(text.trim());
  if (!m) throw new CliError(`${option} is a duration such as 90m, 36h or 7d, not ${JSON.stringify(text)}`, ExitCode.usage);
  return Number(m[1]) * (m[2] === 'h' ? 60 : m[2] === 'd' ? 1440 : 1);
}

const durationText = (minutes: number | null | undefined) =>
  minutes === null || minutes === undefined ? '-' : minutes % 1440 === 0 ? `${minutes / 1440}d` : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;

interface RuleFlags extends FilterFlags {
  name?: string;
  description?: string;
  cron?: string;
  timeZone?: string;
  noSchedule?: boolean;
  reportOnly?: boolean;
  deploy?: boolean;
  download?: boolean;
  dp: string[];
  group?: string;
  package?: string;
  deployTo: string[];
  deploymentsFile?: string;
  available?: boolean;
  availableAfter?: string;
  deadlineAfter?: string;
  timeBasis?: string;
  suppressRestart?: string;
  installOutsideWindows?: boolean;
  restartOutsideWindows?: boolean;
  maxRunMinutes?: string;
  alertBelow?: string;
  alertAfterDays?: string;
  disabled?: boolean;
  json?: boolean;
}

function ruleOptions(command: Command): Command {
  return filterOptions(command)
    .option('--description <text>', 'what the rule is for')
    .option('--cron <expression>', 'evaluation schedule, e.g. "0 22 * * TUE#2" (the second Tuesday, 22:00)')
    .option('--time-zone <zone>', 'time zone of the schedule (default UTC), e.g. Europe/Amsterdam')
    .option('--report-only', 'only refill the group and report compliance: clients never download or install')
    .option('--no-download', 'do not download the selected updates\' files into the package at each run')
    .option('--dp <dp>', 'distribution point (id or name) to send the package to; repeatable (default: every enabled one)', collect, [])
    .option('--deploy-to <collection>', 'a collection to deploy the group to (id or name); repeatable, one deployment each', collect, [])
    .option('--deployments-file <file>', 'the deployments as a JSON list of templates (see docs/automatic-deployment-rules.md)')
    .option('--available', 'deploy as available (the user installs) instead of required')
    .option('--available-after <duration>', 'available this long after each run, e.g. 1h (default 0)')
    .option('--deadline-after <duration>', 'deadline this long after each run, e.g. 7d (default 7d)')
    .option('--time-basis <basis>', 'utc or client-local (times in each client\'s own zone)')
    .option('--suppress-restart <who>', 'none, servers, workstations or both')
    .option('--install-outside-windows', 'install outside maintenance windows when the deadline comes')
    .option('--restart-outside-windows', 'restart outside maintenance windows')
    .option('--max-run-minutes <n>', 'maximum run time of each update (default 60)')
    .option('--alert-below <percent>', 'alert when compliance is under this percent…')
    .option('--alert-after-days <days>', '…this many days after the available time')
    .option('--json', 'JSON output');
}

function whole(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new CliError(`${option} is a whole number, not ${JSON.stringify(text)}`, ExitCode.usage);
  return n;
}

/** The deployment templates the flags describe (one per --deploy-to), or a file's list. */
async function deploymentsFrom(api: ApiClient, o: RuleFlags): Promise<unknown[] | undefined> {
  if (o.deploymentsFile) {
    if (o.deployTo.length) throw new CliError('give --deploy-to or --deployments-file, not both', ExitCode.usage);
    try {
      const list = JSON.parse(readFileSync(o.deploymentsFile, 'utf8')) as unknown;
      if (!Array.isArray(list)) throw new Error('it is not a JSON list');
      return list;
    } catch (error) {
      throw new CliError(`cannot read the deployments file ${o.deploymentsFile}: ${(error as Error).message}`, ExitCode.usage);
    }
  }
  if (!o.deployTo.length) return undefined;
  if ((o.alertBelow === undefined) !== (o.alertAfterDays === undefined)) throw new CliError('--alert-below and --alert-after-days go together', ExitCode.usage);
  const template: Record<string, unknown> = {
    purpose: o.available ? 'available' : 'required',
    timeBasis: o.timeBasis,
    availableAfterMinutes: o.availableAfter === undefined ? undefined : minutesOf(o.availableAfter, '--available-after'),
    deadlineAfterMinutes: o.available ? null : o.deadlineAfter === undefined ? undefined : minutesOf(o.deadlineAfter, '--deadline-after'),
    restartSuppression: o.suppressRestart,
    installOutsideWindows: o.installOutsideWindows,
    restartOutsideWindows: o.restartOutsideWindows,
    maxRunMinutes: whole(o.maxRunMinutes, '--max-run-minutes'),
    alerts: o.alertBelow === undefined ? undefined : { belowPercent: Number(o.alertBelow), afterDays: whole(o.alertAfterDays, '--alert-after-days') },
  };
  for (const key of Object.keys(template)) if (template[key] === undefined) delete template[key];
  return Promise.all(o.deployTo.map(async (c) => ({ ...template, collectionId: (await resolveCollection(api, c)).collectionId })));
}

async function dpIdsFrom(api: ApiClient, wanted: string[]): Promise<string[]> {
  if (!wanted.length) return [];
  const { distributionPoints } = await api.get<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
  return Promise.all(wanted.map(async (w) => (await resolveDp(api, w, distributionPoints)).dpId));
}

/** The request body the flags describe; only what was given (for `set`). */
async function ruleBody(api: ApiClient, o: RuleFlags, creating: boolean): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (o.name !== undefined) body.name = o.name;
  if (o.description !== undefined) body.description = o.description;
  const criteria = await filterFrom(api, o);
  if (criteria) body.criteria = criteria;
  else if (creating) throw new CliError('give the rule its criteria with filter options, e.g. --classification "Security Updates" --severity Critical', ExitCode.usage);
  if (o.noSchedule) body.schedule = null;
  else if (o.cron !== undefined) body.schedule = { cron: o.cron, timeZone: o.timeZone ?? 'UTC' };
  else if (o.timeZone !== undefined) throw new CliError('--time-zone goes with --cron', ExitCode.usage);
  if (o.reportOnly) body.mode = 'report';
  else if (o.deploy) body.mode = 'deploy';
  if (o.download === false || o.dp.length) body.download = { download: o.download !== false, distributionPointIds: await dpIdsFrom(api, o.dp) };
  const deployments = await deploymentsFrom(api, o);
  if (deployments) body.deployments = deployments;
  else if (creating) throw new CliError('name at least one collection with --deploy-to (or give --deployments-file)', ExitCode.usage);
  if (creating) {
    if (o.group) body.groupId = (await resolveGroup(api, o.group)).groupId;
    if (o.package) body.packageId = (await resolvePackage(api, o.package)).packageId;
    if (o.disabled) body.enabled = false;
  }
  return body;
}

function printRule(r: AutomaticDeploymentRule): void {
  printFields([
    ['Automatic deployment rule', `${r.name} (${r.adrId})`],
    ['Description', r.description || '-'],
    ['Enabled', r.enabled ? 'yes' : 'no'],
    ['Mode', r.mode === 'deploy' ? 'deploy' : 'report compliance only'],
    ['Criteria', JSON.stringify(r.criteria)],
    ['Schedule', r.schedule ? `${r.schedule.cron} (${r.schedule.timeZone})` : 'none: runs only when asked'],
    ['Next run', r.nextRunAt ?? '-'],
    ['Update group', `${r.groupName} (${r.groupId})`],
    ['Package', r.packageId ? `${r.packageName} (${r.packageId})` : '-'],
    ['Download', r.download.download ? `yes, to ${r.download.distributionPointIds.length ? r.download.distributionPointIds.join(', ') : 'every enabled distribution point'}` : 'no'],
    ['Last run', r.lastRun ? runText(r.lastRun) : 'never'],
    ['Created', `${r.createdAt} by ${r.createdBy}`],
  ]);
  process.stdout.write('\n');
  printTable(
    ['COLLECTION', 'PURPOSE', 'AVAILABLE AFTER', 'DEADLINE AFTER', 'TIMES', 'RESTART', 'DEPLOYMENT', 'ENABLED'],
    r.deployments.map((d) => [
      d.collectionId,
      d.purpose,
      durationText(d.availableAfterMinutes),
      d.purpose === 'required' ? durationText(d.deadlineAfterMinutes ?? 7 * 1440) : '-',
      d.timeBasis,
      d.restartSuppression === 'none' ? 'restart' : `suppressed: ${d.restartSuppression}`,
      d.deploymentId ?? 'created at the next run',
      d.deploymentEnabled === null ? '-' : d.deploymentEnabled ? 'yes' : 'no',
    ]),
    { maxWidth: 40 },
  );
}

const runText = (run: AdrRunResult) =>
  `${run.at} (${run.trigger}): ${run.status}${run.error ? ` — ${run.error}` : ''}; ${run.updates} updates (+${run.added} −${run.removed}), ${run.filesQueued} files to download, ${run.deploymentsCreated} deployments created`;

export function registerAdrCommands(program: Command): void {
  const adr = program.command('adr').description('automatic deployment rules: criteria + schedule that refill an update group and deploy it (§6.3)');

  adr
    .command('list')
    .description('list the rules')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { adrs } = await new ApiClient().get<{ adrs: AutomaticDeploymentRule[] }>('/adrs');
      if (o.json) return printJson(adrs);
      printTable(
        ['ADR ID', 'NAME', 'ENABLED', 'MODE', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'DEPLOYMENTS'],
        adrs.map((r) => [r.adrId, r.name, r.enabled ? 'yes' : 'no', r.mode, r.schedule ? `${r.schedule.cron} ${r.schedule.timeZone}` : '-', r.nextRunAt ?? '-', r.lastRun ? `${r.lastRun.at} ${r.lastRun.status}` : '-', r.deployments.length]),
      );
    });

  adr
    .command('show <rule>')
    .description('show a rule, its deployments and its last run')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const rule = await resolveAdr(new ApiClient(), wanted);
      if (o.json) return printJson(rule);
      printRule(rule);
    });

  ruleOptions(
    adr
      .command('create')
      .description('create a rule (it runs at its schedule, or with `adr run`)')
      .requiredOption('--name <name>', 'its name (unique); also the name of the group and package it creates')
      .option('--group <group>', 'refill this existing update group (default: a new group named after the rule)')
      .option('--package <package>', 'download into this existing package (default: a new package named after the rule)')
      .option('--disabled', 'create it disabled'),
  ).action(async (o: RuleFlags) => {
    const api = new ApiClient();
    const created = await api.post<AutomaticDeploymentRule>('/adrs', await ruleBody(api, o, true));
    if (o.json) return printJson(created);
    printRule(created);
  });

  ruleOptions(
    adr
      .command('set <rule>')
      .description('change a rule: each option given replaces the stored value (filter options replace the whole criteria, --deploy-to the whole list)')
      .option('--name <name>', 'rename it')
      .option('--no-schedule', 'run only when asked')
      .option('--deploy', 'deploy (undo --report-only)'),
  ).action(async (wanted: string, o: RuleFlags) => {
    const api = new ApiClient();
    const rule = await resolveAdr(api, wanted);
    const body = await ruleBody(api, o, false);
    if (!Object.keys(body).length) throw new CliError('nothing to change: give at least one option (see --help)', ExitCode.usage);
    const changed = await api.request<AutomaticDeploymentRule>('PATCH', `/adrs/${rule.adrId}`, body);
    if (o.json) return printJson(changed);
    printRule(changed);
  });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    adr
      .command(`${name} <rule>`)
      .description(`${name} a rule (its schedule ${enabled ? 'resumes' : 'stops'}; its deployments are enabled and disabled with \`patchday deployments\`)`)
      .action(async (wanted: string) => {
        const api = new ApiClient();
        const rule = await resolveAdr(api, wanted);
        const changed = await api.request<AutomaticDeploymentRule>('PATCH', `/adrs/${rule.adrId}`, { enabled });
        process.stdout.write(`${changed.name}: ${enabled ? `enabled, next run ${changed.nextRunAt ?? 'when asked'}` : 'disabled'}\n`);
      });
  }

  adr
    .command('delete <rule>')
    .description('delete a rule; its group, package and deployments stay')
    .action(async (wanted: string) => {
      const api = new ApiClient();
      const rule = await resolveAdr(api, wanted);
      await api.delete(`/adrs/${rule.adrId}`);
      process.stdout.write(`deleted automatic deployment rule ${rule.name}; group ${rule.groupName} and its deployments stay\n`);
    });

  adr
    .command('preview <rule>')
    .description('what the rule would select now (changes nothing)')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const rule = await resolveAdr(api, wanted);
      const preview = await api.post<AdrPreview>(`/adrs/${rule.adrId}/preview`, {});
      if (o.json) return printJson(preview);
      printTable(
        ['UPDATE ID', 'TITLE', 'CLASSIFICATION', 'SEVERITY', 'RELEASED'],
        preview.updates.map((u) => [u.updateId, u.title, u.classification, u.severity, u.releaseDate.slice(0, 10)]),
      );
      process.stdout.write(`\n${preview.total} updates would be in group ${rule.groupName}: ${preview.wouldAdd} added, ${preview.wouldRemove} removed${preview.total > preview.updates.length ? ` (first ${preview.updates.length} shown)` : ''}\n`);
    });

  adr
    .command('run <rule>')
    .description('run the rule now: refill the group, update its deployments, download and distribute')
    .option('--no-wait', 'do not wait for the download to finish')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { wait: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const rule = await resolveAdr(api, wanted);
      const run = await api.post<AdrRunResult>(`/adrs/${rule.adrId}/run`, {});
      if (o.wait && run.status === 'succeeded' && run.filesQueued > 0 && rule.packageId) await followDownload(api, rule.packageId, !o.json && process.stderr.isTTY === true);
      if (o.json) printJson(run);
      else process.stdout.write(`${rule.name}: ${runText(run)}\n`);
      if (run.status === 'failed') throw new CliError(`the run failed: ${run.error}`, ExitCode.failed);
    });
}
