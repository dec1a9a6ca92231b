import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Deployment, VirtualClock } from '@patchday/core';
import { describeEachStore } from '../../test/stores.ts';
import { deploymentFixture, type Agent, type DeploymentFixture } from './deployment-fixture.ts';

const HOUR = 3_600_000;

describeEachStore('deployments and the assignments in policy', (kind) => {
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let f: DeploymentFixture;
  let web1: Agent, web2: Agent, db1: Agent;
  let web: string;
  let group: string;
  let deploymentId: string;
  let ids: string[];

  before(async () => {
    f = await deploymentFixture(kind, clock);
    ids = f.updateIds;
    [web1, web2, db1] = [await f.enrol('web-1'), await f.enrol('web-2'), await f.enrol('db-1')];
    web = await f.collection('Web servers', [web1, web2]);
    group = await f.group('November security', ids.slice(0, 3));
  });
  after(() => f.stop());

  test('creating a deployment puts its assignment into the policy of every member, and of no other client', async () => {
    const created = await f.t.api('POST', '/deployments', {
      name: 'November security to web',
      groupId: group,
      collectionId: web,
      availableAt: '2026-11-26T08:00Z',
      deadlineAt: '2026-12-01T22:00:00Z',
      restartSuppression: 'servers',
      maxRunMinutes: 90,
      updateMaxRunMinutes: { [ids[1]]: 180 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const d = Deployment.parse(created.body);
    deploymentId = d.deploymentId;
    assert.deepEqual(
      [d.purpose, d.timeBasis, d.availableAt, d.deadlineAt, d.enabled, d.installOutsideWindows, d.reportOnly, d.groupName, d.collectionName, d.updateCount, d.createdBy],
      ['required', 'utc', '2026-11-26T08:00:00.000Z', '2026-12-01T22:00:00.000Z', true, false, false, 'November security', 'Web servers', 3, 'admin'],
    );
    assert.equal(d.flags.expiredUpdates.count, 0);
    assert.equal(d.flags.updatesWithoutContent.count, 3, 'no package carries their files yet');

    const { policy } = await f.policy(web1);
    assert.equal(policy!.assignments.length, 1);
    const a = policy!.assignments[0];
    assert.deepEqual(
      { ...a, updates: undefined },
      { deploymentId, name: 'November security to web', purpose: 'required', timeBasis: 'utc', availableAt: '2026-11-26T08:00:00.000Z', deadlineAt: '2026-12-01T22:00:00.000Z', restartSuppression: 'servers', installOutsideWindows: false, restartOutsideWindows: false, reportOnly: false, updates: undefined },
    );
    assert.deepEqual(
      a.updates,
      ids
        .slice(0, 3)
        .sort()
        .map((updateId) => ({ updateId, maxRunMinutes: updateId === ids[1] ? 180 : 90, handler: { kind: 'dpkg' } })),
    );
    // Gzipped (as agents ask for it; the test's fetch unzips) or plain: the same policy, the same ETag.
    const fetchAs = (encoding: string) => fetch(`${f.t.url}/mp/v1/clients/${web1.clientId}/policy`, { headers: { authorization: `Bearer ${web1.credential}`, 'accept-encoding': encoding } });
    const [gzipped, plain] = [await fetchAs('gzip'), await fetchAs('identity')];
    assert.deepEqual([gzipped.headers.get('content-encoding'), plain.headers.get('content-encoding')], ['gzip', null]);
    assert.equal(plain.headers.get('etag'), gzipped.headers.get('etag'));
    assert.match(gzipped.headers.get('etag')!, /^W\/"[A-Za-z0-9_-]{43}"$/);
    assert.deepEqual(await plain.json(), await gzipped.json());
    assert.deepEqual((await f.policy(web2)).policy!.assignments, policy!.assignments);
    assert.deepEqual((await f.policy(db1)).policy!.assignments, [], 'db-1 is not in the collection');
    const audit = (await f.t.api('GET', '/audit?action=deployment.create')).body.entries;
    assert.equal(audit[0].target, deploymentId);
  });

  test('creation writes nothing per client: one deployment row, whatever the collection size', async () => {
    const rows = await f.t.site.store.db.selectFrom('deployments').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(await f.t.site.store.db.selectFrom('client_deployment_states').selectAll().execute(), []);
  });

  test('an unchanged policy is a 304; a new member gets the assignment at its next poll', async () => {
    const first = await f.policy(web1);
    clock.advance(HOUR);
    const again = await f.policy(web1, first.etag);
    assert.equal(again.status, 304);
    const before = await f.policy(db1);
    await f.addMembers(web, [db1]);
    const after = await f.policy(db1, before.etag);
    assert.equal(after.status, 200);
    assert.deepEqual(after.policy!.assignments.map((a) => a.deploymentId), [deploymentId]);
    assert.notEqual(after.etag, before.etag);
  });

  test('updates added to or removed from the group reach the policy and change its ETag', async () => {
    const first = await f.policy(web1);
    clock.advance(60_000);
    await f.addToGroup(group, [ids[3], ids[4]]);
    const grown = await f.policy(web1, first.etag);
    assert.equal(grown.status, 200);
    assert.deepEqual(grown.policy!.assignments[0].updates.map((u) => u.updateId), ids.slice(0, 5).sort());
    clock.advance(60_000);
    await f.removeFromGroup(group, [ids[0]]);
    const shrunk = await f.policy(web1, grown.etag);
    assert.equal(shrunk.status, 200);
    assert.deepEqual(shrunk.policy!.assignments[0].updates.map((u) => u.updateId), ids.slice(1, 5).sort());
    // Within the same millisecond as the last change: the member count still tells them apart.
    await f.addToGroup(group, [ids[5]]);
    const same = await f.policy(web1, shrunk.etag);
    assert.equal(same.status, 200);
    assert.equal(same.policy!.assignments[0].updates.length, 5);
  });

  test('disabling a deployment removes it from policy, enabling brings it back; changing its times changes the ETag', async () => {
    const first = await f.policy(web1);
    const disabled = await f.t.api('PATCH', `/deployments/${deploymentId}`, { enabled: false });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.enabled, false);
    const off = await f.policy(web1, first.etag);
    assert.equal(off.status, 200);
    assert.deepEqual(off.policy!.assignments, []);
    assert.equal((await f.t.api('PATCH', `/deployments/${deploymentId}`, { enabled: true })).status, 200);
    const on = await f.policy(web1, off.etag);
    assert.deepEqual(on.policy!.assignments.map((a) => a.deploymentId), [deploymentId]);
    assert.equal(on.etag, first.etag, 'the same policy again has the same ETag');

    const moved = await f.t.api('PATCH', `/deployments/${deploymentId}`, { deadlineAt: '2026-12-02T22:00Z', installOutsideWindows: true });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const changed = await f.policy(web1, on.etag);
    assert.equal(changed.status, 200);
    assert.equal(changed.policy!.assignments[0].deadlineAt, '2026-12-02T22:00:00.000Z');
    assert.equal(changed.policy!.assignments[0].installOutsideWindows, true);
    const actions = (await f.t.api('GET', '/audit')).body.entries.filter((e: { target: string }) => e.target === deploymentId).map((e: { action: string }) => e.action);
    for (const action of ['deployment.disable', 'deployment.enable', 'deployment.update']) assert.ok(actions.includes(action), `${action} in ${actions}`);
  });

  test('bad deployments are refused with a message naming the problem, and nothing changes', async () => {
    const good = { name: 'x', groupId: group, collectionId: web, availableAt: '2026-11-26T08:00Z', deadlineAt: '2026-11-27T08:00Z' };
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ ...good, groupId: randomUUID() }, 404, /update group [0-9a-f-]{36} does not exist/],
      [{ ...good, collectionId: randomUUID() }, 404, /collection [0-9a-f-]{36} does not exist/],
      [{ ...good, deadlineAt: '2026-11-25T08:00Z' }, 400, /deadlineAt: the deadline \(2026-11-25T08:00:00.000Z\) is before the available time \(2026-11-26T08:00:00.000Z\)/],
      [{ ...good, purpose: 'available' }, 400, /deadlineAt: an available deployment has no deadline/],
      [{ ...good, deadlineAt: null }, 400, /deadlineAt: a required deployment needs a deadline/],
      [{ ...good, availableAt: '2026-11-26T08:00' }, 400, /availableAt: a UTC deployment time ends with Z/],
      [{ ...good, timeBasis: 'client-local' }, 400, /availableAt: a client-local deployment time has no Z/],
      [{ ...good, availableAt: '2026-02-30T08:00Z' }, 400, /availableAt: "2026-02-30T08:00Z" is not a real date and time/],
      [{ ...good, availableAt: 'tomorrow' }, 400, /availableAt: a deployment time is YYYY-MM-DDTHH:MM/],
      [{ ...good, maxRunMinutes: 0 }, 400, /maxRunMinutes: a maximum run time is at least 1 minute/],
      [{ ...good, restartSuppression: 'laptops' }, 400, /restartSuppression/],
      [{ ...good, alerts: { belowPercent: 120, afterDays: 3 } }, 400, /alerts.belowPercent: belowPercent is 1 to 100/],
      [{ ...good, updateMaxRunMinutes: { '00000000-0000-4000-8000-000000000000': 30 } }, 400, /updateMaxRunMinutes: update 00000000-0000-4000-8000-000000000000 is not in this site's catalogue/],
      [{ ...good, colour: 'red' }, 400, /colour/],
      [{ ...good, name: '' }, 400, /name: a deployment name cannot be empty/],
    ];
    await f.unchanged(async () => {
      for (const [body, status, message] of cases) {
        const r = await f.t.api('POST', '/deployments', body);
        assert.equal(r.status, status, `${message}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.error, message);
      }
      const patches: Array<[Record<string, unknown>, number, RegExp]> = [
        [{ groupId: group }, 400, /groupId: a deployment's update group cannot be changed/],
        [{ collectionId: web }, 400, /collectionId: a deployment's collection cannot be changed/],
        [{ deadlineAt: '2020-01-01T00:00Z' }, 400, /the deadline .* is before the available time/],
        [{ purpose: 'available', deadlineAt: '2026-12-24T00:00Z' }, 400, /an available deployment has no deadline/],
      ];
      for (const [body, status, message] of patches) {
        const r = await f.t.api('PATCH', `/deployments/${deploymentId}`, body);
        assert.equal(r.status, status, JSON.stringify(r.body));
        assert.match(r.body.error, message);
      }
      assert.equal((await f.t.api('PATCH', `/deployments/${randomUUID()}`, { enabled: false })).status, 404);
      assert.equal((await f.t.api('DELETE', `/deployments/${randomUUID()}`)).status, 404);
      assert.equal((await f.t.api('GET', '/deployments/not-a-uuid')).status, 400);
      assert.equal((await f.t.api('POST', '/deployments', good, null)).status, 401);
    });
  });

  test('a group holding expired updates cannot be deployed: 409 naming them; an existing deployment is flagged and stops offering them', async () => {
    const db = f.t.site.store.db;
    const before = await f.policy(web1);
    // A sync expires an update the group holds (superseded long enough ago): what writeCatalogue does.
    clock.advance(60_000);
    const expiring = ids[2];
    const { title } = await db.selectFrom('updates').select('title').where('update_id', '=', expiring).executeTakeFirstOrThrow();
    const seq = Number((await db.selectFrom('site_settings').select('value').where('key', '=', 'catalogue_seq').executeTakeFirstOrThrow()).value) + 1;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('updates').set({ expired: 1, superseded: 1, change_seq: seq }).where('update_id', '=', expiring).execute();
      await trx.updateTable('site_settings').set({ value: String(seq) }).where('key', '=', 'catalogue_seq').execute();
    });

    await f.unchanged(async () => {
      const refused = await f.t.api('POST', '/deployments', { name: 'again', groupId: group, collectionId: web, deadlineAt: '2026-12-24T00:00Z' });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error, `update group "November security" holds 1 expired update, which cannot be deployed: ${title} (${expiring}); remove it from the group first`);
      assert.deepEqual(refused.body.details.expiredUpdates, [{ updateId: expiring, title }]);
    });
    const shown = Deployment.parse((await f.t.api('GET', `/deployments/${deploymentId}`)).body);
    assert.deepEqual(shown.flags.expiredUpdates, { count: 1, updates: [{ updateId: expiring, title }] });
    const after = await f.policy(web1, before.etag);
    assert.equal(after.status, 200);
    assert.ok(!after.policy!.assignments[0].updates.some((u) => u.updateId === expiring), 'an expired update is no longer offered');
    assert.equal(after.policy!.assignments[0].updates.length, before.policy!.assignments[0].updates.length - 1);
    // Enabling and disabling stay possible.
    assert.equal((await f.t.api('PATCH', `/deployments/${deploymentId}`, { enabled: false })).status, 200);
    assert.equal((await f.t.api('PATCH', `/deployments/${deploymentId}`, { enabled: true })).status, 200);
    await f.removeFromGroup(group, [expiring]);
  });

  test('an available deployment in client-local time, list and show', async () => {
    const other = await f.group('Optional tools', [ids[10]]);
    const created = await f.t.api('POST', '/deployments', { name: 'Tools (optional)', groupId: other, collectionId: web, purpose: 'available', timeBasis: 'client-local', availableAt: '2026-11-27T09:00' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.availableAt, created.body.deadlineAt], ['2026-11-27T09:00:00', null]);
    clock.advance(60_000);
    const defaulted = await f.t.api('POST', '/deployments', { name: 'Tools now', groupId: other, collectionId: web, purpose: 'available', enabled: false });
    assert.equal(defaulted.body.availableAt, clock.now().toISOString(), 'available now by default');
    const list: Deployment[] = (await f.t.api('GET', '/deployments')).body.deployments.map((d: unknown) => Deployment.parse(d));
    assert.deepEqual(list.map((d) => [d.name, d.enabled, d.updateCount]), [
      ['November security to web', true, 4],
      ['Tools (optional)', true, 1],
      ['Tools now', false, 1],
    ]);
    const { policy } = await f.policy(web2);
    assert.deepEqual(policy!.assignments.map((a) => [a.name, a.purpose, a.timeBasis, a.availableAt, a.deadlineAt]), [
      ['November security to web', 'required', 'utc', '2026-11-26T08:00:00.000Z', '2026-12-02T22:00:00.000Z'],
      ['Tools (optional)', 'available', 'client-local', '2026-11-27T09:00:00', null],
    ]);
    const toRequired = await f.t.api('PATCH', `/deployments/${created.body.deploymentId}`, { purpose: 'required', deadlineAt: '2026-11-28T09:00' });
    assert.equal(toRequired.status, 200, JSON.stringify(toRequired.body));
    const backToAvailable = await f.t.api('PATCH', `/deployments/${created.body.deploymentId}`, { purpose: 'available' });
    assert.equal(backToAvailable.body.deadlineAt, null, 'an available deployment drops its deadline');
  });

  test('a collection a deployment targets cannot be deleted (409 naming it); a deleted client takes its deployment states with it', async () => {
    const refused = await f.t.api('DELETE', `/collections/${web}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(refused.body.error, /^collection "Web servers" cannot be deleted while deployment "November security to web".* deploy to it; delete or change them first$/);
    assert.equal((await f.t.api('GET', `/collections/${web}`)).status, 200);

    const sent = await f.t.mp('POST', `/clients/${db1.clientId}/state-messages`, db1.credential, {
      messages: [{ seq: 1, time: clock.now().toISOString(), topic: 302, stateId: 1, deploymentId, error: null }],
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const states = () => f.t.site.store.db.selectFrom('client_deployment_states').select('deployment_id').where('client_id', '=', db1.clientId).execute();
    assert.equal((await states()).length, 1);
    assert.equal((await f.t.api('DELETE', `/clients/${db1.clientId}`)).status, 200);
    assert.deepEqual(await states(), []);
  });

  test('deleting a deployment takes it out of every policy and removes what clients reported about it', async () => {
    const r = await f.t.api('DELETE', `/deployments/${deploymentId}`);
    assert.deepEqual(r.body, { deploymentId, name: 'November security to web', deleted: true });
    const { policy } = await f.policy(web1);
    assert.deepEqual(policy!.assignments.map((a) => a.name), ['Tools (optional)']);
    assert.equal((await f.t.api('GET', `/deployments/${deploymentId}`)).status, 404);
    const audit = (await f.t.api('GET', '/audit?action=deployment.delete')).body.entries;
    assert.equal(audit[0].target, deploymentId);
  });
});
