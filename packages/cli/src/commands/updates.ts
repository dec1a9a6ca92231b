import type { Command } from 'commander';
import type { UpdateDetail, UpdatePage } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';

export function registerUpdateCommands(program: Command): void {
  const updates = program.command('updates').description('browse the catalogue');

  updates
    .command('list')
    .description('updates matching every filter given, newest first')
    .option('--product <product>', 'e.g. "Debian 12"')
    .option('--classification <classification>', 'e.g. "Security Updates"')
    .option('--severity <severity>', 'Critical, Important, Moderate, Low, Unspecified')
    .option('--released-since <date>', 'e.g. 2026-11-01')
    .option('--superseded', 'only superseded updates')
    .option('--not-superseded', 'only updates that are not superseded')
    .option('--expired', 'only expired updates')
    .option('--not-expired', 'only updates that have not expired')
    .option('--text <text>', 'in title, description or advisory')
    .option('--advisory <id>', 'advisory id, e.g. DSA-6000-1')
    .option('--cve <id>', 'e.g. CVE-2026-12345')
    .option('--source <package>', 'Debian source package')
    .option('--suite <suite>', 'e.g. bookworm-security')
    .option('--sort <field>', 'releaseDate, -releaseDate, title, -title, product, classification, changeSeq, -changeSeq', '-releaseDate')
    .option('--page <n>', 'page number', '1')
    .option('--page-size <n>', 'updates per page (max 1000)', '50')
    .option('--json', 'JSON output (the whole page, with total)')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      if (o.superseded && o.notSuperseded) throw new CliError('--superseded and --not-superseded exclude each other', ExitCode.usage);
      if (o.expired && o.notExpired) throw new CliError('--expired and --not-expired exclude each other', ExitCode.usage);
      const page = await new ApiClient().get<UpdatePage>('/updates', {
        product: o.product as string,
        classification: o.classification as string,
        severity: o.severity as string,
        releasedSince: o.releasedSince as string,
        superseded: o.superseded ? true : o.notSuperseded ? false : undefined,
        expired: o.expired ? true : o.notExpired ? false : undefined,
        text: o.text as string,
        advisory: o.advisory as string,
        cve: o.cve as string,
        source: o.source as string,
        suite: o.suite as string,
        sort: o.sort as string,
        page: o.page as string,
        pageSize: o.pageSize as string,
      });
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
