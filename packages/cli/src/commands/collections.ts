import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Client, ClientCollections, Collection, CollectionMembers, CollectionQueryRule, EffectiveClientSettings } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** A collection given by id or by name (exact, then regardless of case). */
export async function resolveCollection(api: ApiClient, wanted: string, all?: Collection[]): Promise<Collection> {
  const list = all ?? (await api.get<{ collections: Collection[] }>('/collections')).collections;
  const byId = list.find((c) => c.collectionId.toLowerCase() === wanted.toLowerCase());
  if (byId) return byId;
  const exact = list.find((c) => c.name === wanted) ?? list.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (!exact) throw new CliError(`no collection ${wanted}`, ExitCode.notFound);
  return exact;
}

/** A client given by id or by name (several clients may share a name: then the id is needed). */
export async function resolveClient(api: ApiClient, wanted: string, all?: Client[]): Promise<Client> {
  const list = all ?? (await api.get<{ clients: Client[] }>('/clients')).clients;
  const matches = list.filter((c) => c.clientId.toLowerCase() === wanted.toLowerCase() || c.name === wanted);
  if (matches.length === 0) throw new CliError(`no client ${wanted}`, ExitCode.notFound);
  if (matches.length > 1) throw new CliError(`${matches.length} clients are named ${wanted}: use the client id (${matches.map((c) => c.clientId).join(', ')})`, ExitCode.usage);
  return matches[0];
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`, ExitCode.usage);
  }
}

/**
 * Query rules from `--rule JSON` and `--rule-file F` (each repeatable). Each value is a rule
 * (`{"dpkg": {"package": "openssl"}}`, named "rule N"), a named rule `{"name", "rule"}`, or a list of either.
 */
function queryRulesFrom(rules: string[], files: string[]): CollectionQueryRule[] {
  const values: Array<{ value: unknown; what: string }> = [
    ...rules.map((r, i) => ({ value: parseJson(r, `--rule #${i + 1}`), what: `--rule #${i + 1}` })),
    ...files.map((f) => {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read the rule file ${f}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.usage);
      }
      return { value: parseJson(text, `rule file ${f}`), what: f };
    }),
  ];
  const out: CollectionQueryRule[] = [];
  for (const { value } of values) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const named = typeof item === 'object' && item !== null && 'rule' in item && 'name' in item;
      out.push(named ? (item as CollectionQueryRule) : { name: `rule ${out.length + 1}`, rule: item as CollectionQueryRule['rule'] });
    }
  }
  return out;
}

function settingsFrom(text: string): Record<string, unknown> {
  const value = parseJson(text, '--settings');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--settings is a JSON object such as {"scanScheduleDays": 1}', ExitCode.usage);
  return value as Record<string, unknown>;
}

function priorityFrom(text: string): number | null {
  if (text === 'none') return null;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new CliError(`--priority is a whole number (1 is the highest) or "none", not ${JSON.stringify(text)}`, ExitCode.usage);
  return n;
}

const settingsText = (c: Collection) => Object.entries(c.clientSettings).map(([k, v]) => `${k}=${v}`).join(', ');

function printCollection(c: Collection, all: Collection[]): void {
  const nameOf = (id: string | null) => (id === null ? '-' : `${all.find((x) => x.collectionId === id)?.name ?? '?'} (${id})`);
  printFields([
    ['Collection', `${c.name} (${c.collectionId})`],
    ['Description', c.description || '-'],
    ['Built in', c.builtIn ? 'yes (holds every active client)' : 'no'],
    ['Limited to', nameOf(c.limitingCollectionId)],
    ['Includes', c.includeCollectionIds.length ? c.includeCollectionIds.map(nameOf) : '-'],
    ['Excludes', c.excludeCollectionIds.length ? c.excludeCollectionIds.map(nameOf) : '-'],
    ['Members', c.memberCount],
    ['Direct rules', c.directMemberCount],
    ['Settings', settingsText(c) || '-'],
    ['Priority', c.settingsPriority ?? '-'],
    ['Created', c.createdAt],
    ['Updated', c.updatedAt],
  ]);
  if (c.queryRules.length) {
    process.stdout.write('\n');
    printTable(['QUERY RULE', 'RULE'], c.queryRules.map((q) => [q.name, JSON.stringify(q.rule)]), { maxWidth: 100 });
  }
}

interface DefinitionOptions {
  name?: string;
  description?: string;
  limit?: string;
  rule: string[];
  ruleFile: string[];
  include: string[];
  exclude: string[];
  settings?: string;
  priority?: string;
  json?: boolean;
}

