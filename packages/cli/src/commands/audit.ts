import type { Command } from 'commander';
import type { AuditEntry } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printJson, printTable } from '../output.ts';

export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('who changed what, and when')
    .command('list')
    .option('--actor <username>', 'only this administrator')
    .option('--action <action>', 'e.g. upstream.add')
    .option('--since <time>', 'ISO-8601 time')
    .option('--limit <n>', 'newest N', '100')
    .option('--json', 'JSON output')
    .action(async (o: { actor?: string; action?: string; since?: string; limit: string; json?: boolean }) => {
      const { entries } = await new ApiClient().get<{ entries: AuditEntry[] }>('/audit', { actor: o.actor, action: o.action, since: o.since, limit: o.limit });
      if (o.json) return printJson(entries);
      printTable(['TIME', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS'], entries.map((e) => [e.at, e.actor, e.action, e.target, JSON.stringify(e.details)]), { maxWidth: 80 });
    });
}
