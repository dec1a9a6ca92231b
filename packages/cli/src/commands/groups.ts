import type { Command } from 'commander';
import type { UpdateFilter, UpdateGroup, UpdateGroupChange, UpdateGroupDetail } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';
import { resolveCollection } from './collections.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The catalogue filter options `groups create|add|remove` and `updates list` share. */
export function filterOptions(command: Command): Command {
  return command
    .option('--product <product>', 'e.g. "Debian 12"')
    .option('--classification <classification>', 'e.g. "Security Updates"')
    .option('--severity <severity>', 'Critical, Important, Moderate, Low, Unspecified')
    .option('--released-since <date>', 'e.g. 2026-11-01')
    .option('--released-within-days <n>', 'released in the last N days')
    .option('--superseded', 'only superseded updates')
    .option('--not-superseded', 'only updates that are not superseded')
    .option('--text <text>', 'in title, description or advisory')
    .option('--advisory <id>', 'advisory id, e.g. DSA-6000-1')
    .option('--cve <id>', 'e.g. CVE-2026-12345')
    .option('--source <package>', 'Debian source package')
    .option('--suite <suite>', 'e.g. bookworm-security')
    .option('--vendor <vendor>', 'e.g. Debian')
    .option('--required-by-at-least <n>', 'required by at least N clients (their last reported state)')
    .option('--collection <collection>', 'count only the members of this collection (id or name) toward --required-by-at-least');
}

export interface FilterFlags {
  product?: string;
  classification?: string;
  severity?: string;
  releasedSince?: string;
  releasedWithinDays?: string;
  superseded?: boolean;
  notSuperseded?: boolean;
  expired?: boolean;
  notExpired?: boolean;
  text?: string;
  advisory?: string;
  cve?: string;
  source?: string;
  suite?: string;
  vendor?: string;
  requiredByAtLeast?: string;
  collection?: string;
}

function whole(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new CliError(`${option} is a whole number, not ${JSON.stringify(text)}`, ExitCode.usage);
  return n;
}

/** The filter the flags describe, or undefined when none was given. */
export async function filterFrom(api: ApiClient, o: FilterFlags): Promise<UpdateFilter | undefined> {
  if (o.superseded && o.notSuperseded) throw new CliError('--superseded and --not-superseded exclude each other', ExitCode.usage);
  if (o.expired && o.notExpired) throw new CliError('--expired and --not-expired exclude each other', ExitCode.usage);
  const filter: Record<string, unknown> = {
    product: o.product,
    classification: o.classification,
    severity: o.severity,
    releasedSince: o.releasedSince,
    releasedWithinDays: whole(o.releasedWithinDays, '--released-within-days'),
    superseded: o.superseded ? true : o.notSuperseded ? false : undefined,
    expired: o.expired ? true : o.notExpired ? false : undefined,
    text: o.text,
    advisory: o.advisory,
    cve: o.cve,
    source: o.source,
    suite: o.suite,
    vendor: o.vendor,
    requiredByAtLeast: whole(o.requiredByAtLeast, '--required-by-at-least'),
    collectionId: o.collection === undefined ? undefined : (await resolveCollection(api, o.collection)).collectionId,
  };
  for (const key of Object.keys(filter)) if (filter[key] === undefined) delete filter[key];
  return Object.keys(filter).length ? (filter as UpdateFilter) : undefined;
}

/** An update group given by id or by name (exact, then regardless of case). */
export async function resolveGroup(api: ApiClient, wanted: string): Promise<UpdateGroup> {
  const { groups } = await api.get<{ groups: UpdateGroup[] }>('/update-groups');
  const found =
    groups.find((g) => g.groupId.toLowerCase() === wanted.toLowerCase()) ?? groups.find((g) => g.name === wanted) ?? groups.find((g) => g.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`no update group ${wanted}`, ExitCode.notFound);
  return found;
}

const countsText = (g: UpdateGroup) =>
  [`${g.counts.updates} update${g.counts.updates === 1 ? '' : 's'}`, g.counts.expired ? `${g.counts.expired} expired` : '', g.counts.withoutContent ? `${g.counts.withoutContent} without content` : '']
    .filter(Boolean)
    .join(', ');

function changeText(verb: string, change: UpdateGroupChange): string {
  const parts = [
    verb === 'Removed' ? `${change.removed} removed` : `${change.added} added`,
    change.alreadyMembers ? `${change.alreadyMembers} already in it` : '',
    change.skippedExpired ? `${change.skippedExpired} expired skipped` : '',
    change.notMembers ? `${change.notMembers} not in it` : '',
  ].filter(Boolean);
  return `${verb === 'Created' ? `Created update group ${change.group.name} (${change.group.groupId})` : `Update group ${change.group.name}`}: ${parts.join(', ')}; now ${countsText(change.group)}\n`;
}

interface SelectionFlags extends FilterFlags {
  update: string[];
  json?: boolean;
}

async function selection(api: ApiClient, o: SelectionFlags, required: boolean): Promise<{ updateIds?: string[]; filter?: UpdateFilter }> {
  const filter = await filterFrom(api, o);
  if (required && !filter && o.update.length === 0) throw new CliError('name updates with --update, or give filter options (see --help)', ExitCode.usage);
  return { ...(o.update.length ? { updateIds: o.update } : {}), ...(filter ? { filter } : {}) };
}

const selectionOptions = (command: Command) => filterOptions(command.option('--update <updateId>', 'an update by id; repeatable', collect, [])).option('--json', 'JSON output');

