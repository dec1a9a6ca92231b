import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const cli = new URL('../../packages/cli/bin/patchday.js', import.meta.url).pathname;

/** A real `patchday server` process, so its peak RSS can be read from /proc. */
export interface SiteProcess {
  child: ChildProcess;
  url: string;
  token: string;
  password: string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** VmHWM: the most resident memory the process ever had, in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

export async function startSiteProcess(dataDir: string, db?: string, options: { port?: number; password?: string } = {}): Promise<SiteProcess> {
  const args = [cli, 'server', '--data-dir', dataDir, '--port', String(options.port ?? 0), ...(db ? ['--db', db] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PATCHDAY_LOG_LEVEL: process.env.PATCHDAY_BENCH_LOG ?? 'warn' } });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (process.env.PATCHDAY_BENCH_LOG) process.stderr.write(`${line}\n`);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]);
    });
  });
  // A restarted site keeps its administrator; tests that restart one pass the password they read first.
  const password = options.password ?? readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const token = ((await login.json()) as { token: string }).token;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    child,
    url,
    token,
    password,
    api,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Starts a sync and waits for it; returns the finished run. */
export async function syncAndWait(site: SiteProcess): Promise<{ run: any; ms: number }> {
  const start = performance.now();
  const started = await site.api('POST', '/sync/runs', {});
  let run = started;
  while (run.status === 'running') {
    await new Promise((r) => setTimeout(r, 5));
    run = await site.api('GET', `/sync/runs/${started.runId}`);
  }
  return { run, ms: performance.now() - start };
}
