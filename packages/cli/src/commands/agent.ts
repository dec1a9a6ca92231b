import { runAgent, runLocalAction, type AgentStatus, type InstallSummary, type ScanSummary, type SendSummary } from '@patchday/agent';
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

function machineRoleOption(value: string | undefined): 'server' | 'workstation' | undefined {
  if (value === undefined || value === 'server' || value === 'workstation') return value;
  throw new CliError(`--machine-role is server or workstation, not ${JSON.stringify(value)}`, ExitCode.usage);
}

const installExitCodes: Record<InstallSummary['result'], number> = {
  installed: ExitCode.ok,
  'pending restart': ExitCode.ok,
  'nothing to install': ExitCode.ok,
  failed: ExitCode.failed,
  'not found': ExitCode.notFound,
  'not available yet': ExitCode.usage,
  'report only': ExitCode.usage,
};

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
    .option('--machine-role <role>', 'server or workstation, for deployments that suppress restarts (default: workstation when a display manager or the graphical target is enabled under the root)')
    // `agent scan-now --data-dir D`: options after a local action are the action's own.
    .enablePositionalOptions()
    .action(async (options: MachineOptions & { server?: string; enrolToken?: string; name?: string; machineRole?: string }) => {
      const machineRole = machineRoleOption(options.machineRole);
      try {
        const { agent: running } = await runAgent({
          machineRole,
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
  agent
    .command('install')
    .description('download and install a deployment now (from its available time on; maintenance windows do not hold an install the user starts)')
    .argument('<deploymentId>', 'the deployment, as `patchday agent status` lists it')
    .option('--data-dir <dir>', 'the agent\'s data directory', DEFAULT_DATA_DIR)
    .option('--root <dir>', 'the machine\'s root (when no agent is running)', '/')
    .option('--architecture <arch>', 'the native dpkg architecture (when no agent is running)')
    .option('--machine-role <role>', 'server or workstation (when no agent is running)')
    .option('--json', 'print JSON')
    .action(async (deploymentId: string, options: MachineOptions & { machineRole?: string }) => {
      if (!/^[0-9a-f-]{36}$/i.test(deploymentId)) throw new CliError(`a deployment id is a UUID, not ${JSON.stringify(deploymentId)}`, ExitCode.usage);
      const machineRole = machineRoleOption(options.machineRole);
      let answer;
      try {
        answer = await runLocalAction('install', options.dataDir, { root: options.root, architecture: options.architecture, machineRole }, deploymentId.toLowerCase());
      } catch (error) {
        throw new CliError((error as Error).message, ExitCode.failed);
      }
      const s = answer.result as InstallSummary;
      if (options.json) printJson({ ranBy: answer.ranBy, ...s });
      else {
        printFields([
          ['deployment', s.name ? `${s.name} (${s.deploymentId})` : s.deploymentId],
          ['result', s.result],
          ['message', s.message],
        ]);
        if (s.updates.length) printTable(['update', 'state', 'error'], s.updates.map((u) => [u.title ?? u.updateId, u.state, u.error]), { maxWidth: 100 });
      }
      process.exitCode = installExitCodes[s.result];
    });

  local('status', 'what the agent knows: registration, policy, last scan, queue, deployments, a coming restart', (s: AgentStatus) => {
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
    const e = s.enforcement;
    const restart = e.restart;
    process.stdout.write('\n');
    printFields([
      ['machine role', e.machineRole],
      ['time zone', e.timeZone],
      ['content cache', `${e.cache.files} files, ${(e.cache.bytes / 1048576).toFixed(1)} MB${e.cache.maximumMb === null ? '' : ` of ${e.cache.maximumMb} MB`}`],
      ['restart', restart && restartLine(restart)],
    ]);
    if (e.deployments.length) {
      printTable(
        ['deployment', 'name', 'purpose', 'deadline', 'state', 'to install', 'next', 'error'],
        e.deployments.map((d) => [d.deploymentId, d.name, d.reportOnly ? `${d.purpose} (report only)` : d.purpose, d.deadlineAt ?? '—', d.state, d.toInstall, d.nextActionAt, d.error]),
        { maxWidth: 80 },
      );
    }
  });
}

function restartLine(r: NonNullable<AgentStatus['enforcement']['restart']>): string {
  const what = `${r.updates} update${r.updates === 1 ? '' : 's'} waiting for it`;
  if (r.phase === 'not scheduled') return `needed (${what}); no deployment restarts this machine by itself — restart it when convenient`;
  const left = r.minutesLeft === null ? '' : `, in ${r.minutesLeft} min`;
  const held = r.heldForWindow ? ', moved into a maintenance window' : '';
  const dismiss = r.phase === 'final countdown' ? ' — final countdown, cannot be postponed' : '';
  return `${r.phase} — at ${r.restartAt}${left}${held}${dismiss} (${what})${r.error ? ` — last attempt failed: ${r.error}` : ''}`;
}
