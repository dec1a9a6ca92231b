import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { runInstallScript, type ScriptFile } from './script-handler.ts';

describe('the script install handler (§6.6)', () => {
  let base: string;
  let root: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'patchday-script-test-'));
    root = join(base, 'root');
    mkdirSync(join(root, 'opt'), { recursive: true });
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  function cached(name: string, text: string): ScriptFile {
    const path = join(base, createHash('sha256').update(text).digest('hex'));
    writeFileSync(path, text);
    return { path, sha256: createHash('sha256').update(text).digest('hex'), name };
  }
  const handler = (script: ScriptFile, over: Partial<{ arguments: string[]; timeoutSeconds: number; successExitCodes: number[] }> = {}) => ({ kind: 'script' as const, scriptSha256: script.sha256, arguments: [], timeoutSeconds: 60, successExitCodes: [0], ...over });

  test('runs the published script with its arguments beside the update\'s other files; a listed exit code is success', async () => {
    const script = cached('vendor/install.sh', 'set -e\ncp "./agent-$1.bin" "$PATCHDAY_ROOT/opt/agent.bin"\necho "$2" > "$PATCHDAY_ROOT/opt/channel"\nexit 3\n');
    const payload = cached('vendor/agent-7.2.bin', 'binary payload 7.2\n');
    const outcome = await runInstallScript(root, handler(script, { arguments: ['7.2', 'stable'], successExitCodes: [0, 3] }), [script, payload], 60);
    assert.deepEqual(outcome, { ok: true, error: null, restartNeeded: false, unchanged: false });
    assert.equal(readFileSync(join(root, 'opt/agent.bin'), 'utf8'), 'binary payload 7.2\n');
    assert.equal(readFileSync(join(root, 'opt/channel'), 'utf8'), 'stable\n');
  });

  test('any other exit code fails with the code and what the script said', async () => {
    const script = cached('install.sh', '#!/bin/sh\necho "licence server unreachable" >&2\nexit 4\n');
    const outcome = await runInstallScript(root, handler(script), [script], 60);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error, 'the install script exited with 4 (success: 0): licence server unreachable');
  });

  test('a script that runs past its timeout is stopped and fails', async () => {
    const script = cached('install.sh', 'sleep 30\n');
    const started = Date.now();
    const outcome = await runInstallScript(root, handler(script, { timeoutSeconds: 1 }), [script], 60);
    assert.equal(outcome.error, 'the install script ran longer than 1 s and was stopped');
    assert.ok(Date.now() - started < 10_000);
  });

  test('a script changed in the cache, or missing, never runs', async () => {
    const script = cached('install.sh', 'touch "$PATCHDAY_ROOT/opt/ran"\n');
    writeFileSync(script.path, 'touch "$PATCHDAY_ROOT/opt/ran"; touch "$PATCHDAY_ROOT/opt/tampered"\n');
    const changed = await runInstallScript(root, handler(script), [script], 60);
    assert.match(changed.error!, /install\.sh in the cache changed: sha256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    assert.equal(changed.unchanged, true);
    const other = cached('readme.txt', 'hello');
    const missing = await runInstallScript(root, handler(script), [other], 60);
    assert.match(missing.error!, /the install script \(sha256 [0-9a-f]{64}\) is not among the update's files/);
    assert.throws(() => readFileSync(join(root, 'opt/ran')));
  });
});