/** The request body for create/update from the command line (names resolved to ids). */
async function definitionBody(api: ApiClient, o: DefinitionOptions & { clearRules?: boolean; clearIncludes?: boolean; clearExcludes?: boolean; clearSettings?: boolean }, all: Collection[]): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (o.name !== undefined) body.name = o.name;
  if (o.description !== undefined) body.description = o.description;
  if (o.limit !== undefined) body.limitingCollectionId = (await resolveCollection(api, o.limit, all)).collectionId;
  if (o.rule.length || o.ruleFile.length) body.queryRules = queryRulesFrom(o.rule, o.ruleFile);
  else if (o.clearRules) body.queryRules = [];
  if (o.include.length) body.includeCollectionIds = await Promise.all(o.include.map(async (c) => (await resolveCollection(api, c, all)).collectionId));
  else if (o.clearIncludes) body.includeCollectionIds = [];
  if (o.exclude.length) body.excludeCollectionIds = await Promise.all(o.exclude.map(async (c) => (await resolveCollection(api, c, all)).collectionId));
  else if (o.clearExcludes) body.excludeCollectionIds = [];
  if (o.settings !== undefined) body.clientSettings = settingsFrom(o.settings);
  else if (o.clearSettings) body.clientSettings = {};
  if (o.priority !== undefined) body.settingsPriority = priorityFrom(o.priority);
  return body;
}

function definitionOptions(command: Command): Command {
  return command
    .option('--description <text>', 'what the collection is for')
    .option('--limit <collection>', 'limiting collection (id or name): members are always members of it too (default for create: All Systems)')
    .option('--rule <json>', 'a query rule (an applicability rule, or {"name", "rule"}, or a list); repeatable', collect, [])
    .option('--rule-file <file>', 'query rules from a JSON file (same forms as --rule); repeatable', collect, [])
    .option('--include <collection>', 'include the members of this collection (id or name); repeatable', collect, [])
    .option('--exclude <collection>', 'exclude the members of this collection (id or name); repeatable', collect, [])
    .option('--settings <json>', 'client settings the members get, e.g. {"scanScheduleDays": 1, "policyPollingMinutes": 30}')
    .option('--priority <n>', 'settings priority: where collections disagree, the lowest number wins ("none" to clear)')
    .option('--json', 'print the collection as JSON');
}

