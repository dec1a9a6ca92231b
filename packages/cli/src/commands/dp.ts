import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { DistributionPoint, DistributionPointWithCredential, DpPackageStatus, PackageDistribution } from '@patchday/core';
import { availableParallelism } from 'node:os';
import { DEFAULT_DP_POLL_SECONDS, DEFAULT_DP_PORT, isServingWorker, runDistributionPoint, runServingWorker } from '@patchday/server';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';
import { resolvePackage } from './packages.ts';

/** A distribution point given by id or by name (names are unique regardless of case). */
export async function resolveDp(api: ApiClient, wanted: string, all?: DistributionPoint[]): Promise<DistributionPoint> {
  const list = all ?? (await api.get<{ distributionPoints: DistributionPoint[] }>('/distribution-points')).distributionPoints;
  const found = list.find((d) => d.dpId.toLowerCase() === wanted.toLowerCase()) ?? list.find((d) => d.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`no distribution point ${wanted} (see patchday dp list)`, ExitCode.notFound);
  return found;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const progressText = (s: DpPackageStatus) => (s.bytesTotal === 0 ? '-' : `${mb(s.bytesDone)} / ${mb(s.bytesTotal)}`);
const versionText = (s: DpPackageStatus) => (s.contentVersion === s.packageContentVersion ? String(s.contentVersion) : `${s.contentVersion} (package: ${s.packageContentVersion})`);

function printStates(states: DpPackageStatus[], first: 'dp' | 'package'): void {
  printTable(
    [first === 'dp' ? 'DISTRIBUTION POINT' : 'PACKAGE', first === 'dp' ? 'PACKAGE' : 'DISTRIBUTION POINT', 'STATE', 'CONTENT VERSION', 'BYTES', 'UPDATED', 'ERROR'],
    states.map((s) => [first === 'dp' ? s.dpName : s.packageName, first === 'dp' ? s.packageName : s.dpName, s.state, versionText(s), progressText(s), s.updatedAt, s.error ?? '']),
    { maxWidth: 70 },
  );
}

function printAdded(dp: DistributionPointWithCredential, server: string): void {
  process.stdout.write(
    [
      `Added distribution point ${dp.name} (${dp.dpId}), position ${dp.sortOrder + 1} in clients' lists.`,
      `Its credential (shown once; the site keeps only a hash): ${dp.credential}`,
      'Start it on its machine with:',
      `  patchday dp --site ${server} --credential ${dp.credential} --data /var/lib/patchday-dp --host 0.0.0.0 --port ${new URL(dp.url!).port || DEFAULT_DP_PORT}`,
      '',
    ].join('\n'),
  );
}

/** Polls a package's distribution until every named distribution point holds it or failed, with a bar each. */
async function follow(api: ApiClient, packageId: string, dpIds: string[], showProgress: boolean): Promise<PackageDistribution> {
  const bars = showProgress
    ? new cliProgress.MultiBar({ format: '{name} [{bar}] {state}  {done} / {total}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  const handles = new Map<string, cliProgress.SingleBar>();
  for (;;) {
    const now = await api.get<PackageDistribution>(`/packages/${packageId}/distribution`);
    const mine = now.distributionPoints.filter((s) => dpIds.includes(s.dpId));
    for (const s of mine) {
      const payload = { name: s.dpName.padEnd(20).slice(0, 20), state: s.state, done: mb(s.bytesDone), total: mb(s.bytesTotal) };
      const bar = handles.get(s.dpId) ?? bars?.create(Math.max(s.bytesTotal, 1), 0, payload);
      if (bar) handles.set(s.dpId, bar);
      bar?.setTotal(Math.max(s.bytesTotal, 1));
      bar?.update(s.bytesDone, payload);
    }
    if (mine.every((s) => s.state === 'installed' || s.state === 'failed')) {
      bars?.stop();
      return now;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

interface RunOptions {
  site?: string;
  credential?: string;
  credentialFile?: string;
  data: string;
  port: string;
  host: string;
  pollSeconds: string;
  workers: string;
}

async function runDp(o: RunOptions): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, not ${o.port}`, ExitCode.usage);
  const pollSeconds = Number(o.pollSeconds);
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1 || pollSeconds > 86_400) throw new CliError(`--poll-seconds is a whole number from 1 to 86400, not ${o.pollSeconds}`, ExitCode.usage);
  const workers = Number(o.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new CliError(`--workers is a whole number from 0 to 64, not ${o.workers}`, ExitCode.usage);
  // `patchday dp` started again by itself as one of its serving workers (see --workers).
  if (isServingWorker()) return runServingWorker({ dataDir: o.data, host: o.host, port });
  let credential = o.credential;
  if (o.credentialFile) {
    try {
      credential = readFileSync(o.credentialFile, 'utf8').trim();
    } catch (error) {
      throw new CliError(`cannot read the credential file ${o.credentialFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.usage);
    }
  }
  let dp;
  try {
    dp = await runDistributionPoint({ dataDir: o.data, site: o.site, credential, port, host: o.host, pollSeconds, workers });
  } catch (error) {
    throw new CliError(`the distribution point did not start: ${(error as Error).message}`, ExitCode.failed);
  }
  process.stdout.write(`Patchday distribution point listening on ${dp.url}, holding content for ${dp.site} (data: ${o.data})\n`);
  const stop = async (signal: string) => {
    process.stdout.write(`${signal}: stopping the distribution point\n`);
    await dp.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

export function registerDpCommands(program: Command): void {
  const dp = program
    .command('dp')
    .description('distribution points: run one (patchday dp --site URL --credential C --data DIR), or manage them on the site (list, add, distribute, status, …)')
    .option('--site <url>', 'run: the site this distribution point holds content for (remembered in --data)', process.env.PATCHDAY_SERVER)
    .option('--credential <credential>', 'run: its credential from `patchday dp add` (remembered in --data)', process.env.PATCHDAY_DP_CREDENTIAL)
    .option('--credential-file <file>', 'run: read the credential from this file instead')
    .option('--data <dir>', 'run: its content library, partial downloads and identity', process.env.PATCHDAY_DP_DATA || './patchday-dp')
    .option('--port <port>', 'run: HTTP port agents fetch content from', String(DEFAULT_DP_PORT))
    .option('--host <address>', 'run: address to listen on', '127.0.0.1')
    .option('--poll-seconds <n>', 'run: how often to ask the site what to hold', String(DEFAULT_DP_POLL_SECONDS))
    .option('--workers <n>', 'run: processes serving content, sharing the port (0: serve from the syncing process)', String(availableParallelism()))
    .enablePositionalOptions()
    .action(runDp);

  dp.command('list')
    .description('every distribution point, in the order agents try them, with its packages per state')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { distributionPoints } = await new ApiClient().get<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
      if (o.json) return printJson(distributionPoints);
      printTable(
        ['ORDER', 'NAME', 'KIND', 'CONTENT URL', 'ENABLED', 'INSTALLED', 'IN PROGRESS', 'PENDING', 'FAILED', 'LAST SEEN', 'ID'],
        distributionPoints.map((d) => [d.sortOrder + 1, d.name, d.kind, d.contentUrl, d.enabled ? 'yes' : 'no', d.summary.installed, d.summary['in-progress'], d.summary.pending, d.summary.failed, d.kind === 'site' ? '-' : (d.lastSeenAt ?? 'never'), d.dpId]),
        { maxWidth: 70 },
      );
    });

  dp.command('add')
    .description('register a remote distribution point; prints its one-time credential and how to start it')
    .requiredOption('--name <name>', 'its name (unique)')
    .requiredOption('--url <url>', 'where agents reach it, e.g. http://dp1.branch.example:8540')
    .option('--json', 'JSON output (with the credential)')
    .action(async (o: { name: string; url: string; json?: boolean }) => {
      const api = new ApiClient();
      const added = await api.post<DistributionPointWithCredential>('/distribution-points', { name: o.name, url: o.url });
      if (o.json) return printJson(added);
      printAdded(added, api.server);
    });

  dp.command('update <dp>')
    .description('rename a distribution point or change its URL')
    .option('--name <name>', 'its new name')
    .option('--url <url>', 'its new URL (remote only)')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { name?: string; url?: string; json?: boolean }) => {
      if (o.name === undefined && o.url === undefined) throw new CliError('nothing to change: give --name or --url', ExitCode.usage);
      const api = new ApiClient();
      const target = await resolveDp(api, wanted);
      const updated = await api.request<DistributionPoint>('PATCH', `/distribution-points/${target.dpId}`, { name: o.name, url: o.url });
      if (o.json) return printJson(updated);
      process.stdout.write(`Updated distribution point ${updated.name} (${updated.dpId}): content at ${updated.contentUrl}\n`);
    });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    dp.command(`${verb} <dp>`)
      .description(enabled ? 'put a distribution point back into clients\' policy' : 'leave a distribution point out of clients\' policy (it keeps its content)')
      .action(async (wanted: string) => {
        const api = new ApiClient();
        const target = await resolveDp(api, wanted);
        await api.request('PATCH', `/distribution-points/${target.dpId}`, { enabled });
        process.stdout.write(`${enabled ? 'Enabled' : 'Disabled'} distribution point ${target.name}\n`);
      });
  }

  dp.command('remove <dp>')
    .description('remove a remote distribution point (its credential stops working)')
    .action(async (wanted: string) => {
      const api = new ApiClient();
      const target = await resolveDp(api, wanted);
      await api.delete(`/distribution-points/${target.dpId}`);
      process.stdout.write(`Removed distribution point ${target.name} (${target.dpId})\n`);
    });

  dp.command('order <dps...>')
    .description('the order agents try distribution points in: those named first, in this order, the others after')
    .option('--json', 'JSON output')
    .action(async (wanted: string[], o: { json?: boolean }) => {
      const api = new ApiClient();
      const { distributionPoints: all } = await api.get<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
      const dpIds = await Promise.all(wanted.map(async (w) => (await resolveDp(api, w, all)).dpId));
      const { distributionPoints } = await api.put<{ distributionPoints: DistributionPoint[] }>('/distribution-points/order', { dpIds });
      if (o.json) return printJson(distributionPoints);
      printTable(['ORDER', 'NAME', 'CONTENT URL', 'ENABLED'], distributionPoints.map((d) => [d.sortOrder + 1, d.name, d.contentUrl, d.enabled ? 'yes' : 'no']), { maxWidth: 70 });
    });

  dp.command('credential <dp>')
    .description('give a remote distribution point a new credential (the old one stops working)')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const target = await resolveDp(api, wanted);
      const renewed = await api.post<DistributionPointWithCredential>(`/distribution-points/${target.dpId}/credential`, {});
      if (o.json) return printJson(renewed);
      printAdded(renewed, api.server);
    });

  dp.command('status [dp]')
    .description('how far each distribution point (or one) has got with each package; with --package, one package everywhere')
    .option('--package <package>', 'one deployment package (id or name)')
    .option('--json', 'JSON output')
    .action(async (wanted: string | undefined, o: { package?: string; json?: boolean }) => {
      const api = new ApiClient();
      if (o.package) {
        const pkg = await resolvePackage(api, o.package);
        const distribution = await api.get<PackageDistribution>(`/packages/${pkg.packageId}/distribution`);
        const only = wanted ? (await resolveDp(api, wanted)).dpId : null;
        const states = distribution.distributionPoints.filter((s) => only === null || s.dpId === only);
        if (o.json) return printJson({ ...distribution, distributionPoints: states });
        printFields([
          ['Package', `${distribution.name} (${distribution.packageId})`],
          ['Content version', distribution.contentVersion],
          ['Size', mb(distribution.bytesTotal)],
        ]);
        process.stdout.write('\n');
        return printStates(states, 'package');
      }
      const points = wanted ? [await api.get<DistributionPoint>(`/distribution-points/${(await resolveDp(api, wanted)).dpId}`)] : (await api.get<{ distributionPoints: DistributionPoint[] }>('/distribution-points')).distributionPoints;
      if (o.json) return printJson(wanted ? points[0] : points);
      const states = points.flatMap((d) => d.packages);
      if (states.length === 0) return void process.stdout.write(`no package has been sent to ${wanted ? points[0].name : 'any distribution point'}\n`);
      printStates(states, 'dp');
    });

  dp.command('distribute <package> <dps...>')
    .description('send a deployment package (id or name) to distribution points (ids or names); again to retry a failed one')
    .option('--wait', 'follow the distribution until every one holds the package or failed (progress bars)')
    .option('--json', 'JSON output')
    .action(async (wantedPackage: string, wanted: string[], o: { wait?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wantedPackage);
      const { distributionPoints: all } = await api.get<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
      const dpIds = await Promise.all(wanted.map(async (w) => (await resolveDp(api, w, all)).dpId));
      let distribution = await api.post<PackageDistribution>(`/packages/${pkg.packageId}/distribute`, { dpIds });
      if (o.wait) distribution = await follow(api, pkg.packageId, dpIds, !o.json && process.stderr.isTTY === true);
      const states = distribution.distributionPoints.filter((s) => dpIds.includes(s.dpId));
      if (o.json) return printJson({ ...distribution, distributionPoints: states });
      process.stdout.write(`Sent ${distribution.name} (content version ${distribution.contentVersion}, ${mb(distribution.bytesTotal)}) to ${states.length} distribution point${states.length === 1 ? '' : 's'}\n\n`);
      printStates(states, 'package');
      if (states.some((s) => s.state === 'failed')) process.exitCode = ExitCode.failed;
    });

  dp.command('undistribute <package> <dp>')
    .description('take a deployment package off a distribution point (it deletes files no other package there needs)')
    .action(async (wantedPackage: string, wanted: string) => {
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wantedPackage);
      const target = await resolveDp(api, wanted);
      await api.delete(`/packages/${pkg.packageId}/distribution/${target.dpId}`);
      process.stdout.write(`Took ${pkg.name} off distribution point ${target.name}\n`);
    });
}
