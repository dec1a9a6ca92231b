import type { Command } from 'commander';
import type { AlertEvaluation, AlertList } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printJson, printTable } from '../output.ts';

export function registerAlertCommands(program: Command): void {
  const alerts = program.command('alerts').description('alerts (§9): deployments under their compliance goal, sync failures');

  alerts
    .command('list')
    .description('open alerts (with --all, cleared ones too), newest first')
    .option('--all', 'cleared alerts too')
    .option('--limit <n>', 'at most this many (max 1000)', '100')
    .option('--json', 'JSON output')
    .action(async (o: { all?: boolean; limit: string; json?: boolean }) => {
      const { alerts: list } = await new ApiClient().get<AlertList>('/alerts', { state: o.all ? 'all' : 'open', limit: o.limit });
      if (o.json) return printJson(list);
      if (!list.length) return void process.stdout.write(o.all ? 'no alerts\n' : 'no open alerts\n');
      printTable(
        ['RAISED', 'CLEARED', 'SEVERITY', 'KIND', 'TARGET', 'TEXT'],
        list.map((a) => [a.raisedAt, a.clearedAt ?? '-', a.severity, a.kind, a.targetName, a.text]),
        { maxWidth: 120 },
      );
    });

  alerts
    .command('evaluate')
    .description('evaluate every alert condition now (the site does so every 15 minutes)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const result = await new ApiClient().post<AlertEvaluation>('/alerts/evaluate', {});
      if (o.json) return printJson(result);
      process.stdout.write(`Evaluated alerts at ${result.at}: ${result.raised} raised, ${result.cleared} cleared, ${result.open} open\n`);
    });
}
