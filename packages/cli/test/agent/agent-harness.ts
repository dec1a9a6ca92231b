import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, Random } from '@patchday/core';
import { Agent, type AgentLog } from '../../../agent/src/agent.ts';
import { sharedData } from '../../../server/test/site-harness.ts';

export const NODE_IMAGE_STATUS = join(sharedData, 'dpkg-status/bookworm-node-image.status');

export const BOOKWORM_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

export interface SandboxMachine {
  root: string;
  dataDir: string;
  statusFile: string;
  dispose(): void;
}

/** A sandbox root that looks like a Debian 12 machine to the agent: dpkg status, os-release, hostname. */
export function sandboxMachine(hostname: string, statusFile = NODE_IMAGE_STATUS): SandboxMachine {
  const base = mkdtempSync(join(tmpdir(), 'patchday-agent-'));
  const root = join(base, 'root');
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), readFileSync(statusFile));
  writeFileSync(join(root, 'etc/os-release'), BOOKWORM_OS_RELEASE);
  writeFileSync(join(root, 'etc/hostname'), `${hostname}\n`);
  return { root, dataDir: join(base, 'data'), statusFile: join(root, 'var/lib/dpkg/status'), dispose: () => rmSync(base, { recursive: true, force: true }) };
}

export const quietLog: AgentLog = { info: () => undefined, warn: () => undefined };

/** A fixed sequence of "random" numbers, repeated. */
export function fixedRandom(...values: number[]): Random {
  let i = 0;
  return () => values[i++ % values.length];
}

export function agentOn(machine: SandboxMachine, options: { server?: string; enrolmentToken?: string; clock: Clock; random?: Random }): Agent {
  return new Agent({ dataDir: machine.dataDir, root: machine.root, server: options.server, enrolmentToken: options.enrolmentToken, clock: options.clock, random: options.random ?? fixedRandom(0.5), log: quietLog });
}
