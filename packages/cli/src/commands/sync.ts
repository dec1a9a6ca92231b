import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { SupersedenceRules, SyncCriteria, SyncRun, SyncSchedule } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('synchronise the catalogue from the upstreams');

  sync
    .command('run')
    .description('sync now and wait for the result (exit code 1 when the run failed: any upstream refused stops it)')
    .option('--upstream <name>', 'only this upstream')
    .option('--json', 'print the finished run as JSON')
    .action(async (o: { upstream?: string; json?: boolean }) => {
      const client = new ApiClient();
      const started = await client.post<SyncRun>('/sync/runs', o.upstream ? { upstream: o.upstream } : {});
      const run = await follow(client, started, !o.json && process.stderr.isTTY);
      if (o.json) printJson(run);
      else printRunSummary(run);
      if (run.status !== 'succeeded') {
        if (!o.json) process.stderr.write(`patchday: sync ${run.runId} failed: ${run.error}\n`);
        process.exitCode = ExitCode.failed;
      }
    });

  sync
    .command('status')
    .description('last run, schedule and the state of every suite')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const status = await new ApiClient().get<SyncStatus>('/sync/status');
      if (o.json) return printJson(status);
      const last = status.lastRun;
      printFields([
        ['Last run', last ? `${last.runId} ${last.status} (${last.trigger}) ${last.finishedAt ?? 'running'}` : 'never'],
        ['Last result', last ? (last.error ?? `${last.added} added, ${last.revised} revised, ${last.superseded} superseded, ${last.expired} expired, ${last.unchanged} unchanged`) : ''],
        ['Last success', status.lastSuccessAt ?? 'never'],
        ['Catalogue sequence', status.catalogueSeq],
        ['Schedule', status.schedule.enabled ? `${status.schedule.cron} (${status.schedule.timezone})` : 'disabled'],
        ['Next run', status.schedule.nextRunAt ?? '-'],
        ['Retry at', status.schedule.retryAt ?? '-'],
      ]);
      if (status.suites.length) {
        process.stdout.write('\n');
        printTable(['UPSTREAM', 'SUITE', 'RELEASE DATE', 'VALID UNTIL', 'SYNCED'], status.suites.map((s) => [s.upstream, s.suite, s.releaseDate, s.validUntil ?? '-', s.syncedAt]));
      }
    });

  sync
    .command('runs')
    .description('recent sync runs')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'JSON output')
    .action(async (o: { limit: string; json?: boolean }) => {
      const { runs } = await new ApiClient().get<{ runs: SyncRun[] }>('/sync/runs', { limit: o.limit });
      if (o.json) return printJson(runs);
      printTable(
        ['RUN', 'STATUS', 'TRIGGER', 'STARTED', 'ADDED', 'REVISED', 'SUPERSEDED', 'EXPIRED', 'UNCHANGED', 'ERROR'],
        runs.map((r) => [r.runId, r.status, r.trigger, r.startedAt, r.added, r.revised, r.superseded, r.expired, r.unchanged, r.error ?? '']),
      );
    });

  sync
    .command('criteria')
    .description('show, or with options set, which products, classifications and architectures are synced')
    .option('--products <list>', 'comma-separated, e.g. "Debian 12,Debian 13" (empty string = all)')
    .option('--classifications <list>', 'comma-separated, e.g. "Security Updates,Critical Updates" (empty string = all)')
    .option('--arch <list>', 'comma-separated architectures (empty string = each upstream\'s own)')
    .option('--json', 'JSON output')
    .action(async (o: { products?: string; classifications?: string; arch?: string; json?: boolean }) => {
      const client = new ApiClient();
      let criteria = await client.get<SyncCriteria>('/sync/criteria');
      if (o.products !== undefined || o.classifications !== undefined || o.arch !== undefined) {
        criteria = await client.put<SyncCriteria>('/sync/criteria', {
          products: o.products !== undefined ? list(o.products) : criteria.products,
          classifications: o.classifications !== undefined ? list(o.classifications) : criteria.classifications,
          architectures: o.arch !== undefined ? list(o.arch) : criteria.architectures,
        });
      }
      if (o.json) return printJson(criteria);
      printFields([
        ['Products', criteria.products.length ? criteria.products : 'all'],
        ['Classifications', criteria.classifications.length ? criteria.classifications : 'all'],
        ['Architectures', criteria.architectures.length ? criteria.architectures : "each upstream's own"],
      ]);
    });

  sync
    .command('supersedence')
    .description('show, or with --expire-after-months set, when superseded updates expire (default 3 months; 0 = at once)')
    .option('--expire-after-months <n>', 'months after being superseded')
    .option('--json', 'JSON output')
    .action(async (o: { expireAfterMonths?: string; json?: boolean }) => {
      const client = new ApiClient();
      const rules =
        o.expireAfterMonths !== undefined
          ? await client.put<SupersedenceRules>('/sync/supersedence', { expireAfterMonths: Number(o.expireAfterMonths) })
          : await client.get<SupersedenceRules>('/sync/supersedence');
      if (o.json) return printJson(rules);
      printFields([['Superseded updates expire', rules.expireAfterMonths === 0 ? 'as soon as they are superseded' : `${rules.expireAfterMonths} months after being superseded`]]);
    });

  sync
    .command('schedule')
    .description('show, or with options set, when the site syncs (cron with time zone; default daily 03:00 UTC)')
    .option('--cron <expression>', 'five-field cron, e.g. "0 3 * * *"')
    .option('--timezone <tz>', 'IANA time zone, e.g. Europe/Amsterdam')
    .option('--enable', 'sync on the schedule')
    .option('--disable', 'only sync on demand')
    .option('--json', 'JSON output')
    .action(async (o: { cron?: string; timezone?: string; enable?: boolean; disable?: boolean; json?: boolean }) => {
      if (o.enable && o.disable) throw new CliError('--enable and --disable exclude each other', ExitCode.usage);
      const client = new ApiClient();
      let schedule = await client.get<SyncSchedule & ScheduleState>('/sync/schedule');
      if (o.cron !== undefined || o.timezone !== undefined || o.enable || o.disable) {
        schedule = await client.put<SyncSchedule & ScheduleState>('/sync/schedule', {
          cron: o.cron ?? schedule.cron,
          timezone: o.timezone ?? schedule.timezone,
          enabled: o.enable ? true : o.disable ? false : schedule.enabled,
        });
      }
      if (o.json) return printJson(schedule);
      printFields([
        ['Enabled', schedule.enabled ? 'yes' : 'no'],
        ['Cron', schedule.cron],
        ['Time zone', schedule.timezone],
        ['Next run', schedule.nextRunAt ?? '-'],
        ['Retry at', schedule.retryAt ?? '-'],
      ]);
    });
}

