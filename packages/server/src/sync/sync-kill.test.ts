import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot } from '../../test/site-harness.ts';
import { createTestDatabase, describeEachStore, differingTables, dumpStore, type TestDatabase } from '../../test/stores.ts';
import { openStore } from '../store/open-store.ts';

const cli = new URL('../../../cli/bin/patchday.js', import.meta.url).pathname;

interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when the server logs a line containing `text`. */
  waitForLog(text: string): Promise<void>;
}

function startServer(dataDir: string, db: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cli, 'server', '--data-dir', dataDir, '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (listening) resolve({ child, url: listening[1], waitForLog: (text) => new Promise((r) => waiters.push({ text, resolve: r })) });
      for (const w of waiters.filter((w) => line.includes(w.text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
}

/** The catalogue and its sync state: what must be all-old or all-new after a crash. */
async function catalogue(url: string): Promise<string> {
  const store = await openStore(url);
  try {
    return await dumpStore(store, { except: ['status_messages', 'sync_runs', 'audit_log', 'api_tokens'] });
  } finally {
    await store.close();
  }
}

describeEachStore('a site killed (kill -9) in the middle of writing a sync', (kind) => {
  let mirror: ArchiveServer;
  let database: TestDatabase;
  let dataDir: string;
  let server: ServerProcess;
  let token: string;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  const waitForRun = async (runId: number) => {
    for (;;) {
      const run = (await api('GET', `/sync/runs/${runId}`)).body;
      if (run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    database = await createTestDatabase(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'patchday-kill-'));
    server = await startServer(dataDir, database.url);
    const password = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    token = ((await login.json()) as { token: string }).token;
  });
  after(async () => {
    server.child.kill('SIGKILL');
    await mirror.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('after restart the catalogue is exactly the old one, and the next sync completes it', async () => {
    assert.equal((await api('POST', '/upstreams', { name: 'updates', url: `${mirror.url}/debian`, suites: ['bookworm-updates'], keyring: debianKeyring })).status, 201);
    const small = await waitForRun((await api('POST', '/sync/runs', {})).body.runId);
    assert.equal(small.status, 'succeeded', small.error);
    assert.equal((await api('POST', '/upstreams', { name: 'main', url: `${mirror.url}/debian`, suites: ['bookworm'], keyring: debianKeyring })).status, 201);
    const old = await catalogue(database.url);
    const writing = server.waitForLog('sync writing catalogue');
    const started = await api('POST', '/sync/runs', { upstream: 'main' });
    assert.equal(started.status, 202);
    await writing;
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));

    assert.deepEqual(differingTables(await catalogue(database.url), old), [], 'a killed sync left part of its write behind');

    server = await startServer(dataDir, database.url);
    const interrupted = (await api('GET', `/sync/runs/${started.body.runId}`)).body;
    assert.equal(interrupted.status, 'failed');
    assert.match(interrupted.error, /interrupted/);
    const full = await waitForRun((await api('POST', '/sync/runs', { upstream: 'main' })).body.runId);
    assert.equal(full.status, 'succeeded', full.error);
    assert.ok(full.added > 30_000, `added ${full.added}`);
    assert.notEqual(await catalogue(database.url), old);
  });
});
