import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ALL_SYSTEMS_COLLECTION_ID, VirtualClock } from '@patchday/core';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore, dumpStore } from '../../test/stores.ts';

describeEachStore('enrolment tokens that place clients in a collection', (kind) => {
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  before(async () => {
    t = await startTestSite(kind, { clock });
  });
  after(() => t.stop());

  const register = async (name: string, enrolmentToken: string) => {
    const response = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, enrolmentToken }) });
    return { status: response.status, body: await response.json() };
  };
  const membersOf = async (collectionId: string) => (await t.api('GET', `/collections/${collectionId}/members`)).body.members.map((m: { name: string }) => m.name).sort();

  test('a client enrolling with the token is a direct member of its collection at once', async () => {
    const web = (await t.api('POST', '/collections', { name: 'Web servers' })).body;
    const created = await t.api('POST', '/enrolment-tokens', { name: 'web', collectionId: web.collectionId });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.collectionId, web.collectionId);
    assert.equal((await register('web-01', created.body.token)).status, 201);
    assert.deepEqual(await membersOf(web.collectionId), ['web-01']);
    const audit = (await t.api('GET', '/audit?action=enrolment-token.create')).body.entries[0];
    assert.equal(audit.details.collectionId, web.collectionId);
  });

  test('a token for All Systems or an unknown collection is refused and changes nothing', async () => {
    const before = await dumpStore(t.site.store);
    const all = await t.api('POST', '/enrolment-tokens', { collectionId: ALL_SYSTEMS_COLLECTION_ID });
    assert.equal(all.status, 400);
    assert.match(all.body.error, /every active client/);
    const unknown = await t.api('POST', '/enrolment-tokens', { collectionId: '7d0c7a8e-0000-4000-8000-000000000000' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /collection 7d0c7a8e/);
    const malformed = await t.api('POST', '/enrolment-tokens', { collectionId: 'web' });
    assert.equal(malformed.status, 400);
    assert.equal(await dumpStore(t.site.store), before);
  });

  test('a collection deleted after the token was made does not keep machines from enrolling', async () => {
    const lab = (await t.api('POST', '/collections', { name: 'Lab' })).body;
    const token = (await t.api('POST', '/enrolment-tokens', { collectionId: lab.collectionId })).body.token;
    assert.equal((await t.api('DELETE', `/collections/${lab.collectionId}`)).status, 200);
    const registered = await register('lab-01', token);
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.ok((await membersOf(ALL_SYSTEMS_COLLECTION_ID)).includes('lab-01'));
  });
});