interface ScheduleState {
  nextRunAt: string | null;
  retryAt: string | null;
}

interface SyncStatus {
  lastRun: SyncRun | null;
  lastSuccessAt: string | null;
  catalogueSeq: number;
  schedule: SyncSchedule & ScheduleState;
  suites: Array<{ upstream: string; suite: string; releaseDate: string; validUntil: string | null; syncedAt: string }>;
}

/** Polls the run until it ends, drawing a progress bar on a terminal. */
async function follow(client: ApiClient, started: SyncRun, showProgress: boolean): Promise<SyncRun> {
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: 'sync [{bar}] {value}/{total} suites  {detail}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  let run = started;
  bar?.start(run.progress?.suitesTotal ?? 1, 0, { detail: '' });
  while (run.status === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    run = await client.get<SyncRun>(`/sync/runs/${run.runId}`);
    if (run.progress) {
      bar?.setTotal(run.progress.suitesTotal);
      bar?.update(run.progress.suitesDone, { detail: run.progress.detail.slice(0, 60) });
    }
  }
  bar?.stop();
  return run;
}

function printRunSummary(run: SyncRun): void {
  printFields([
    ['Sync run', `${run.runId} ${run.status}`],
    ['Started', run.startedAt],
    ['Finished', run.finishedAt],
  ]);
  if (run.status === 'succeeded') {
    process.stdout.write('\n');
    printTable(['ADDED', 'REVISED', 'SUPERSEDED', 'EXPIRED', 'UNCHANGED'], [[run.added, run.revised, run.superseded, run.expired, run.unchanged]]);
    if (run.suites.length) {
      process.stdout.write('\n');
      printTable(['UPSTREAM', 'SUITE', 'PRODUCT', 'RESULT', 'UPDATES'], run.suites.map((s) => [s.upstream, s.suite, s.product, s.result, s.updates]));
    }
  }
}
