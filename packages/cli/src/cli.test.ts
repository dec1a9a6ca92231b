import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../test/run-cli.ts';
import { VirtualClock } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../server/test/site-harness.ts';
import { describeEachStore } from '../../server/test/stores.ts';


describeEachStore('the patchday CLI against a running site', (kind) => {
  let t: TestSite;
  let mirror: ArchiveServer;
  let home: string;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');

  /** Runs `patchday …` as a user would, with its own config home and PATCHDAY_SERVER. */
  const patchday = (args: string[], env: Record<string, string> = {}) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: t.url, PATCHDAY_TOKEN: '', ...env });

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock });
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-home-'));
  });
  after(async () => {
    await t.stop();
    await mirror.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('without a token every admin command says how to log in, on stderr, with exit code 3', async () => {
    const r = await patchday(['updates', 'list']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /authentication required.*patchday login/);
  });

  test('login with --password-file keeps a token (file mode 0600) and --json prints it', async () => {
    const wrong = join(home, 'wrong');
    writeFileSync(wrong, 'not-the-password\n');
    const bad = await patchday(['login', '--user', 'admin', '--password-file', wrong]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /wrong username or password/);
    const passwordFile = join(t.dataDir, 'initial-admin-password');
    assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
    const r = await patchday(['login', '--user', 'admin', '--password-file', passwordFile, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).token, /^pd_/);
    assert.equal(statSync(join(home, 'patchday', 'credentials.json')).mode & 0o777, 0o600);
  });

  test('upstream add / list / remove, with validation errors on stderr and exit code 2', async () => {
    const bad = await patchday(['upstream', 'add', 'debian', '--name', 'x', '--url', 'ftp://example', '--suites', 'bookworm']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /url/);
    const add = await patchday(['upstream', 'add', 'debian', '--name', 'security', '--url', `${mirror.url}/debian-security`, '--suites', 'bookworm-security', '--arch', 'amd64', '--keyring', debianKeyring]);
    assert.equal(add.code, 0, add.stderr);
    const list = await patchday(['upstream', 'list', '--json']);
    assert.deepEqual(JSON.parse(list.stdout).map((u: { name: string; suites: string[] }) => [u.name, u.suites]), [['security', ['bookworm-security']]]);
    const table = await patchday(['upstream', 'list']);
    assert.match(table.stdout, /^NAME\s+KIND\s+URL/m);
    assert.match(table.stdout, /security\s+debian\s+http:\/\/127\.0\.0\.1/);
  });

  test('sync run prints a summary table, and --json the run; sync status shows the suites', async () => {
    const r = await patchday(['sync', 'run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ADDED\s+REVISED\s+SUPERSEDED\s+EXPIRED\s+UNCHANGED\n-+.*\n414\s/);
    assert.match(r.stdout, /security\s+bookworm-security\s+Debian 12\s+updated\s+414/);
    const again = await patchday(['sync', 'run', '--json']);
    assert.equal(again.code, 0);
    const run = JSON.parse(again.stdout);
    assert.deepEqual([run.status, run.added, run.unchanged], ['succeeded', 0, 414]);
    const status = await patchday(['sync', 'status', '--json']);
    assert.equal(JSON.parse(status.stdout).suites[0].suite, 'bookworm-security');
  });

  test('a failing sync exits 1 and names the suite and the reason', async () => {
    const clear = mirror.fault('bookworm-security/InRelease', { status: 500 });
    try {
      const r = await patchday(['sync', 'run']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /security\/bookworm-security: .*HTTP 500/);
    } finally {
      clear();
    }
  });

  test('updates list filters and pages; updates show gives binaries, hashes and revisions', async () => {
    const list = await patchday(['updates', 'list', '--source', 'openssl', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const page = JSON.parse(list.stdout);
    assert.equal(page.total, 1);
    const table = await patchday(['updates', 'list', '--classification', 'Security Updates', '--not-superseded', '--page-size', '5']);
    assert.match(table.stdout, /^UPDATE ID\s+TITLE/m);
    assert.match(table.stdout, /1–5 of \d+ updates \(page 1\)/);
    const show = await patchday(['updates', 'show', page.updates[0].updateId]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^Title:\s+openssl 3\.0\.22-1~deb12u2/m);
    assert.match(show.stdout, /libssl3\s+3\.0\.22-1~deb12u2\s+amd64\s+\d+\s+[0-9a-f]{64}/);
    assert.match(show.stdout, /^1\s+\S+\s+\d+\s+created$/m);
    const missing = await patchday(['updates', 'show', '00000000-0000-5000-8000-000000000000']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /does not exist/);
  });

  test('status-messages list and audit list, as tables and JSON', async () => {
    const messages = await patchday(['status-messages', 'list', '--id', '6703', '--json']);
    assert.equal(JSON.parse(messages.stdout)[0].messageId, 6703);
    const table = await patchday(['status-messages', 'list', '--limit', '5']);
    assert.match(table.stdout, /6702\s+info\s+update-point\s+Sync \d+ completed/);
    const audit = await patchday(['audit', 'list', '--json']);
    const actions = JSON.parse(audit.stdout).map((e: { action: string }) => e.action);
    assert.ok(actions.includes('upstream.add') && actions.includes('sync.run') && actions.includes('auth.login'), actions.join(','));
  });

  test('enrolment-tokens create --json prints the token; an agent enrols with it and clients list shows it', async () => {
    const created = await patchday(['enrolment-tokens', 'create', '--name', 'lab', '--uses', '1', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { token } = JSON.parse(created.stdout);
    assert.match(token, /^pde_/);
    const register = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrolmentToken: token, name: 'node-9' }) });
    assert.equal(register.status, 201);
    const list = await patchday(['clients', 'list', '--json']);
    assert.deepEqual(JSON.parse(list.stdout).map((c: { name: string; status: string }) => [c.name, c.status]), [['node-9', 'active']]);
    const tokens = await patchday(['enrolment-tokens', 'list']);
    assert.match(tokens.stdout, /lab\s+admin\s+\S+\s+0\s/);
    const before = await patchday(['compliance', 'client', 'node-9', '--json']);
    assert.equal(before.code, 0, before.stderr);
    assert.deepEqual([JSON.parse(before.stdout).product, JSON.parse(before.stdout).inventoryAt], [null, null]);
    const table = await patchday(['compliance', 'client', 'node-9']);
    assert.match(table.stdout, /^Product:\s+unknown \(no inventory or scan yet\)/m);
    const missing = await patchday(['compliance', 'client', 'no-such-host']);
    assert.equal(missing.code, 4);
    const openssl = JSON.parse((await patchday(['updates', 'list', '--source', 'openssl', '--json'])).stdout).updates[0];
    const fleet = await patchday(['compliance', 'update', openssl.updateId, '--json']);
    assert.equal(fleet.code, 0, fleet.stderr);
    assert.deepEqual(JSON.parse(fleet.stdout).counts, { Unknown: 1, 'Not Required': 0, Required: 0, Installed: 0 });
    assert.match((await patchday(['compliance', 'update', openssl.updateId])).stdout, /^node-9\s+\S+\s+Unknown\s+none$/m);
  });

  test('whoami names the logged-in administrator; after logout the token no longer works', async () => {
    const me = await patchday(['whoami', '--json']);
    assert.deepEqual(JSON.parse(me.stdout), { username: 'admin', role: 'Full Administrator' });
    const out = await patchday(['logout']);
    assert.equal(out.code, 0, out.stderr);
    const after = await patchday(['whoami']);
    assert.equal(after.code, 3);
    assert.match(after.stderr, /invalid or expired token.*log in again/);
  });

  test('PATCHDAY_TOKEN overrides the stored token; an unreachable site exits 5', async () => {
    const r = await patchday(['upstream', 'list'], { PATCHDAY_TOKEN: 'pd_not_a_real_token_at_all_123456' });
    assert.equal(r.code, 3);
    const down = await patchday(['upstream', 'list'], { PATCHDAY_SERVER: 'http://127.0.0.1:1' });
    assert.equal(down.code, 5);
    assert.match(down.stderr, /cannot reach the site/);
  });
});
