import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { CatalogueDelta, VirtualClock, debianApplicabilityRules } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../../test/site-harness.ts';
import { describeEachStore } from '../../../test/stores.ts';

/** The real bookworm-security suite synced from the snapshot; the clock sits before its Valid-Until (2026-11-29). */
describeEachStore('the update point /up/v1', (kind) => {
  let mirror: ArchiveServer;
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let agent: { clientId: string; credential: string };

  /** A raw GET, so the test sees the bytes and headers on the wire (fetch would undo the gzip). */
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; raw: Buffer; text: string; body: any }>((resolve, reject) => {
      const url = new URL(`${t.url}/up/v1${path}`);
      const req = httpRequest(url, { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(parts);
          const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, raw, text, body: text ? JSON.parse(text) : null });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const as = (credential: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${credential}`, ...extra });
  const catalogue = (since: number | string, extra: Record<string, string> = {}) => get(`/catalogue?product=Debian%2012&architecture=amd64&since=${since}`, as(agent.credential, extra));
  const register = async (body: unknown) => {
    const response = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await response.json()) as { clientId: string; credential: string; status: string };
  };
  /** Every Debian 12 update the admin API lists, most recently changed first. */
  const adminUpdates = async () => {
    const page = await t.api('GET', '/updates?product=Debian%2012&sort=-changeSeq&pageSize=1000');
    assert.equal(page.status, 200);
    return page.body as { total: number; updates: Array<{ updateId: string; changeSeq: number; suite: string }> };
  };

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock });
    const add = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const token = (await t.api('POST', '/enrolment-tokens', { name: 'lab' })).body.token;
    const registered = await register({ enrolmentToken: token, name: 'node-1' });
    assert.equal(registered.status, 'active');
    agent = registered;
  });
  after(async () => {
    await t.stop();
    await mirror.close();
  });

  let anchor: number;
  let etag: string;

  test('since=0: the whole Debian 12 amd64 catalogue, each entry valid, with rules generated from its binaries', async () => {
    const response = await catalogue(0);
    assert.equal(response.status, 200, response.text.slice(0, 500));
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const delta = CatalogueDelta.parse(response.body);
    const admin = await adminUpdates();
    assert.equal(delta.complete, true);
    assert.equal(delta.product, 'Debian 12');
    assert.equal(delta.architecture, 'amd64');
    assert.equal(delta.updates.length, admin.total);
    assert.ok(delta.updates.length > 400, `${delta.updates.length} updates`);
    assert.deepEqual(new Set(delta.updates.map((u) => u.updateId)), new Set(admin.updates.map((u) => u.updateId)));
    anchor = (await t.api('GET', '/sync/status')).body.catalogueSeq;
    assert.ok(anchor > 0);
    assert.equal(delta.anchor, anchor);

    const summary = (await t.api('GET', '/updates?source=openssl&suite=bookworm-security')).body.updates[0];
    const detail = (await t.api('GET', `/updates/${summary.updateId}`)).body;
    const entry = delta.updates.find((u) => u.updateId === summary.updateId)!;
    assert.equal(entry.title, 'openssl 3.0.22-1~deb12u2 (Debian 12 security update)');
    assert.equal(entry.classification, 'Security Updates');
    assert.equal(entry.revision, detail.revision);
    assert.equal(entry.changeSeq, detail.changeSeq);
    assert.deepEqual(entry.binaries, detail.binaries);
    assert.deepEqual(entry.applicability, debianApplicabilityRules({ product: 'Debian 12', binaries: detail.binaries }));
    const superseded = delta.updates.filter((u) => u.superseded).length;
    assert.equal(superseded, (await t.api('GET', '/updates?product=Debian%2012&superseded=true&pageSize=1')).body.total);

    etag = String(response.headers.etag);
    assert.match(etag, /^W\/"[A-Za-z0-9_-]+"$/);
    assert.equal(response.headers.vary, 'Accept-Encoding');
  });

  test('since=anchor: an empty delta; a current ETag costs a 304 with no body', async () => {
    const response = await catalogue(anchor);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { product: 'Debian 12', architecture: 'amd64', anchor, complete: false, updates: [] });
    const again = await catalogue(0, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.raw.length, 0);
    assert.equal(again.headers.etag, etag);
    const other = await catalogue(anchor, { 'if-none-match': etag });
    assert.equal(other.status, 200, 'another since is another answer');
  });

  test('an anchor the site never issued gets the whole catalogue; another architecture gets only what fits it', async () => {
    const ahead = await catalogue(anchor + 1000);
    assert.equal(ahead.body.complete, true);
    assert.equal(ahead.body.anchor, anchor);
    assert.equal(ahead.body.updates.length, (await adminUpdates()).total);
    // Synced for amd64 only: an arm64 machine sees just the updates carrying `all` binaries.
    const arm = await get('/catalogue?product=Debian%2012&architecture=arm64', as(agent.credential));
    assert.equal(arm.status, 200);
    const delta = CatalogueDelta.parse(arm.body);
    const withAll = (ahead.body as CatalogueDelta).updates.filter((u) => u.binaries.some((b) => b.architecture === 'all'));
    assert.ok(withAll.length > 0 && withAll.length < ahead.body.updates.length);
    assert.deepEqual(delta.updates.map((u) => u.updateId), withAll.map((u) => u.updateId));
    const none = await get('/catalogue?product=Debian%2099&architecture=amd64', as(agent.credential));
    assert.deepEqual(none.body, { product: 'Debian 99', architecture: 'amd64', anchor, complete: true, updates: [] });
  });

  test('gzip when the agent accepts it: the same JSON, a fraction of the bytes', async () => {
    const plain = await catalogue(0, { 'accept-encoding': 'identity' });
    const zipped = await catalogue(0, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.text, plain.text);
    assert.ok(zipped.raw.length * 4 < plain.raw.length, `${zipped.raw.length} gzipped vs ${plain.raw.length}`);
    const refused = await catalogue(0, { 'accept-encoding': 'gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  test('after a sync that changes the catalogue, the old anchor gets only what changed', async () => {
    const add = await t.api('POST', '/upstreams', { name: 'debian', url: `${mirror.url}/debian`, suites: ['bookworm-updates'], keyring: debianKeyring });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const run = await t.site.sync.run('test', { upstream: 'debian' });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.ok(run.added > 0);
    const admin = await adminUpdates();
    const changed = admin.updates.filter((u) => u.changeSeq > anchor);
    assert.ok(changed.length < 1000, 'one page holds every changed update');
    assert.ok(changed.length >= run.added);

    const delta = CatalogueDelta.parse((await catalogue(anchor)).body);
    assert.equal(delta.complete, false);
    assert.ok(delta.anchor > anchor);
    assert.equal(delta.anchor, (await t.api('GET', '/sync/status')).body.catalogueSeq);
    assert.deepEqual(delta.updates.map((u) => u.updateId).sort(), changed.map((u) => u.updateId).sort());
    assert.ok(delta.updates.every((u) => u.changeSeq > anchor && u.changeSeq <= delta.anchor));
    assert.equal(delta.updates.filter((u) => changed.find((c) => c.updateId === u.updateId)!.suite === 'bookworm-updates').length, run.added);
    // The old ETag is stale now; the full catalogue grew by what was added.
    assert.equal((await catalogue(0, { 'if-none-match': etag })).status, 200);
    const whole = await catalogue(0);
    assert.equal(whole.body.updates.length, admin.total);
    const zipped = await catalogue(0, { 'accept-encoding': 'gzip' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.text, whole.text, 'the gzipped whole catalogue is the new anchor\'s, not the one built before the sync');
    assert.equal((await catalogue(delta.anchor)).body.updates.length, 0);
  });

  test('authentication: no credential or an admin token 401, a pending client 403', async () => {
    const anonymous = await get('/catalogue?product=Debian%2012&architecture=amd64');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.body.error, /agent authentication required/);
    assert.equal((await get('/catalogue?product=Debian%2012&architecture=amd64', as(t.token))).status, 401, 'an admin token is not an agent credential');
    assert.equal((await get('/catalogue?product=Debian%2012&architecture=amd64', as('pdc_forgedforgedforgedforgedforged'))).status, 401);
    const pending = await register({ name: 'kiosk-7' });
    assert.equal(pending.status, 'pending');
    const refused = await get('/catalogue?product=Debian%2012&architecture=amd64', as(pending.credential));
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /waiting for an administrator/);
  });

  test('a bad query is answered 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/catalogue?architecture=amd64', /^invalid query: product:/],
      ['/catalogue?product=Debian%2012&architecture=AMD64', /architecture: an architecture is a dpkg architecture name/],
      ['/catalogue?product=Debian%2012&architecture=amd64&since=-1', /since: Too small/],
      ['/catalogue?product=Debian%2012&architecture=amd64&since=soon', /since:/],
      ['/catalogue?product=Debian%2012&architecture=amd64&since=1&since=2', /since:/],
      ['/catalogue?product=Debian%2012&architecture=amd64&page=2', /invalid query: .*page/],
      [`/catalogue?product=${'x'.repeat(101)}&architecture=amd64`, /product: Too big/],
    ];
    for (const [path, message] of cases) {
      const response = await get(path, as(agent.credential));
      assert.equal(response.status, 400, path);
      assert.match(response.body.error, message, path);
    }
  });
});
