import { chmodSync, copyFileSync, mkdtempSync, openSync, readSync, closeSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { InstallHandler } from '@patchday/core';
import { sha256Of } from './downloader.ts';
import { restartRequiredUnder, type InstallOutcome } from './dpkg-handler.ts';
import { lastLines, runProcess } from './run-process.ts';

type ScriptHandler = Extract<InstallHandler, { kind: 'script' }>;

/** A cached file of the update, by its archive name. */
export interface ScriptFile {
  path: string;
  sha256: string;
  name: string;
}

/**
 * §6.6 the `script` install handler (published third-party updates): runs the update's script —
 * the file whose sha256 the handler names, verified again right before it runs — with its
 * arguments, in a fresh folder holding the update's other files by name, with `PATCHDAY_ROOT`
 * set to the machine's root. It succeeds on one of its success exit codes; the timeout is the
 * handler's, bounded by the update's maximum run time.
 */
export async function runInstallScript(root: string, handler: ScriptHandler, files: readonly ScriptFile[], maxRunMinutes: number): Promise<InstallOutcome> {
  const refuse = (error: string): InstallOutcome => ({ ok: false, error, restartNeeded: restartRequiredUnder(root), unchanged: true });
  const script = files.find((f) => f.sha256 === handler.scriptSha256);
  if (!script) return refuse(`the install script (sha256 ${handler.scriptSha256}) is not among the update's files`);
  for (const f of files) {
    let sha: string;
    try {
      sha = await sha256Of(f.path);
    } catch {
      return refuse(`${f.name} is not in the cache`);
    }
    if (sha !== f.sha256) return refuse(`${f.name} in the cache changed: sha256 ${sha}, expected ${f.sha256}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'patchday-script-'));
  try {
    const scriptCopy = join(work, '.patchday-install-script');
    copyFileSync(script.path, scriptCopy);
    chmodSync(scriptCopy, 0o700);
    for (const f of files) if (f !== script) symlinkSync(resolve(f.path), join(work, basename(f.name)));
    const timeoutSeconds = Math.min(handler.timeoutSeconds, maxRunMinutes * 60);
    const [command, args] = startsWithShebang(scriptCopy) ? [scriptCopy, handler.arguments] : ['/bin/sh', [scriptCopy, ...handler.arguments]];
    const run = await runProcess(command, args, { timeoutMs: timeoutSeconds * 1000, cwd: work, env: { ...process.env, PATCHDAY_ROOT: resolve(root) } });
    const restartNeeded = restartRequiredUnder(root);
    if (run.timedOut) return { ok: false, error: `the install script ran longer than ${timeoutSeconds} s and was stopped`, restartNeeded, unchanged: false };
    if (run.exitCode !== null && handler.successExitCodes.includes(run.exitCode)) return { ok: true, error: null, restartNeeded, unchanged: false };
    const output = lastLines(run.stderr || run.output);
    return { ok: false, error: `the install script exited with ${run.exitCode ?? 'a signal'} (success: ${handler.successExitCodes.join(', ')})${output ? `: ${output}` : ''}`, restartNeeded, unchanged: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function startsWithShebang(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}
