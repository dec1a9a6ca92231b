import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ALL_SYSTEMS_COLLECTION_ID, type UpdateGroupChange, type UpdateGroupDetail } from '@patchday/core';
import { startContentFixture, type ContentFixture } from '../../test/content-fixture.ts';
import { describeEachStore, differingTables, dumpStore } from '../../test/stores.ts';
import { findUpdateIdsMatching, replaceGroupUpdates } from './group-members.ts';

describeEachStore('update groups', (kind) => {
  let f: ContentFixture;
  const ids = () => Object.fromEntries(Object.entries(f.updates).map(([k, v]) => [k, v.updateId])) as Record<keyof ContentFixture['updates'], string>;

  /** Runs `attempt` and proves it changed nothing in the store. */
  const unchanged = async (attempt: () => Promise<void>) => {
    const before = await dumpStore(f.t.site.store);
    await attempt();
    const afterwards = await dumpStore(f.t.site.store);
    assert.deepEqual(differingTables(before, afterwards), []);
    assert.equal(afterwards, before);
  };
  const titles = (page: { updates: Array<{ title: string }> }) => page.updates.map((u) => u.title).sort();
  const create = async (body: unknown): Promise<UpdateGroupChange> => {
    const r = await f.t.api('POST', '/update-groups', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    f = await startContentFixture(kind);
  });
  after(async () => {
    await f.stop();
  });

  test('GET /updates previews a filter: required by at least N clients, within a collection, with the other criteria', async () => {
    const list = async (query: string) => (await f.t.api('GET', `/updates?${query}`)).body;
    assert.deepEqual(titles(await list('requiredByAtLeast=3')), [f.updates.bar.title]);
    assert.deepEqual(titles(await list('requiredByAtLeast=2')), [f.updates.bar.title, f.updates.foo.title].sort());
    assert.deepEqual(titles(await list('requiredByAtLeast=1&classification=Security%20Updates')), [f.updates.bar.title, f.updates.foo.title].sort());
    assert.deepEqual(titles(await list('requiredByAtLeast=1&severity=Critical')), []);
    assert.deepEqual(titles(await list(`requiredByAtLeast=2&collectionId=${f.webCollectionId}`)), [f.updates.bar.title], 'foo is required by one member of web only');
    assert.deepEqual(titles(await list('releasedWithinDays=30&expired=false')), [f.updates.bar.title, f.updates.foo.title].sort(), 'released 2026-11-20, the clock is at 2026-11-25');
    assert.equal((await list('vendor=Debian')).total, 4);
    assert.equal((await list('vendor=Nobody')).total, 0);
    const scopeAlone = await f.t.api('GET', `/updates?collectionId=${f.webCollectionId}`);
    assert.equal(scopeAlone.status, 400);
    assert.match(scopeAlone.body.error, /collectionId: collectionId says whose clients count toward requiredByAtLeast/);
    const unknown = await f.t.api('GET', `/updates?requiredByAtLeast=1&collectionId=${randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.equal((await f.t.api('GET', '/updates?requiredByAtLeast=0')).status, 400);
  });

  test('a group made from a filter holds every match that has not expired; expired matches are skipped and counted', async () => {
    const made = await create({ name: 'Foo', filter: { source: 'foo' } });
    assert.deepEqual([made.added, made.skippedExpired, made.alreadyMembers], [1, 1, 0]);
    assert.deepEqual(made.group.counts, { updates: 1, expired: 0, superseded: 0, withoutContent: 1 });
    const detail: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${made.group.groupId}`)).body;
    assert.deepEqual(detail.members.updates.map((u) => [u.updateId, u.expired, u.withoutContent, u.packages]), [[ids().foo, false, true, 0]]);

    const critical = await create({ name: 'Needed by two', description: 'security updates two clients need', filter: { classification: 'Security Updates', requiredByAtLeast: 2 } });
    assert.equal(critical.added, 2);
    const members: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${critical.group.groupId}`)).body;
    assert.deepEqual(titles(members.members), [f.updates.bar.title, f.updates.foo.title].sort());
    assert.equal(members.description, 'security updates two clients need');
    assert.equal(members.createdBy, 'admin');

    const scoped = await create({ name: 'Web needs', filter: { requiredByAtLeast: 2, collectionId: f.webCollectionId } });
    assert.equal(scoped.added, 1);
    const both = await create({ name: 'Both ways', updateIds: [ids().baz], filter: { source: 'bar' } });
    assert.deepEqual([both.added, both.group.counts.updates], [2, 2]);
    const list = (await f.t.api('GET', '/update-groups')).body.groups as Array<{ name: string; counts: { updates: number } }>;
    assert.deepEqual(list.map((g) => [g.name, g.counts.updates]), [['Both ways', 2], ['Foo', 1], ['Needed by two', 2], ['Web needs', 1]]);
  });

  test('an expired update named by id is refused with its name, and nothing changes', async () => {
    await unchanged(async () => {
      const r = await f.t.api('POST', '/update-groups', { name: 'Old', updateIds: [ids().foo, ids().oldFoo] });
      assert.equal(r.status, 409);
      assert.equal(r.body.error, `expired updates cannot be deployed, so they cannot be added: ${f.updates.oldFoo.title} (${ids().oldFoo})`);
      const group = (await f.t.api('GET', '/update-groups')).body.groups.find((g: { name: string }) => g.name === 'Foo');
      const add = await f.t.api('POST', `/update-groups/${group.groupId}/updates`, { updateIds: [ids().bar, ids().oldFoo] });
      assert.equal(add.status, 409);
      assert.match(add.body.error, new RegExp(ids().oldFoo));
    });
  });

  test('unknown ids, clashing names and bad input are refused, and nothing changes', async () => {
    const group = (await f.t.api('GET', '/update-groups')).body.groups.find((g: { name: string }) => g.name === 'Foo');
    const missing = randomUUID();
    await unchanged(async () => {
      const unknown = await f.t.api('POST', '/update-groups', { name: 'Ghost', updateIds: [ids().bar, missing] });
      assert.deepEqual([unknown.status, unknown.body.error], [404, `update ${missing} does not exist`]);
      assert.equal((await f.t.api('POST', `/update-groups/${missing}/updates`, { updateIds: [ids().bar] })).status, 404);
      assert.equal((await f.t.api('GET', `/update-groups/${missing}`)).status, 404);
      assert.equal((await f.t.api('DELETE', `/update-groups/${missing}`)).status, 404);
      assert.equal((await f.t.api('PATCH', `/update-groups/${missing}`, { name: 'x' })).status, 404);
      assert.equal((await f.t.api('DELETE', `/update-groups/${group.groupId}/updates`, { updateIds: [missing] })).status, 404);
      const clash = await f.t.api('POST', '/update-groups', { name: 'foo' });
      assert.equal(clash.status, 409);
      assert.match(clash.body.error, /an update group named "Foo" already exists/);
      assert.equal((await f.t.api('PATCH', `/update-groups/${group.groupId}`, { name: 'BOTH WAYS' })).status, 409);
      const scope = await f.t.api('POST', '/update-groups', { name: 'Scoped', filter: { requiredByAtLeast: 1, collectionId: randomUUID() } });
      assert.equal(scope.status, 404);
      for (const body of [{ name: '' }, { name: 'x', updateIds: ['nope'] }, { name: 'x', filter: { severity: 'Urgent' } }, { name: 'x', unknown: 1 }, { name: ' padded' }]) {
        const r = await f.t.api('POST', '/update-groups', body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.match(r.body.error, /^invalid update group: /);
      }
      assert.equal((await f.t.api('POST', `/update-groups/${group.groupId}/updates`, {})).status, 400);
      assert.equal((await f.t.api('GET', `/update-groups/${group.groupId}?flag=red`)).status, 400);
    });
  });

  test('updates are added and removed by id and by filter; members page with their flags', async () => {
    const group = (await create({ name: 'Edited' })).group;
    const add = async (body: unknown) => (await f.t.api('POST', `/update-groups/${group.groupId}/updates`, body)).body as UpdateGroupChange;
    const remove = async (body: unknown) => (await f.t.api('DELETE', `/update-groups/${group.groupId}/updates`, body)).body as UpdateGroupChange;
    assert.deepEqual([(await add({ updateIds: [ids().bar, ids().baz] })).added], [2]);
    const again = await add({ updateIds: [ids().bar], filter: { source: 'foo' } });
    assert.deepEqual([again.added, again.alreadyMembers, again.skippedExpired], [1, 1, 1]);
    assert.equal(again.group.counts.updates, 3);

    const page1: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${group.groupId}?pageSize=2`)).body;
    const page2: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${group.groupId}?pageSize=2&page=2`)).body;
    assert.equal(page1.members.total, 3);
    assert.deepEqual([...page1.members.updates, ...page2.members.updates].map((u) => u.title), [f.updates.bar.title, f.updates.baz.title, f.updates.foo.title].sort());
    const red: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${group.groupId}?flag=withoutContent`)).body;
    assert.equal(red.members.total, 3, 'no package carries anything yet');
    assert.equal((await f.t.api('GET', `/update-groups/${group.groupId}?flag=expired`)).body.members.total, 0);

    const byFilter = await remove({ filter: { source: 'bar' } });
    assert.deepEqual([byFilter.removed, byFilter.group.counts.updates], [1, 2]);
    const byId = await remove({ updateIds: [ids().baz, ids().bar] });
    assert.deepEqual([byId.removed, byId.notMembers, byId.group.counts.updates], [1, 1, 1]);

    const renamed = await f.t.api('PATCH', `/update-groups/${group.groupId}`, { name: 'Patch Tuesday', description: 'monthly' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.deepEqual([renamed.body.name, renamed.body.description, renamed.body.counts.updates], ['Patch Tuesday', 'monthly', 1]);
    const audit = (await f.t.api('GET', `/audit?limit=20`)).body;
    const actions = (audit.entries ?? audit).filter((e: { target: string }) => e.target === group.groupId).map((e: { action: string }) => e.action);
    assert.deepEqual(actions.sort(), ['update-group.add-updates', 'update-group.add-updates', 'update-group.create', 'update-group.remove-updates', 'update-group.remove-updates', 'update-group.update'].sort());
  });

  test('a group a deployment uses cannot be deleted; once it is unused it can', async () => {
    const group = (await create({ name: 'Deployed', updateIds: [ids().bar] })).group;
    const deploymentId = randomUUID();
    const now = f.clock.now().toISOString();
    await f.t.site.store.db
      .insertInto('deployments')
      .values({ deployment_id: deploymentId, name: 'Bar to everyone', group_id: group.groupId, collection_id: ALL_SYSTEMS_COLLECTION_ID, adr_id: null, definition: '{}', enabled: 1, created_by: 'admin', created_at: now, updated_at: now })
      .execute();
    assert.equal((await f.t.api('GET', `/update-groups/${group.groupId}`)).body.deployments, 1);
    await unchanged(async () => {
      const refused = await f.t.api('DELETE', `/update-groups/${group.groupId}`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'update group "Deployed" cannot be deleted while deployment "Bar to everyone" uses it; delete it first');
    });
    await f.t.site.store.db.deleteFrom('deployments').where('deployment_id', '=', deploymentId).execute();
    const deleted = await f.t.api('DELETE', `/update-groups/${group.groupId}`);
    assert.deepEqual([deleted.status, deleted.body], [200, { groupId: group.groupId, deleted: true }]);
    assert.equal((await f.t.api('GET', `/update-groups/${group.groupId}`)).status, 404);
    assert.equal((await f.t.site.store.db.selectFrom('update_group_members').select('update_id').where('group_id', '=', group.groupId).execute()).length, 0);
  });

  test('service functions for automatic deployment rules: the deployable matches, and emptying and refilling a group', async () => {
    const now = f.clock.now();
    const { db } = f.t.site.store;
    assert.deepEqual(await findUpdateIdsMatching(db, { source: 'foo' }, now), [ids().foo]);
    assert.deepEqual(await findUpdateIdsMatching(db, { source: 'foo', expired: true }, now), []);
    assert.deepEqual((await findUpdateIdsMatching(db, { requiredByAtLeast: 2 }, now)).sort(), [ids().bar, ids().foo].sort());
    const group = (await create({ name: 'Rule group', updateIds: [ids().baz] })).group;
    const change = await db.transaction().execute((trx) => replaceGroupUpdates(trx, group.groupId, [ids().bar, ids().foo, ids().bar], now));
    assert.deepEqual([change.removed, change.added], [1, 2]);
    const members: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${group.groupId}`)).body;
    assert.deepEqual(members.members.updates.map((u) => u.updateId).sort(), [ids().bar, ids().foo].sort());
    await unchanged(async () => {
      await assert.rejects(db.transaction().execute((trx) => replaceGroupUpdates(trx, group.groupId, [ids().oldFoo], now)), /expired updates cannot be deployed/);
    });
  });

  test('an update that expires after it was added (a later sync) is counted and listed as expired', async () => {
    const group = (await create({ name: 'Baz', updateIds: [ids().baz] })).group;
    assert.equal(group.counts.expired, 0);
    await f.publishSecurity([{ package: 'baz', version: '1.0-2' }, { package: 'libbaz1', source: 'baz', version: '1.0-2' }]);
    const after: UpdateGroupDetail = (await f.t.api('GET', `/update-groups/${group.groupId}`)).body;
    assert.deepEqual([after.counts.updates, after.counts.expired, after.counts.superseded], [1, 1, 1]);
    assert.equal(after.members.updates[0]!.expired, true);
    assert.equal((await f.t.api('GET', `/update-groups/${group.groupId}?flag=expired`)).body.members.total, 1);
    const cleared = await f.t.api('DELETE', `/update-groups/${group.groupId}/updates`, { filter: { expired: true } });
    assert.deepEqual([cleared.body.removed, cleared.body.group.counts.updates], [1, 0]);
  });
});