export function registerGroupCommands(program: Command): void {
  const groups = program.command('groups').description('update groups: named sets of updates, the unit of deployment');

  groups
    .command('list')
    .description('every update group with its counts')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { groups: list } = await new ApiClient().get<{ groups: UpdateGroup[] }>('/update-groups');
      if (o.json) return printJson(list);
      printTable(
        ['GROUP ID', 'NAME', 'UPDATES', 'EXPIRED', 'WITHOUT CONTENT', 'DEPLOYMENTS'],
        list.map((g) => [g.groupId, g.name, g.counts.updates, g.counts.expired, g.counts.withoutContent, g.deployments]),
      );
    });

  groups
    .command('show <group>')
    .description('one group (id or name): counts and a page of its updates with their flags')
    .option('--flag <flag>', 'only updates that are expired, superseded or withoutContent')
    .option('--page <n>', 'page number', '1')
    .option('--page-size <n>', 'updates per page (max 1000)', '50')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { flag?: string; page: string; pageSize: string; json?: boolean }) => {
      const api = new ApiClient();
      const group = await resolveGroup(api, wanted);
      const detail = await api.get<UpdateGroupDetail>(`/update-groups/${group.groupId}`, { flag: o.flag, page: o.page, pageSize: o.pageSize });
      if (o.json) return printJson(detail);
      printFields([
        ['Update group', `${detail.name} (${detail.groupId})`],
        ['Description', detail.description || '-'],
        ['Updates', detail.counts.updates],
        ['Expired', detail.counts.expired],
        ['Superseded', detail.counts.superseded],
        ['Without content', detail.counts.withoutContent ? `${detail.counts.withoutContent} (their files are in no deployment package)` : 0],
        ['Deployments', detail.deployments],
        ['Created', `${detail.createdAt} by ${detail.createdBy}`],
        ['Updated', detail.updatedAt],
      ]);
      const m = detail.members;
      if (m.updates.length) {
        process.stdout.write('\n');
        printTable(
          ['UPDATE ID', 'TITLE', 'CLASSIFICATION', 'SEVERITY', 'RELEASED', 'PACKAGES', 'FLAGS'],
          m.updates.map((u) => [u.updateId, u.title, u.classification, u.severity, u.releaseDate.slice(0, 10), u.packages, [u.expired ? 'expired' : '', u.superseded ? 'superseded' : '', u.withoutContent ? 'NO CONTENT' : ''].filter(Boolean).join(' ')]),
          { maxWidth: 70 },
        );
      }
      const from = (m.page - 1) * m.pageSize + 1;
      process.stdout.write(m.updates.length ? `\n${from}–${from + m.updates.length - 1} of ${m.total} updates${m.flag ? ` (${m.flag})` : ''}\n` : `\nno updates on page ${m.page} (${m.total}${m.flag ? ` ${m.flag}` : ''})\n`);
    });

  selectionOptions(groups.command('create').description('create a group, from updates by id and/or a catalogue filter (expired matches are skipped)').requiredOption('--name <name>', 'its name (unique)').option('--description <text>', 'what it is for')).action(
    async (o: SelectionFlags & { name: string; description?: string }) => {
      const api = new ApiClient();
      const body = { name: o.name, ...(o.description !== undefined ? { description: o.description } : {}), ...(await selection(api, o, false)) };
      const change = await api.post<UpdateGroupChange>('/update-groups', body);
      if (o.json) return printJson(change);
      process.stdout.write(changeText('Created', change));
    },
  );

  selectionOptions(groups.command('add <group>').description('add updates by id and/or every update matching a filter')).action(async (wanted: string, o: SelectionFlags) => {
    const api = new ApiClient();
    const group = await resolveGroup(api, wanted);
    const change = await api.post<UpdateGroupChange>(`/update-groups/${group.groupId}/updates`, await selection(api, o, true));
    if (o.json) return printJson(change);
    process.stdout.write(changeText('Added', change));
  });

  selectionOptions(groups.command('remove <group>').description('remove updates by id and/or every member matching a filter').option('--expired', 'only expired updates (e.g. with no other filter: every expired member)').option('--not-expired', 'only updates that have not expired')).action(
    async (wanted: string, o: SelectionFlags) => {
      const api = new ApiClient();
      const group = await resolveGroup(api, wanted);
      const change = await api.request<UpdateGroupChange>('DELETE', `/update-groups/${group.groupId}/updates`, await selection(api, o, true));
      if (o.json) return printJson(change);
      process.stdout.write(changeText('Removed', change));
    },
  );

  groups
    .command('update <group>')
    .description('rename a group or change its description')
    .option('--name <name>', 'its new name')
    .option('--description <text>', 'its new description')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { name?: string; description?: string; json?: boolean }) => {
      if (o.name === undefined && o.description === undefined) throw new CliError('nothing to change: give --name or --description', ExitCode.usage);
      const api = new ApiClient();
      const group = await resolveGroup(api, wanted);
      const updated = await api.request<UpdateGroup>('PATCH', `/update-groups/${group.groupId}`, { name: o.name, description: o.description });
      if (o.json) return printJson(updated);
      process.stdout.write(`Updated update group ${updated.name} (${updated.groupId})\n`);
    });

  groups
    .command('delete <group>')
    .description('delete a group (refused while a deployment or an automatic deployment rule uses it)')
    .action(async (wanted: string) => {
      const api = new ApiClient();
      const group = await resolveGroup(api, wanted);
      await api.delete(`/update-groups/${group.groupId}`);
      process.stdout.write(`Deleted update group ${group.name} (${group.groupId})\n`);
    });
}
