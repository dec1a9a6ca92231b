import { chmodSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import type { z } from 'zod';
import { AgentStatus, InstallSummary, ScanSummary, SendSummary } from '../agent-status.ts';
import type { Agent } from '../agent.ts';

/** The running agent's local control: a Unix socket in its data directory, for root only. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'agent.sock');
}

export const localActions = {
  'scan-now': { method: 'POST', schema: ScanSummary },
  'send-now': { method: 'POST', schema: SendSummary },
  status: { method: 'GET', schema: AgentStatus },
  /** `/install/<deploymentId>` */
  install: { method: 'POST', schema: InstallSummary },
} as const;
export type LocalAction = keyof typeof localActions;

export async function serveControlSocket(agent: Agent, dataDir: string): Promise<Server> {
  const path = controlSocketPath(dataDir);
  rmSync(path, { force: true });
  const server = createServer((req, res) => {
    const [, name, argument] = /^\/([a-z-]+)(?:\/([0-9a-f-]{36}))?$/.exec(req.url ?? '') ?? [];
    const action = name as LocalAction;
    const handler: Record<LocalAction, () => Promise<unknown>> = {
      'scan-now': () => agent.scanNow(),
      'send-now': () => agent.sendNow(),
      status: async () => agent.status(),
      install: () => agent.installNow(argument!),
    };
    const known = Object.hasOwn(localActions, action) && req.method === localActions[action].method && (argument !== undefined) === (action === 'install');
    if (!known) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no local action ${req.method} ${req.url}` }));
      return;
    }
    handler[action]().then(
      (value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value)),
      (error: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message })),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  chmodSync(path, 0o600);
  return server;
}

/** Asks the running agent; null when none is listening in this data directory. */
export function askRunningAgent<A extends LocalAction>(dataDir: string, action: A, argument?: string): Promise<z.infer<(typeof localActions)[A]['schema']> | null> {
  const { method, schema } = localActions[action];
  return new Promise((resolve, reject) => {
    const path = argument === undefined ? `/${action}` : `/${action}/${encodeURIComponent(argument)}`;
    const req = request({ socketPath: controlSocketPath(dataDir), path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const value = JSON.parse(body) as { error?: string };
          if (res.statusCode !== 200) reject(new Error(value.error ?? `the agent answered ${res.statusCode}`));
          else resolve(schema.parse(value) as z.infer<(typeof localActions)[A]['schema']>);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(null);
      else reject(error);
    });
    req.end();
  });
}
