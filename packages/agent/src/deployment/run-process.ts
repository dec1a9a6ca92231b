import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** null when it was killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** The end of what it wrote to stdout and stderr, in order. */
  output: string;
  /** The end of what it wrote to stderr. */
  stderr: string;
}

const KEEP_CHARS = 16_000;
/** After SIGTERM at the timeout, this long before SIGKILL. */
const KILL_GRACE_MS = 10_000;

const tail = (s: string) => (s.length > KEEP_CHARS ? s.slice(-KEEP_CHARS) : s);

/**
 * Runs a program in its own process group with a timeout (real time: it bounds a real process),
 * and collects the end of its output. A spawn failure (no such program) is an exit code of null
 * with the reason as output.
 */
export function runProcess(command: string, args: readonly string[], options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output = tail(output + s)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      output = tail(output + s);
      stderr = tail(stderr + s);
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }, options.timeoutMs);
    const finish = (result: ProcessResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (error) => finish({ exitCode: null, timedOut: false, output: `${command}: ${error.message}`, stderr: error.message }));
    child.on('close', (code) => finish({ exitCode: code, timedOut, output, stderr }));
  });
}

/** The last lines of a program's output, for a message an administrator reads. */
export function lastLines(text: string, maxChars = 2000): string {
  const trimmed = text.trim();
  if (trimmed.length <= maxChars) return trimmed;
  const cut = trimmed.slice(-maxChars);
  return `…${cut.slice(cut.indexOf('\n') + 1)}`;
}
