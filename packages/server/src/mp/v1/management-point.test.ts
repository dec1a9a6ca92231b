import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, inventoryOsOf, parseDpkgStatus, parseOsRelease, type Inventory } from '@patchday/core';
import { sharedData, startTestSite, type TestSite } from '../../../test/site-harness.ts';
import { describeEachStore, dumpStore } from '../../../test/stores.ts';

const nodeImageInventory = (): Inventory => ({
  os: inventoryOsOf(parseOsRelease('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'), 'amd64'),
  dpkg: parseDpkgStatus(readFileSync(join(sharedData, 'dpkg-status/bookworm-node-image.status'), 'utf8')),
  facts: { hostname: 'node-1' },
});

describeEachStore('enrolment and the management point', (kind) => {
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const mp: TestSite['mp'] = (...args) => t.mp(...args);

  before(async () => {
    t = await startTestSite(kind, { clock });
  });
  after(() => t.stop());

  let token: string;
  let tokenId: string;
  let agentA: { clientId: string; credential: string };
  let agentB: { clientId: string; credential: string };

  test('an administrator creates an enrolment token; it is shown once and audited', async () => {
    const created = await t.api('POST', '/enrolment-tokens', { name: 'lab', expiresInHours: 24, uses: 2 });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^pde_/);
    token = created.body.token;
    tokenId = created.body.tokenId;
    const list = (await t.api('GET', '/enrolment-tokens')).body.tokens;
    assert.equal(list[0].usesLeft, 2);
    assert.equal(JSON.stringify(list).includes(token), false, 'the token itself is never listed again');
    const audit = (await t.api('GET', '/audit?action=enrolment-token.create')).body.entries;
    assert.equal(audit[0].target, tokenId);
  });

  test('agents enrol with the token until it is used up; bad tokens are refused and change nothing', async () => {
    const a = await mp('POST', '/register', null, { enrolmentToken: token, name: 'node-1' });
    assert.equal(a.status, 201);
    assert.equal(a.body.status, 'active');
    assert.match(a.body.credential, /^pdc_/);
    agentA = a.body;
    const b = await mp('POST', '/register', null, { enrolmentToken: token, name: 'node-2' });
    assert.equal(b.status, 201);
    agentB = b.body;
    const before = await dumpStore(t.site.store);
    const usedUp = await mp('POST', '/register', null, { enrolmentToken: token, name: 'node-3' });
    assert.equal(usedUp.status, 401);
    assert.match(usedUp.body.error, /used up/);
    const forged = await mp('POST', '/register', null, { enrolmentToken: 'pde_forged', name: 'node-3' });
    assert.match(forged.body.error, /unknown or revoked enrolment token/);
    const badName = await mp('POST', '/register', null, { enrolmentToken: token, name: '../../etc' });
    assert.equal(badName.status, 400);
    assert.match(badName.body.error, /name: a client name is a host name/);
    assert.equal(await dumpStore(t.site.store), before);
  });

  test('an expired or revoked token is refused', async () => {
    const created = (await t.api('POST', '/enrolment-tokens', { expiresInHours: 1 })).body;
    clock.advance(2 * 3_600_000);
    const expired = await mp('POST', '/register', null, { enrolmentToken: created.token, name: 'late' });
    assert.equal(expired.status, 401);
    assert.match(expired.body.error, /expired at/);
    const other = (await t.api('POST', '/enrolment-tokens', {})).body;
    assert.equal((await t.api('DELETE', `/enrolment-tokens/${other.tokenId}`)).status, 200);
    assert.match((await mp('POST', '/register', null, { enrolmentToken: other.token, name: 'late' })).body.error, /revoked/);
  });

  test('an agent reads only its own policy; an unchanged policy costs a 304', async () => {
    const policy = await mp('GET', `/clients/${agentA.clientId}/policy`, agentA.credential);
    assert.equal(policy.status, 200);
    assert.equal(policy.body.clientId, agentA.clientId);
    assert.equal(policy.body.clientSettings.policyPollingMinutes, 60);
    assert.equal(policy.body.clientSettings.scanScheduleDays, 7);
    assert.deepEqual(policy.body.updatePoints, [{ url: `${t.url}/up/v1` }]);
    const again = await mp('GET', `/clients/${agentA.clientId}/policy`, agentA.credential, undefined, { 'if-none-match': policy.etag! });
    assert.equal(again.status, 304);
    const foreign = await mp('GET', `/clients/${agentB.clientId}/policy`, agentA.credential);
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.error, /only reach its own client/);
    assert.equal((await mp('GET', `/clients/${agentA.clientId}/policy`, null)).status, 401);
    assert.equal((await mp('GET', `/clients/${agentA.clientId}/policy`, t.token)).status, 401, 'an admin token is not an agent credential');
  });

  test('an agent reports its inventory (the real node image); malformed, foreign or oversized reports change nothing', async () => {
    const inventory = nodeImageInventory();
    assert.equal(Object.values(inventory.dpkg!).filter((p) => p.status === 'install ok installed').length, 710);
    assert.equal((await mp('PUT', `/clients/${agentA.clientId}/inventory`, agentA.credential, { inventory })).status, 204);
    const before = await dumpStore(t.site.store);
    const foreign = await mp('PUT', `/clients/${agentB.clientId}/inventory`, agentA.credential, { inventory });
    assert.equal(foreign.status, 403);
    const malformed = await mp('PUT', `/clients/${agentA.clientId}/inventory`, agentA.credential, { inventory: { ...inventory, os: { family: '' } } });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.error, /^invalid inventory: inventory\.os/);
    const huge = await mp('PUT', `/clients/${agentA.clientId}/inventory`, agentA.credential, JSON.stringify({ inventory: { ...inventory, facts: { blob: 'x'.repeat(9 * 1024 * 1024) } } }));
    assert.equal(huge.status, 413);
    assert.match(huge.body.error, /larger than 8388608 bytes/);
    assert.equal(await dumpStore(t.site.store), before);
    const clients = (await t.api('GET', '/clients')).body.clients;
    assert.deepEqual(clients.map((c: { name: string; lastInventoryAt: string | null }) => [c.name, c.lastInventoryAt !== null]), [['node-1', true], ['node-2', false]]);
  });

  test('without a token an agent waits for approval; approval is audited', async () => {
    const pending = await mp('POST', '/register', null, { name: 'kiosk-7' });
    assert.equal(pending.status, 202);
    assert.equal(pending.body.status, 'pending');
    const refused = await mp('GET', `/clients/${pending.body.clientId}/policy`, pending.body.credential);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /waiting for an administrator/);
    const analyst = await t.api('POST', '/users', { username: 'ro', password: 'read-only-password', role: 'Read-only Analyst' });
    assert.equal(analyst.status, 201);
    const roToken = (await t.api('POST', '/auth/login', { username: 'ro', password: 'read-only-password' }, null)).body.token;
    assert.equal((await t.api('POST', `/clients/${pending.body.clientId}/approve`, {}, roToken)).status, 403);
    const approved = await t.api('POST', `/clients/${pending.body.clientId}/approve`, {});
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, 'active');
    assert.equal((await mp('GET', `/clients/${pending.body.clientId}/policy`, pending.body.credential)).status, 200);
    const audit = (await t.api('GET', '/audit?action=client.approve')).body.entries;
    assert.equal(audit[0].actor, 'admin');
  });
});
