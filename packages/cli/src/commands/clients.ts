import type { Command } from 'commander';
import type { Client, EnrolmentToken } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printJson, printTable } from '../output.ts';
import { resolveCollection } from './collections.ts';

export function registerClientCommands(program: Command): void {
  const tokens = program.command('enrolment-tokens').description('tokens with which agents enrol themselves');

  tokens
    .command('create')
    .description('create a token; it is printed once and cannot be shown again')
    .option('--name <name>', 'what it is for', 'enrolment token')
    .option('--expires-in-hours <hours>', 'how long it can be used', '168')
    .option('--uses <n>', 'how many agents may enrol with it (default: any number until it expires)')
    .option('--collection <collection>', 'make every client that enrols with it a direct member of this collection (id or name)')
    .option('--json', 'print {"token": …, …} on stdout')
    .action(async (o: { name: string; expiresInHours: string; uses?: string; collection?: string; json?: boolean }) => {
      const api = new ApiClient();
      const collectionId = o.collection === undefined ? null : (await resolveCollection(api, o.collection)).collectionId;
      const created = await api.post<EnrolmentToken & { token: string }>('/enrolment-tokens', {
        name: o.name,
        expiresInHours: Number(o.expiresInHours),
        uses: o.uses === undefined ? null : Number(o.uses),
        collectionId,
      });
      if (o.json) return printJson(created);
      process.stdout.write(`${created.token}\n(token ${created.tokenId}, expires ${created.expiresAt}${created.usesLeft === null ? '' : `, ${created.usesLeft} uses`}; shown only now)\n`);
    });

  tokens
    .command('list')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { tokens: list } = await new ApiClient().get<{ tokens: EnrolmentToken[] }>('/enrolment-tokens');
      if (o.json) return printJson(list);
      printTable(['TOKEN ID', 'NAME', 'CREATED BY', 'EXPIRES', 'USES LEFT', 'COLLECTION', 'REVOKED'], list.map((t) => [t.tokenId, t.name, t.createdBy, t.expiresAt, t.usesLeft ?? 'unlimited', t.collectionId ?? '', t.revoked ? 'yes' : '']));
    });

  tokens
    .command('revoke <tokenId>')
    .action(async (tokenId: string) => {
      await new ApiClient().delete(`/enrolment-tokens/${encodeURIComponent(tokenId)}`);
      process.stdout.write(`Revoked enrolment token ${tokenId}\n`);
    });

  const clients = program.command('clients').description('managed machines (agents) of this site');

  clients
    .command('list')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { clients: list } = await new ApiClient().get<{ clients: Client[] }>('/clients');
      if (o.json) return printJson(list);
      printTable(['CLIENT ID', 'NAME', 'STATUS', 'ENROLLED', 'LAST POLICY', 'LAST INVENTORY'], list.map((c) => [c.clientId, c.name, c.status, c.enrolledAt, c.lastPolicyAt ?? '-', c.lastInventoryAt ?? '-']));
    });

  clients
    .command('approve <clientId>')
    .description('let an agent that enrolled without a token in')
    .action(async (clientId: string) => {
      const client = await new ApiClient().post<Client>(`/clients/${encodeURIComponent(clientId)}/approve`, {});
      process.stdout.write(`Approved ${client.name} (${client.clientId})\n`);
    });

  clients
    .command('remove <clientId>')
    .description('forget a client; its credential stops working')
    .action(async (clientId: string) => {
      await new ApiClient().delete(`/clients/${encodeURIComponent(clientId)}`);
      process.stdout.write(`Removed client ${clientId}\n`);
    });
}
