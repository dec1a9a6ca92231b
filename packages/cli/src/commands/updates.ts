import type { Command } from 'commander';
import type { UpdateDetail, UpdatePage } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printFields, printJson, printTable } from '../output.ts';
import { filterFrom, filterOptions, type FilterFlags } from './groups.ts';

export function registerUpdateCommands(program: Command): void {
  const updates = program.command('updates').description('browse the catalogue');

  filterOptions(updates.command('list').description('updates matching every filter given, newest first'))
    .option('--expired', 'only expired updates')
    .option('--not-expired', 'only updates that have not expired')
    .option('--sort <field>', 'releaseDate, -releaseDate, title, -title, product, classification, changeSeq, -changeSeq', '-releaseDate')
    .option('--page <n>', 'page number', '1')
    .option('--page-size <n>', 'updates per page (max 1000)', '50')
    .option('--json', 'JSON output (the whole page, with total)')
    .action(async (o: FilterFlags & { sort: string; page: string; pageSize: string; json?: boolean }) => {
      const api = new ApiClient();
      const filter = await filterFrom(api, o);
      const page = await api.get<UpdatePage>('/updates', { ...filter, sort: o.sort, page: o.page, pageSize: o.pageSize });
      if (o.json) return printJson(page);
      printTable(
        ['UPDATE ID', 'TITLE', 'CLASSIFICATION', 'SEVERITY', 'RELEASED', 'REV', 'STATE'],
        page.updates.map((u) => [u.updateId, u.title, u.classification, u.severity, u.releaseDate.slice(0, 10), u.revision, u.expired ? 'expired' : u.superseded ? 'superseded' : '']),
        { maxWidth: 70 },
      );
      const from = (page.page - 1) * page.pageSize + 1;
      process.stdout.write(page.updates.length ? `\n${from}–${from + page.updates.length - 1} of ${page.total} updates (page ${page.page})\n` : `\nno updates on page ${page.page} (${page.total} match)\n`);
    });

  updates
    .command('show <updateId>')
    .description('all metadata of an update: binaries with versions and hashes, supersedence, revisions')
    .option('--json', 'JSON output')
    .action(async (updateId: string, o: { json?: boolean }) => {
      const u = await new ApiClient().get<UpdateDetail>(`/updates/${encodeURIComponent(updateId)}`);
      if (o.json) return printJson(u);
      printFields([
        ['Update ID', u.updateId],
        ['Revision', u.revision],
        ['Title', u.title],
        ['Description', u.description],
        ['Vendor', u.vendor],
        ['Product', u.product],
        ['Suite', `${u.suite} (upstream ${u.upstream})`],
        ['Source', `${u.source} ${u.version}`],
        ['Classification', u.classification],
        ['Severity', u.severity],
        ['Released', u.releaseDate],
        ['Advisory', u.advisoryId ?? '-'],
        ['CVEs', u.cveIds.length ? u.cveIds : '-'],
        ['References', u.referenceUrls],
        ['Language', u.language],
        ['Reboot', u.rebootBehaviour],
        ['EULA', u.eula ? 'yes' : 'no'],
        ['Published', u.present ? 'yes' : 'no (dropped by the upstream; kept as history)'],
        ['Superseded', u.superseded ? `yes${u.supersededByUpdate ? ` by ${u.supersededByUpdate.title} (${u.supersededByUpdate.updateId})` : ''} since ${u.supersededAt}` : 'no'],
        ['Expired', u.expired ? 'yes' : 'no'],
        ['Supersedes', u.supersedes.length ? u.supersedes.map((s) => `${s.title} (${s.updateId})`) : '-'],
      ]);
      process.stdout.write('\nBinaries\n');
      printTable(['PACKAGE', 'VERSION', 'ARCH', 'SIZE', 'SHA256', 'FILE'], u.binaries.map((b) => [b.package, b.version, b.architecture, b.size, b.sha256, b.filename]), { maxWidth: 100 });
      process.stdout.write('\nRevisions\n');
      printTable(['REVISION', 'AT', 'CATALOGUE SEQ', 'CHANGES'], u.revisions.map((r) => [r.revision, r.at, r.changeSeq, r.changes.join(', ')]));
    });
}
