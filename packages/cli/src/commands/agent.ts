import { runAgent, runLocalAction, type AgentStatus, type ScanSummary, type SendSummary } from '@patchday/agent';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.ts';
import { printFields, printJson, printTable } from '../output.ts';

interface MachineOptions {
  dataDir: string;
  root: string;
  architecture?: string;
  json?: boolean;
}

const DEFAULT_DATA_DIR = process.env.PATCHDAY_AGENT_DATA_DIR || '/var/lib/patchday-agent';

export function registerAgentCommands(program: Command): void {
  const agent = program
    .command('agent')
    .description('run the agent on a managed machine (enrol, poll policy, scan, report)')
    .option('--server <url>', 'the site to enrol with (only needed until the agent has registered)', process.env.PATCHDAY_SERVER)
    .option('--root <dir>', 'the machine\'s root: its dpkg status, os-release and host name are read under it', '/')
    .option('--data-dir <dir>', 'where the agent keeps its identity, policy, metadata cache and queued state messages', DEFAULT_DATA_DIR)
    .option('--enrol-token <token>', 'an enrolment token from `patchday enrolment-tokens create` (without one, an administrator approves the client)')
    .option('--name <name>', 'the client\'s name (default: the root\'s /etc/hostname)')
    .option('--architecture <arch>', 'the native dpkg architecture (default: that of the installed dpkg package)')
    // `agent scan-now --data-dir D`: options after a local action are the action's own.
    .enablePositionalOptions()
    .action(async (options: MachineOptions & { server?: string; enrolToken?: string; name?: string }) => {
      try {
        const { agent: running } = await runAgent({
          dataDir: options.dataDir,
          root: options.root,
          server: options.server,
          enrolmentToken: options.enrolToken,
          name: options.name,
          architecture: options.architecture,
        });
        const status = running.status();
        process.stderr.write(`patchday agent: client ${status.name} (${status.clientId}) ${status.registration} at ${status.server}; next scan ${status.nextScanAt ?? 'when policy allows'}\n`);
      } catch (error) {
        throw new CliError(`the agent did not start: ${(error as Error).message}`, /401|403/.test((error as Error).message) ? ExitCode.auth : ExitCode.failed);
      }
    });

  const local = (name: 'scan-now' | 'send-now' | 'status', description: string, print: (result: never) => void) =>
    agent
      .command(name)
      .description(description)
      .option('--data-dir <dir>', 'the agent\'s data directory', DEFAULT_DATA_DIR)
      .option('--root <dir>', 'the machine\'s root (when no agent is running)', '/')
      .option('--architecture <arch>', 'the native dpkg architecture (when no agent is running)')
      .option('--json', 'print JSON')
      .action(async (options: MachineOptions) => {
        let answer;
        try {
          answer = await runLocalAction(name, options.dataDir, { root: options.root, architecture: options.architecture });
        } catch (error) {
          throw new CliError((error as Error).message, ExitCode.failed);
        }
        if (options.json) printJson({ ranBy: answer.ranBy, ...(answer.result as object) });
        else print(answer.result as never);
        const result = answer.result as { result?: string; error?: string | null };
        if (result.result === 'failed' || result.result === 'pending retry' || (name === 'send-now' && result.error)) process.exitCode = ExitCode.failed;
      });

  local('scan-now', 'scan now (forced, online): evaluate every update and queue the state messages', (s: ScanSummary) => {
    printFields([
      ['scan', s.scanId],
      ['result', s.result],
      ['reason', s.reason],
      ...Object.entries(s.counts).map(([state, n]): [string, number] => [state, n]),
      ['queued messages', s.messages],
    ]);
  });
  local('send-now', 'send the queued state messages to the management point now', (s: SendSummary) => {
    printFields([
      ['stored by the site', s.sent],
      ['already there', s.duplicates],
      ['still queued', s.remaining],
      ['error', s.error],
    ]);
  });
  local('status', 'what the agent knows: registration, policy, last scan, queue', (s: AgentStatus) => {
    printFields([
      ['client', s.clientId && `${s.name} (${s.clientId})`],
      ['site', s.server],
      ['registration', s.registration],
      ['software updates', s.policy ? (s.policy.softwareUpdatesEnabled ? 'enabled' : 'disabled') : 'no policy yet'],
      ['last policy poll', s.lastPolicyPoll && `${s.lastPolicyPoll.at}${s.lastPolicyPoll.error ? ` — ${s.lastPolicyPoll.error}` : ''}`],
      ['catalogue', s.catalogue && `${s.catalogue.product} ${s.catalogue.architecture}: ${s.catalogue.updates} updates, anchor ${s.catalogue.anchor}, fetched ${s.catalogue.fetchedAt}`],
      ['last scan', s.lastScan && `${s.lastScan.finishedAt} ${s.lastScan.result} (${s.lastScan.trigger})${s.lastScan.error ? ` — ${s.lastScan.error}` : ''}`],
      ['next scan', s.nextScanAt],
      ['retry at', s.retryAt],
      ['queued messages', s.queuedMessages],
      ['last send', s.lastSend && `${s.lastSend.at}${s.lastSend.error ? ` — ${s.lastSend.error}` : ''}`],
    ]);
    if (s.lastScan && Object.keys(s.lastScan.counts).length) printTable(['state', 'updates'], Object.entries(s.lastScan.counts));
  });
}
