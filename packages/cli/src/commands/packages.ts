import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { ContentDownloadStarted, ContentJob, ContentRemoval, DeploymentPackage, DeploymentPackageDetail, PackageDeletion } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';
import { resolveGroup } from './groups.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** 1536 → "1.5 KiB". */
export function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A deployment package given by id or by name (exact, then regardless of case). */
export async function resolvePackage(api: ApiClient, wanted: string): Promise<DeploymentPackage> {
  const { packages } = await api.get<{ packages: DeploymentPackage[] }>('/packages');
  const found =
    packages.find((p) => p.packageId.toLowerCase() === wanted.toLowerCase()) ?? packages.find((p) => p.name === wanted) ?? packages.find((p) => p.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`no deployment package ${wanted}`, ExitCode.notFound);
  return found;
}

const jobText = (job: ContentJob | null) => (job === null ? '-' : job.state === 'running' ? `running ${job.files.stored + job.files.failed}/${job.files.total}` : `${job.state} ${job.finishedAt ?? ''}`.trim());

/** Polls the package until its download ends, drawing a progress bar (bytes) on a terminal. */
export async function followDownload(api: ApiClient, packageId: string, showProgress: boolean): Promise<DeploymentPackageDetail> {
  const bar = showProgress
    ? new cliProgress.SingleBar(
        { format: 'download [{bar}] {percentage}% {done} of {size}  {files}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let pkg = await api.get<DeploymentPackageDetail>(`/packages/${packageId}`);
  const draw = (job: ContentJob) => {
    const payload = { done: bytesText(job.bytes.done), size: bytesText(job.bytes.total), files: `${job.files.stored}/${job.files.total} files${job.files.failed ? `, ${job.files.failed} failed` : ''}` };
    bar?.setTotal(Math.max(job.bytes.total, 1));
    bar?.update(job.bytes.done, payload);
  };
  if (pkg.job) {
    bar?.start(Math.max(pkg.job.bytes.total, 1), 0, { done: '0 B', size: bytesText(pkg.job.bytes.total), files: '' });
    draw(pkg.job);
  }
  while (pkg.job?.state === 'running') {
    await new Promise((r) => setTimeout(r, 250));
    pkg = await api.get<DeploymentPackageDetail>(`/packages/${packageId}`);
    if (pkg.job) draw(pkg.job);
  }
  bar?.stop();
  return pkg;
}

function printPackage(p: DeploymentPackageDetail): void {
  printFields([
    ['Deployment package', `${p.name} (${p.packageId})`],
    ['Description', p.description || '-'],
    ['Content version', p.contentVersion],
    ['Source folder', p.sourceFolder],
    ['Updates', `${p.updates.total} (${p.updates.complete} with every file stored)`],
    ['Files', `${p.files.stored} stored, ${p.files.pending} pending, ${p.files.failed} failed, of ${p.files.total}`],
    ['Size', `${bytesText(p.bytes.stored)} stored of ${bytesText(p.bytes.total)}`],
    ['Download', jobText(p.job)],
    ['Created', `${p.createdAt} by ${p.createdBy}`],
    ['Updated', p.updatedAt],
  ]);
  if (p.content.updates.length) {
    process.stdout.write('\n');
    printTable(
      ['UPDATE ID', 'TITLE', 'FILES', 'STORED', 'FAILED', 'SIZE', 'EXPIRED'],
      p.content.updates.map((u) => [u.updateId, u.title, u.files.total, u.files.stored, u.files.failed, bytesText(u.bytes), u.expired ? 'yes' : '']),
      { maxWidth: 70 },
    );
    const from = (p.content.page - 1) * p.content.pageSize + 1;
    process.stdout.write(`\n${from}–${from + p.content.updates.length - 1} of ${p.content.total} updates\n`);
  }
  const failures = p.content.updates.flatMap((u) => u.failures);
  if (failures.length) {
    process.stdout.write('\nFailed files\n');
    printTable(['UPDATE ID', 'FILE', 'ERROR'], failures.map((f) => [f.updateId, f.fileName, f.error]), { maxWidth: 160 });
  }
}

export function registerPackageCommands(program: Command): void {
  const packages = program.command('packages').description('deployment packages: update files with a content version, verified into the content library');

  packages
    .command('list')
    .description('every deployment package with its content version and files')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { packages: list } = await new ApiClient().get<{ packages: DeploymentPackage[] }>('/packages');
      if (o.json) return printJson(list);
      printTable(
        ['PACKAGE ID', 'NAME', 'VERSION', 'UPDATES', 'FILES', 'FAILED', 'SIZE', 'DOWNLOAD'],
        list.map((p) => [p.packageId, p.name, p.contentVersion, p.updates.total, `${p.files.stored}/${p.files.total}`, p.files.failed, bytesText(p.bytes.stored), jobText(p.job)]),
      );
    });

  packages
    .command('show <package>')
    .description('one package (id or name): content version, source folder, its updates and failed files')
    .option('--page <n>', 'page number', '1')
    .option('--page-size <n>', 'updates per page (max 1000)', '50')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { page: string; pageSize: string; json?: boolean }) => {
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wanted);
      const detail = await api.get<DeploymentPackageDetail>(`/packages/${pkg.packageId}`, { page: o.page, pageSize: o.pageSize });
      if (o.json) return printJson(detail);
      printPackage(detail);
    });

  packages
    .command('create')
    .description('create a package (content version 1) with its own, empty source folder')
    .requiredOption('--name <name>', 'its name (unique)')
    .option('--description <text>', 'what it is for')
    .option('--source-folder <path>', 'absolute path of its source folder, empty or not yet there (default <data dir>/package-sources/<id>)')
    .option('--json', 'JSON output')
    .action(async (o: { name: string; description?: string; sourceFolder?: string; json?: boolean }) => {
      const created = await new ApiClient().post<DeploymentPackage>('/packages', { name: o.name, description: o.description, sourceFolder: o.sourceFolder });
      if (o.json) return printJson(created);
      process.stdout.write(`Created deployment package ${created.name} (${created.packageId}), content version ${created.contentVersion}, source folder ${created.sourceFolder}\n`);
    });

  packages
    .command('update <package>')
    .description('rename a package or change its description')
    .option('--name <name>', 'its new name')
    .option('--description <text>', 'its new description')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { name?: string; description?: string; json?: boolean }) => {
      if (o.name === undefined && o.description === undefined) throw new CliError('nothing to change: give --name or --description', ExitCode.usage);
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wanted);
      const updated = await api.request<DeploymentPackage>('PATCH', `/packages/${pkg.packageId}`, { name: o.name, description: o.description });
      if (o.json) return printJson(updated);
      process.stdout.write(`Updated deployment package ${updated.name} (${updated.packageId})\n`);
    });

  packages
    .command('download <package>')
    .description("download the files of updates (or of a group's updates) into the package, verified into the content library")
    .option('--update <updateId>', 'an update by id; repeatable', collect, [])
    .option('--group <group>', "the group's updates that have not expired (id or name)")
    .option('--from-folder <path>', 'take the files from this folder on the site (matched by file name) instead of the upstream')
    .option('--no-wait', 'start the download and return; `packages show` follows it')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { update: string[]; group?: string; fromFolder?: string; wait: boolean; json?: boolean }) => {
      if ((o.update.length > 0) === (o.group !== undefined)) throw new CliError('give either --update (repeatable) or --group', ExitCode.usage);
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wanted);
      const body = {
        ...(o.group !== undefined ? { groupId: (await resolveGroup(api, o.group)).groupId } : { updateIds: o.update }),
        from: o.fromFolder === undefined ? 'upstream' : { folder: o.fromFolder },
      };
      const started = await api.post<ContentDownloadStarted>(`/packages/${pkg.packageId}/content`, body);
      if (!o.wait) {
        if (o.json) return printJson(started);
        process.stdout.write(`Downloading ${started.queued} file${started.queued === 1 ? '' : 's'} into ${pkg.name} (${started.alreadyStored} already stored${started.skippedExpired ? `, ${started.skippedExpired} expired updates skipped` : ''}); follow it with: patchday packages show ${pkg.packageId}\n`);
        return;
      }
      const done = await followDownload(api, pkg.packageId, !o.json && process.stderr.isTTY === true);
      const job = done.job!;
      if (o.json) printJson(done);
      else {
        printFields([
          ['Deployment package', `${done.name} (${done.packageId})`],
          ['Download', `${job.state} from ${job.from}`],
          ['Files', `${job.files.stored} stored, ${job.files.failed} failed, of ${job.files.total} (${started.alreadyStored} were stored already)`],
          ['Bytes', `${bytesText(job.bytes.done)} of ${bytesText(job.bytes.total)}`],
          ['Content version', done.contentVersion],
        ]);
        if (job.failures.length) {
          process.stdout.write('\n');
          printTable(['UPDATE ID', 'FILE', 'ERROR'], job.failures.map((f) => [f.updateId, f.fileName, f.error]), { maxWidth: 160 });
        }
      }
      if (job.state !== 'succeeded') throw new CliError(job.error ?? `${job.files.failed} file${job.files.failed === 1 ? '' : 's'} could not be stored (see above)`, ExitCode.failed);
    });

  packages
    .command('remove-content <package>')
    .description("take updates' files out of the package (library files no other package holds are removed)")
    .option('--update <updateId>', 'an update by id; repeatable', collect, [])
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { update: string[]; json?: boolean }) => {
      if (o.update.length === 0) throw new CliError('name the updates with --update (repeatable)', ExitCode.usage);
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wanted);
      const removed = await api.request<ContentRemoval>('DELETE', `/packages/${pkg.packageId}/content`, { updateIds: o.update });
      if (o.json) return printJson(removed);
      process.stdout.write(`Removed ${removed.removedFiles} file${removed.removedFiles === 1 ? '' : 's'} from ${pkg.name}, content version ${removed.package.contentVersion} (${removed.releasedFiles} left the content library)\n`);
    });

  packages
    .command('delete <package>')
    .description('delete a package and its source folder; files another package holds stay in the library')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const pkg = await resolvePackage(api, wanted);
      const deleted = await api.delete<PackageDeletion>(`/packages/${pkg.packageId}`);
      if (o.json) return printJson(deleted);
      process.stdout.write(`Deleted deployment package ${pkg.name} (${pkg.packageId}): ${deleted.releasedFiles} file${deleted.releasedFiles === 1 ? '' : 's'} left the content library, ${deleted.keptFiles} kept for other packages\n`);
    });
}
