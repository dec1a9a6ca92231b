import type { Command } from 'commander';
import { detectionStates, type Client, type ClientCompliance, type Collection, type ComplianceGroup, type ComplianceSummary, type StateCounts, type UpdateCompliance } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';

/** A client by id or host name (host names compare regardless of case). */
async function resolveClient(api: ApiClient, wanted: string): Promise<Client> {
  const { clients } = await api.get<{ clients: Client[] }>('/clients');
  const byId = clients.find((c) => c.clientId.toLowerCase() === wanted.toLowerCase());
  if (byId) return byId;
  const exact = clients.filter((c) => c.name === wanted);
  const matches = exact.length ? exact : clients.filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 0) throw new CliError(`no client ${wanted}`, ExitCode.notFound);
  if (matches.length > 1) throw new CliError(`${matches.length} clients are named ${wanted}: use the client id (${matches.map((c) => c.clientId).join(', ')})`, ExitCode.usage);
  return matches[0];
}

/** A collection by id or name (exact, then regardless of case). */
async function resolveCollection(api: ApiClient, wanted: string): Promise<string> {
  const { collections } = await api.get<{ collections: Collection[] }>('/collections');
  const found =
    collections.find((c) => c.collectionId.toLowerCase() === wanted.toLowerCase()) ??
    collections.find((c) => c.name === wanted) ??
    collections.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`no collection ${wanted}`, ExitCode.notFound);
  return found.collectionId;
}

/** "Required" as typed, or in any case ("required", "not required"). */
function stateOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const state = detectionStates.find((s) => s.toLowerCase() === text.toLowerCase().replace(/-/g, ' '));
  if (!state) throw new CliError(`--state is one of ${detectionStates.join(', ')}, not ${JSON.stringify(text)}`, ExitCode.usage);
  return state;
}

const percent = (p: number | null) => (p === null ? '-' : `${p.toFixed(1)} %`);
const stateCells = (c: StateCounts) => [c.Required, c.Installed, c['Not Required'], c.Unknown];

