import type { Command } from 'commander';
import type { StatusMessage } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printJson, printTable } from '../output.ts';

export function registerStatusMessageCommands(program: Command): void {
  program
    .command('status-messages')
    .description('what the site components did (6701 sync started, 6702 completed, 6703 failed, …)')
    .command('list')
    .option('--id <messageId>', 'only this message id, e.g. 6703')
    .option('--severity <severity>', 'info, warning or error')
    .option('--component <component>', 'e.g. update-point')
    .option('--since <time>', 'ISO-8601 time')
    .option('--limit <n>', 'newest N', '100')
    .option('--json', 'JSON output')
    .action(async (o: { id?: string; severity?: string; component?: string; since?: string; limit: string; json?: boolean }) => {
      const { messages } = await new ApiClient().get<{ messages: StatusMessage[] }>('/status-messages', {
        messageId: o.id,
        severity: o.severity,
        component: o.component,
        since: o.since,
        limit: o.limit,
      });
      if (o.json) return printJson(messages);
      printTable(['TIME', 'ID', 'SEVERITY', 'COMPONENT', 'TEXT'], messages.map((m) => [m.at, m.messageId, m.severity, m.component, m.text]), { maxWidth: 120 });
    });
}
