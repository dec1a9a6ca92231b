import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { describeEachStore, dumpStore } from '../../../test/stores.ts';
import { debianKeyring, startTestSite, type TestSite } from '../../../test/site-harness.ts';

describeEachStore('admin API', (kind) => {
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  before(async () => {
    t = await startTestSite(kind, { clock });
  });
  after(() => t.stop());

  test('every route but health and login needs a valid token', async () => {
    assert.equal((await t.api('GET', '/health', undefined, null)).status, 200);
    const anonymous = await t.api('GET', '/updates', undefined, null);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.body.error, /authentication required/);
    const forged = await t.api('GET', '/updates', undefined, 'pd_forgedforgedforgedforgedforged');
    assert.equal(forged.status, 401);
    assert.match(forged.body.error, /invalid or expired token/);
  });

  test('a GET answer carries an ETag; asking again with it costs a 304 until the answer changes', async () => {
    const get = (path: string, etag?: string) =>
      fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${t.token}`, ...(etag ? { 'if-none-match': etag } : {}) } });
    const first = await get('/users');
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^W\/"[\w-]+"$/);
    assert.equal(first.headers.get('cache-control'), 'private, no-cache');
    const again = await get('/users', etag!);
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    // Another answer, another tag: a tag never stands for a body it was not made from.
    assert.notEqual((await get('/upstreams')).headers.get('etag'), etag);
    const created = await t.api('POST', '/users', { username: 'etag-user', password: 'etag-password-1', role: 'Read-only Analyst' });
    assert.equal(created.status, 201);
    const changed = await get('/users', etag!);
    assert.equal(changed.status, 200);
    assert.ok((await changed.json()).users.some((u: { username: string }) => u.username === 'etag-user'));
    assert.notEqual(changed.headers.get('etag'), etag);
    // Errors are never conditional.
    const missing = await get('/deployments/00000000-0000-4000-8000-000000000000', etag!);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('etag'), null);
  });

  test('a wrong password is refused and a session token expires after 30 days', async () => {
    const wrong = await t.api('POST', '/auth/login', { username: 'admin', password: 'not the password' }, null);
    assert.equal(wrong.status, 401);
    const login = await t.api('POST', '/auth/login', { username: 'admin', password: t.adminPassword }, null);
    assert.equal(login.status, 200);
    assert.equal((await t.api('GET', '/auth/whoami', undefined, login.body.token)).body.role, 'Full Administrator');
    clock.advance(31 * 86_400_000);
    assert.equal((await t.api('GET', '/auth/whoami', undefined, login.body.token)).status, 401);
    await t.relogin();
  });

  test('roles: a Read-only Analyst reads but cannot change anything', async () => {
    const created = await t.api('POST', '/users', { username: 'ana', password: 'analyst-password-1', role: 'Read-only Analyst' });
    assert.equal(created.status, 201);
    const login = await t.api('POST', '/auth/login', { username: 'ana', password: 'analyst-password-1' }, null);
    const ana = login.body.token as string;
    assert.equal((await t.api('GET', '/upstreams', undefined, ana)).status, 200);
    const before = await dumpStore(t.site.store, { except: ['audit_log', 'api_tokens'] });
    const add = await t.api('POST', '/upstreams', { name: 'x', url: 'http://127.0.0.1:1/debian', suites: ['bookworm'] }, ana);
    assert.equal(add.status, 403);
    assert.match(add.body.error, /Read-only Analyst role may not/);
    assert.equal((await t.api('POST', '/sync/runs', {}, ana)).status, 403);
    assert.equal((await t.api('PUT', '/sync/criteria', { products: ['Debian 12'] }, ana)).status, 403);
    assert.equal(await dumpStore(t.site.store, { except: ['audit_log', 'api_tokens'] }), before);
  });

  test('bad input gets a 4xx naming the problem and changes nothing', async () => {
    const before = await dumpStore(t.site.store);
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/upstreams', { name: 'Bad Name!', url: 'http://127.0.0.1/debian', suites: ['bookworm'] }, 400, /name: a name is/],
      ['POST', '/upstreams', { name: 'deb', url: 'file:///etc/passwd', suites: ['bookworm'] }, 400, /url: .*http/],
      ['POST', '/upstreams', { name: 'deb', url: 'http://127.0.0.1/debian', suites: ['../../etc'] }, 400, /suites\.0: a suite is/],
      ['POST', '/upstreams', { name: 'deb', url: 'http://127.0.0.1/debian', suites: ['bookworm'], keyring: '/usr/share/../../etc/shadow' }, 400, /keyring: .*\.\./],
      ['POST', '/upstreams', { name: 'deb', url: 'http://127.0.0.1/debian', suites: ['bookworm'], surprise: 1 }, 400, /Unrecognized key/i],
      ['POST', '/upstreams', '{"name": "deb", ', 400, /JSON/i],
      ['POST', '/upstreams', { name: 'deb', url: 'http://127.0.0.1/debian', suites: ['x'.repeat(300_000)] }, 413, /larger than 262144 bytes/],
      ['PUT', '/sync/schedule', { cron: 'every tuesday', timezone: 'UTC' }, 400, /invalid sync schedule/],
      ['PUT', '/sync/schedule', { cron: '0 3 * * *', timezone: 'Mars/Olympus' }, 400, /invalid sync schedule/],
      ['PUT', '/sync/criteria', { classifications: ['Bugfixes'] }, 400, /classifications\.0/],
      ['GET', '/updates/not-a-uuid', undefined, 400, /updateId is a UUID/],
      ['GET', '/updates/8c4b4d6e-0000-5000-8000-000000000000', undefined, 404, /does not exist/],
      ['GET', '/updates?pageSize=100000', undefined, 400, /pageSize/],
      ['GET', '/updates?classification=Nope', undefined, 400, /classification/],
      ['GET', '/upstreams/..%2F..%2Fetc', undefined, 404, /does not exist/],
      ['DELETE', '/upstreams/nope', undefined, 404, /upstream nope does not exist/],
      ['GET', '/sync/runs/99999', undefined, 404, /sync run 99999 does not exist/],
      ['POST', '/sync/runs', {}, 400, /no upstream is configured/],
      ['POST', '/users', { username: 'weak', password: 'short', role: 'Read-only Analyst' }, 400, /at least 12 characters/],
      ['GET', '/nowhere', undefined, 404, /no such endpoint/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await t.api(method, path, body);
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error, message, `${method} ${path}`);
    }
    assert.equal(await dumpStore(t.site.store), before);
  });

  test('changing your own password needs the current one; it ends your other sessions', async () => {
    const other = (await t.api('POST', '/auth/login', { username: 'admin', password: t.adminPassword }, null)).body.token as string;
    const before = await dumpStore(t.site.store);
    const missing = await t.api('PUT', '/users/admin/password', { password: 'a-brand-new-password' });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /currentPassword: required/);
    const wrong = await t.api('PUT', '/users/admin/password', { password: 'a-brand-new-password', currentPassword: 'guess-guess-guess' });
    assert.equal(wrong.status, 403);
    assert.equal(await dumpStore(t.site.store), before);
    const ok = await t.api('PUT', '/users/admin/password', { password: 'a-brand-new-password', currentPassword: t.adminPassword });
    assert.equal(ok.status, 200);
    assert.equal((await t.api('GET', '/auth/whoami', undefined, other)).status, 401);
    assert.equal((await t.api('GET', '/auth/whoami')).status, 200);
    assert.equal((await t.api('POST', '/auth/login', { username: 'admin', password: 'a-brand-new-password' }, null)).status, 200);
    assert.equal(existsSync(join(t.dataDir, 'initial-admin-password')), false, 'the one-time password file is gone once used up');
    assert.equal((await t.api('PUT', '/users/admin/password', { password: t.adminPassword, currentPassword: 'a-brand-new-password' })).status, 200);
  });

  test('every change is in the audit log with who and what', async () => {
    const add = await t.api('POST', '/upstreams', { name: 'debian', url: 'http://127.0.0.1:9/debian', suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring });
    assert.equal(add.status, 201);
    assert.equal((await t.api('PUT', '/sync/criteria', { products: ['Debian 12'], classifications: [], architectures: ['amd64'] })).status, 200);
    assert.equal((await t.api('PUT', '/sync/schedule', { cron: '0 3 * * 2#2', timezone: 'Europe/Amsterdam' })).status, 200);
    assert.equal((await t.api('DELETE', '/upstreams/debian')).status, 200);
    const { body } = await t.api('GET', '/audit?limit=10');
    const actions = body.entries.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
    assert.deepEqual(actions.slice(0, 4), ['admin upstream.remove', 'admin sync.schedule', 'admin sync.criteria', 'admin upstream.add']);
    assert.equal(body.entries[3].details.url, 'http://127.0.0.1:9/debian');
  });

  test('the sync schedule is a cron with time zone; the second Tuesday at 03:00 Amsterdam is computed on the site clock', async () => {
    const res = await t.api('PUT', '/sync/schedule', { cron: '0 3 * * 2#2', timezone: 'Europe/Amsterdam' });
    assert.equal(res.status, 200);
    // The clock reads 2026-12-26 here (earlier tests advanced it): the next second Tuesday is 12 January 2027, 02:00 UTC.
    assert.equal(res.body.nextRunAt, '2027-01-12T02:00:00.000Z');
  });
});
