import { mkdirSync } from 'node:fs';
import { systemClock } from '@patchday/core';
import { pino } from 'pino';
import { Agent, type AgentLog, type AgentOptions } from './agent.ts';
import { askRunningAgent, serveControlSocket, type LocalAction } from './control/control-socket.ts';
import { acquireAgentLock } from './data-dir/agent-lock.ts';
import { SiteError } from './site/site-connection.ts';

/** The agent's options; clock, randomness and log default to the real ones. */
export type RunAgentOptions = Omit<AgentOptions, 'clock' | 'random' | 'log'> & Partial<Pick<AgentOptions, 'clock' | 'random' | 'log'>>;

/** How long a service agent waits before trying to reach its site again at start. */
const START_RETRY_MS = 60_000;

/**
 * `patchday agent`: the long-running agent. Returns once it runs; `stop()` ends it (SIGTERM and
 * SIGINT do too when `handleSignals`).
 */
export async function runAgent(options: RunAgentOptions, handleSignals = true): Promise<{ agent: Agent; stop: () => Promise<void> }> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const release = acquireAgentLock(options.dataDir);
  const log = options.log ?? pino({ name: 'patchday-agent' });
  const agent = new Agent({ ...options, clock: options.clock ?? systemClock, random: options.random ?? Math.random, log });
  const control = await serveControlSocket(agent, options.dataDir);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    agent.stop();
    await agent.idle();
    await new Promise((resolve) => control.close(resolve));
    release();
  };
  if (handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop().then(() => process.exit(0)));
  }
  for (;;) {
    try {
      await agent.start();
      break;
    } catch (error) {
      // An unreachable site is waited for; a refusal (bad token, bad name) is for the administrator.
      if (!(error instanceof SiteError) || error.status !== null || stopped) {
        await stop();
        throw error;
      }
      log.warn({ error: error.message }, 'cannot reach the site; trying again in a minute');
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
    }
  }
  return { agent, stop };
}

/**
 * `patchday agent scan-now|send-now|status|install`: asks the running agent, or — when none runs
 * in this data directory — does the work once itself. `install` takes the deployment id.
 */
export async function runLocalAction(action: LocalAction, dataDir: string, machine: Partial<Pick<AgentOptions, 'root' | 'architecture' | 'timeZone' | 'machineRole'>> = {}, argument?: string) {
  const answer = await askRunningAgent(dataDir, action, argument);
  if (answer !== null) return { ranBy: 'running agent' as const, result: answer };
  const release = acquireAgentLock(dataDir);
  try {
    const agent = new Agent({ ...machine, dataDir, root: machine.root ?? '/', clock: systemClock, random: Math.random, log: quietLog });
    let result: unknown;
    if (action === 'status') result = agent.status();
    else {
      agent.stop(); // no timers: one piece of work, then exit
      if (action === 'scan-now') {
        await agent.pollPolicyNow();
        result = await agent.scanNow();
      } else if (action === 'install') {
        await agent.pollPolicyNow();
        result = await agent.installNow(argument!);
      } else result = await agent.sendNow();
    }
    return { ranBy: 'this command' as const, result };
  } finally {
    release();
  }
}

const quietLog: AgentLog = { info: () => undefined, warn: () => undefined };