export function registerComplianceCommands(program: Command): void {
  const compliance = program.command('compliance').description('which updates clients need, reported or estimated (§4, §9)');

  compliance
    .command('client <client>')
    .description("a client's updates and their states (client id or host name)")
    .option('--all', 'every update with its state, not only the Required ones')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { all?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const client = await resolveClient(api, wanted);
      const result = await api.get<ClientCompliance>(`/clients/${client.clientId}/compliance`, { include: o.all ? 'all' : 'required' });
      if (o.json) return printJson(result);
      const scan = result.lastScan;
      printFields([
        ['Client', `${result.name} (${result.clientId})`],
        ['Status', result.status],
        ['Product', result.product ?? 'unknown (no inventory or scan yet)'],
        ['Inventory', result.inventoryAt ?? 'not reported yet'],
        ['Last policy', result.lastPolicyAt ?? 'never requested'],
        ['Last scan', scan.stateId === null ? 'none reported' : `${scan.state} at ${scan.at}${scan.error ? ` (${scan.error})` : ''}`],
        ['Last completed', scan.completedAt === null ? 'none' : `${scan.completedAt}, ${scan.product} up to catalogue ${scan.anchor}`],
        ['Last state msg', result.lastStateMessageAt ?? 'none received'],
        ['Required', result.counts.Required],
        ['Installed', result.counts.Installed],
        ['Not Required', result.counts['Not Required']],
        ['Unknown', result.counts.Unknown],
        ['Sources', `${result.sources.reported} reported, ${result.sources.estimated} estimated, ${result.sources.none} none`],
      ]);
      if (result.updates.length === 0) return;
      process.stdout.write('\n');
      printTable(
        ['STATE', 'SOURCE', 'TITLE', 'CLASSIFICATION', 'SUPERSEDED', 'UPGRADES'],
        result.updates.map((u) => [u.state, u.source, u.title, u.classification, u.superseded ? 'yes' : 'no', u.upgrades.map((p) => `${p.package} ${p.installed} → ${p.target}`).join(', ')]),
        { maxWidth: 90 },
      );
    });

  compliance
    .command('update <updateId>')
    .description('one update across the clients (or a collection): Required / Installed / Not Required / Unknown, % compliant, and the clients')
    .option('--collection <collection>', 'only the members of this collection (id or name)')
    .option('--state <state>', 'list only the clients in this state (Required, Installed, "Not Required", Unknown)')
    .option('--limit <n>', 'clients listed (at most 1000)', '100')
    .option('--offset <n>', 'clients skipped', '0')
    .option('--json', 'JSON output')
    .action(async (updateId: string, o: { collection?: string; state?: string; limit: string; offset: string; json?: boolean }) => {
      const api = new ApiClient();
      const collectionId = o.collection === undefined ? undefined : await resolveCollection(api, o.collection);
      const result = await api.get<UpdateCompliance>(`/updates/${encodeURIComponent(updateId)}/compliance`, { collectionId, state: stateOption(o.state), limit: o.limit, offset: o.offset });
      if (o.json) return printJson(result);
      const s = result.bySource;
      const sum = (c: StateCounts) => c.Required + c.Installed + c['Not Required'] + c.Unknown;
      printFields([
        ['Update', `${result.title} (${result.updateId})`],
        ['Classification', `${result.classification}, ${result.severity}${result.superseded ? ', superseded' : ''}`],
        ['Clients', `${result.clientsCounted}${o.collection ? ` in collection ${o.collection}` : ' (active)'}`],
        ['Required', result.counts.Required],
        ['Installed', result.counts.Installed],
        ['Not Required', result.counts['Not Required']],
        ['Unknown', result.counts.Unknown],
        ['Compliant', percent(result.percentCompliant)],
        ['Sources', `${sum(s.reported)} reported, ${sum(s.estimated)} estimated, ${sum(s.none)} none`],
      ]);
      if (result.clients.length) {
        process.stdout.write('\n');
        printTable(['CLIENT', 'CLIENT ID', 'STATE', 'SOURCE'], result.clients.map((c) => [c.name, c.clientId, c.state, c.source]));
      }
      const { total, offset } = result.page;
      if (total > result.clients.length) process.stdout.write(`${result.clients.length ? `${offset + 1}–${offset + result.clients.length}` : 'none'} of ${total} clients${result.page.state ? ` ${result.page.state}` : ''}\n`);
    });

  compliance
    .command('summary')
    .description('the fleet: per classification and severity, updates required, client × update states, % compliant; the 20 most required updates')
    .option('--collection <collection>', 'only the members of this collection (id or name)')
    .option('--product <product>', 'only updates of this product, e.g. "Debian 12"')
    .option('--not-superseded', 'only updates in force')
    .option('--fresh', 'wait for a new summary when the site is making one (large fleets)')
    .option('--json', 'JSON output')
    .action(async (o: { collection?: string; product?: string; notSuperseded?: boolean; fresh?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const collectionId = o.collection === undefined ? undefined : await resolveCollection(api, o.collection);
      const result = await api.get<ComplianceSummary>('/compliance/summary', { collectionId, product: o.product, superseded: o.notSuperseded ? 'false' : undefined, fresh: o.fresh ? 'true' : undefined });
      if (o.json) return printJson(result);
      printFields([
        ['Summarised', `${result.summarizedAt}${result.stale ? ' (changes since; a new summary is being made: --fresh waits for it)' : ''}`],
        ['Clients', `${result.clientsCounted}${o.collection ? ` in collection ${o.collection}` : ' (active)'}`],
        ['Updates', result.updatesCounted],
        ['Required by some', result.overall.updatesRequired],
        ['Compliant', percent(result.overall.percentCompliant)],
      ]);
      const header = ['UPDATES', 'REQUIRED BY SOME', 'REQUIRED', 'INSTALLED', 'NOT REQUIRED', 'UNKNOWN', 'COMPLIANT'];
      const row = (g: ComplianceGroup) => [g.updates, g.updatesRequired, ...stateCells(g.counts), percent(g.percentCompliant)];
      process.stdout.write('\n');
      printTable(['CLASSIFICATION', ...header], result.byClassification.map((g) => [g.classification, ...row(g)]));
      process.stdout.write('\n');
      printTable(['SEVERITY', ...header], result.bySeverity.map((g) => [g.severity, ...row(g)]));
      if (result.mostRequired.length) {
        process.stdout.write('\nMost required:\n');
        printTable(['REQUIRED', 'COMPLIANT', 'TITLE', 'UPDATE ID', 'SUPERSEDED'], result.mostRequired.map((u) => [u.required, percent(u.percentCompliant), u.title, u.updateId, u.superseded ? 'yes' : 'no']), { maxWidth: 70 });
      }
      process.stdout.write('\n(client × update pairs; states reported by a completed scan, else estimated from the inventory)\n');
    });
}
