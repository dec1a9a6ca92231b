import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const cli = new URL('../../bin/patchday.js', import.meta.url).pathname;

/** A real `patchday dp …` process and the URL it serves content at. */
export interface DpProcess {
  child: ChildProcess;
  url: string;
}

/** Starts `patchday dp <args>` as its own process; resolves once it listens. */
export async function startDpProcess(args: string[]): Promise<DpProcess> {
  const child = spawn(process.execPath, [cli, 'dp', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATCHDAY_LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`patchday dp exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) resolve(match[1]);
    });
  });
  return { child, url };
}

/** SIGKILL, as a crash or `kill -9` would; its serving workers go with it. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
