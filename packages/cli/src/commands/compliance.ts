import type { Command } from 'commander';
import type { Client, ClientCompliance, UpdateCompliance } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';

export function registerComplianceCommands(program: Command): void {
  const compliance = program.command('compliance').description('which updates clients need (§4, §9)');

  compliance
    .command('client <client>')
    .description("a client's updates and their states, estimated from its last inventory (client id or name)")
    .option('--all', 'every update with its state, not only the Required ones')
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { all?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const { clients } = await api.get<{ clients: Client[] }>('/clients');
      const matches = clients.filter((c) => c.clientId === wanted || c.name === wanted);
      if (matches.length === 0) throw new CliError(`no client ${wanted}`, ExitCode.notFound);
      if (matches.length > 1) throw new CliError(`${matches.length} clients are named ${wanted}: use the client id (${matches.map((c) => c.clientId).join(', ')})`, ExitCode.usage);
      const result = await api.get<ClientCompliance>(`/clients/${matches[0].clientId}/compliance`, { include: o.all ? 'all' : 'required' });
      if (o.json) return printJson(result);
      printFields([
        ['Client', `${result.name} (${result.clientId})`],
        ['Product', result.product ?? 'unknown (no inventory yet)'],
        ['Inventory', result.inventoryAt ?? 'not reported yet'],
        ['Required', result.counts.Required],
        ['Installed', result.counts.Installed],
        ['Not Required', result.counts['Not Required']],
        ['Unknown', result.counts.Unknown],
        ['Note', 'estimated by the site from the last inventory'],
      ]);
      if (result.updates.length === 0) return;
      process.stdout.write('\n');
      printTable(
        ['STATE', 'TITLE', 'CLASSIFICATION', 'UPGRADES'],
        result.updates.map((u) => [u.state, u.title, u.classification, u.upgrades.map((p) => `${p.package} ${p.installed} → ${p.target}`).join(', ')]),
        { maxWidth: 90 },
      );
    });

  compliance
    .command('update <updateId>')
    .description('one update across all clients: Required / Installed / Not Required / Unknown and % compliant (estimated)')
    .option('--json', 'JSON output')
    .action(async (updateId: string, o: { json?: boolean }) => {
      const result = await new ApiClient().get<UpdateCompliance>(`/updates/${encodeURIComponent(updateId)}/compliance`);
      if (o.json) return printJson(result);
      printFields([
        ['Update', `${result.title} (${result.updateId})`],
        ['Required', result.counts.Required],
        ['Installed', result.counts.Installed],
        ['Not Required', result.counts['Not Required']],
        ['Unknown', result.counts.Unknown],
        ['Compliant', result.percentCompliant === null ? '-' : `${result.percentCompliant} %`],
        ['Note', 'estimated by the site from the clients\' last inventories'],
      ]);
      if (result.clients.length) {
        process.stdout.write('\n');
        printTable(['CLIENT', 'CLIENT ID', 'STATE'], result.clients.map((c) => [c.name, c.clientId, c.state]));
      }
    });
}