export function registerCollectionCommands(program: Command): void {
  const collections = program.command('collections').description('sets of clients: direct members, query rules, include/exclude, limiting collection; client settings');

  collections
    .command('list')
    .description('every collection with its member count')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { collections: list } = await new ApiClient().get<{ collections: Collection[] }>('/collections');
      if (o.json) return printJson(list);
      const nameOf = (id: string | null) => (id === null ? '-' : list.find((c) => c.collectionId === id)?.name ?? id);
      printTable(
        ['COLLECTION ID', 'NAME', 'MEMBERS', 'DIRECT', 'RULES', 'LIMITED TO', 'PRIORITY', 'SETTINGS'],
        list.map((c) => [c.collectionId, c.name, c.memberCount, c.directMemberCount, c.queryRules.length, nameOf(c.limitingCollectionId), c.settingsPriority ?? '-', settingsText(c) || '-']),
      );
    });

  collections
    .command('show <collection>')
    .description('one collection (id or name): definition, rules, settings, counts')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const { collections: all } = await api.get<{ collections: Collection[] }>('/collections');
      const c = await resolveCollection(api, wanted, all);
      if (o.json) return printJson(c);
      printCollection(c, all);
    });

  definitionOptions(collections.command('create').description('create a collection').requiredOption('--name <name>', 'its name (unique)')).action(async (o: DefinitionOptions) => {
    const api = new ApiClient();
    const { collections: all } = await api.get<{ collections: Collection[] }>('/collections');
    const created = await api.post<Collection>('/collections', await definitionBody(api, o, all));
    if (o.json) return printJson(created);
    process.stdout.write(`Created collection ${created.name} (${created.collectionId}): ${created.memberCount} member${created.memberCount === 1 ? '' : 's'}\n`);
  });

  definitionOptions(
    collections
      .command('update <collection>')
      .description('change a collection: each option given replaces that part (--rule replaces every query rule)')
      .option('--name <name>', 'rename it')
      .option('--clear-rules', 'remove every query rule')
      .option('--clear-includes', 'include no collection')
      .option('--clear-excludes', 'exclude no collection')
      .option('--clear-settings', 'assign no client settings (the priority goes too)'),
  ).action(async (wanted: string, o: DefinitionOptions & { clearRules?: boolean; clearIncludes?: boolean; clearExcludes?: boolean; clearSettings?: boolean }) => {
    const api = new ApiClient();
    const { collections: all } = await api.get<{ collections: Collection[] }>('/collections');
    const c = await resolveCollection(api, wanted, all);
    const body = await definitionBody(api, o, all);
    if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option (see patchday collections update --help)', ExitCode.usage);
    const updated = await api.request<Collection>('PATCH', `/collections/${c.collectionId}`, body);
    if (o.json) return printJson(updated);
    process.stdout.write(`Updated collection ${updated.name} (${updated.collectionId}): ${updated.memberCount} member${updated.memberCount === 1 ? '' : 's'}\n`);
  });

  collections
    .command('delete <collection>')
    .description('delete a collection (refused while another collection limits by, includes or excludes it)')
    .action(async (wanted: string) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      await api.delete(`/collections/${c.collectionId}`);
      process.stdout.write(`Deleted collection ${c.name} (${c.collectionId})\n`);
    });

  collections
    .command('members <collection>')
    .description("a collection's members (or, with --direct, its direct-membership rules)")
    .option('--direct', 'list the direct-membership rules, and whether each client is a member now')
    .option('--limit <n>', 'at most this many (max 1000)', '100')
    .option('--offset <n>', 'skip this many first', '0')
    .option('--json', 'JSON output (the page, with total)')
    .action(async (wanted: string, o: { direct?: boolean; limit: string; offset: string; json?: boolean }) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      const page = await api.get<CollectionMembers>(`/collections/${c.collectionId}/members`, { limit: o.limit, offset: o.offset, direct: o.direct ? true : undefined });
      if (o.json) return printJson(page);
      if (o.direct) printTable(['CLIENT ID', 'NAME', 'STATUS', 'MEMBER'], page.members.map((m) => [m.clientId, m.name, m.status, m.member ? 'yes' : 'no']));
      else printTable(['CLIENT ID', 'NAME', 'STATUS', 'DIRECT'], page.members.map((m) => [m.clientId, m.name, m.status, m.direct ? 'yes' : '']));
      const what = o.direct ? 'direct rules' : 'members';
      process.stdout.write(page.members.length ? `\n${page.offset + 1}–${page.offset + page.members.length} of ${page.total} ${what}\n` : `\nno ${what} here (${page.total} in all)\n`);
    });

  collections
    .command('add-member <collection> <clients...>')
    .description('add direct members (client ids or names)')
    .option('--json', 'JSON output')
    .action(async (wanted: string, clients: string[], o: { json?: boolean }) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      const { clients: all } = await api.get<{ clients: Client[] }>('/clients');
      const ids = await Promise.all(clients.map(async (x) => (await resolveClient(api, x, all)).clientId));
      const result = await api.post<{ added: string[]; alreadyDirect: string[] }>(`/collections/${c.collectionId}/members`, { clientIds: ids });
      if (o.json) return printJson(result);
      process.stdout.write(`Added ${result.added.length} direct member${result.added.length === 1 ? '' : 's'} to ${c.name}${result.alreadyDirect.length ? ` (${result.alreadyDirect.length} already direct)` : ''}\n`);
    });

  collections
    .command('remove-member <collection> <client>')
    .description('remove a direct member (client id or name)')
    .action(async (wanted: string, client: string) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      const target = await resolveClient(api, client);
      const result = await api.delete<{ stillMember: boolean }>(`/collections/${c.collectionId}/members/${target.clientId}`);
      process.stdout.write(`Removed ${target.name} from the direct members of ${c.name}${result.stillMember ? ' (still a member through a query rule or an included collection)' : ''}\n`);
    });

  collections
    .command('of <client>')
    .description('the collections a client (id or name) is a member of')
    .option('--json', 'JSON output')
    .action(async (client: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const target = await resolveClient(api, client);
      const result = await api.get<ClientCollections>(`/clients/${target.clientId}/collections`);
      if (o.json) return printJson(result);
      printTable(['COLLECTION ID', 'NAME', 'DIRECT', 'PRIORITY'], result.collections.map((c) => [c.collectionId, c.name, c.direct ? 'yes' : '', c.settingsPriority ?? '-']));
    });

  collections
    .command('settings <client>')
    .description("a client's effective client settings and the collection each comes from")
    .option('--json', 'JSON output')
    .action(async (client: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const target = await resolveClient(api, client);
      const result = await api.get<EffectiveClientSettings>(`/clients/${target.clientId}/settings`);
      if (o.json) return printJson(result);
      printTable(
        ['SETTING', 'VALUE', 'FROM', 'PRIORITY'],
        result.settings.map((s) => [s.setting, s.value, s.source === 'default' ? 'default' : `${s.collectionName} (${s.collectionId})`, s.settingsPriority ?? '-']),
        { maxWidth: 80 },
      );
    });
}
