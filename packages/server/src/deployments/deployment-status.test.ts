import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ClientDeployments, DeploymentStatus, VirtualClock, type StateMessage } from '@patchday/core';
import { describeEachStore } from '../../test/stores.ts';
import { deploymentFixture, type Agent, type DeploymentFixture } from './deployment-fixture.ts';

const DAY = 86_400_000;
const dpkgError = 'dpkg: error processing package openssl (--install): dependency problems - leaving unconfigured';

describeEachStore('deployment monitoring from state messages (topics 300/301/302)', (kind) => {
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let f: DeploymentFixture;
  const agents: Record<string, Agent> = {};
  const seqs: Record<string, number> = {};
  let deploymentId: string;
  let collectionId: string;
  let ids: string[];

  /** The agent sends topic 300/301/302 messages about the deployment, numbered after its last. */
  const report = async (name: string, messages: Array<[300 | 301 | 302, number, { updateId?: string; error?: string }?]>) => {
    const agent = agents[name];
    const batch = messages.map(([topic, stateId, extra = {}]): StateMessage => {
      seqs[name] = (seqs[name] ?? 0) + 1;
      const common = { seq: seqs[name], time: clock.now().toISOString(), deploymentId, stateId, error: extra.error ?? null };
      return topic === 301 ? { ...common, topic, updateId: extra.updateId ?? null } : ({ ...common, topic } as StateMessage);
    });
    const r = await f.t.mp('POST', `/clients/${agent.clientId}/state-messages`, agent.credential, { messages: batch });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const status = async (query = '') => {
    const r = await f.t.api('GET', `/deployments/${deploymentId}/status${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return DeploymentStatus.parse(r.body);
  };
  const categories = async () => Object.fromEntries((await status()).clients.map((c) => [c.name, `${c.category}: ${c.detail}`]));

  before(async () => {
    f = await deploymentFixture(kind, clock);
    ids = f.updateIds;
    const names = ['c-compliant', 'c-installing', 'c-window', 'c-restart', 'c-failed', 'c-evalfail', 'c-before', 'c-unknown', 'c-left'];
    for (const name of names) agents[name] = await f.enrol(name);
    collectionId = await f.collection('Pilot', names.map((n) => agents[n]));
    const groupId = await f.group('December', ids.slice(0, 2));
    const d = await f.deploy({ name: 'December to pilot', groupId, collectionId, availableAt: '2026-11-26T10:00Z', deadlineAt: '2026-11-28T10:00Z' });
    deploymentId = d.deploymentId;
  });
  after(() => f.stop());

  test('each member is compliant, in progress, waiting, in error (with the error text) or unknown', async () => {
    await report('c-compliant', [[302, 1], [302, 2], [301, 7, { updateId: ids[0] }], [301, 8, { updateId: ids[0] }], [301, 1, { updateId: ids[0] }], [301, 4, { updateId: ids[0] }], [300, 1]]);
    await report('c-installing', [[302, 2], [301, 1, { updateId: ids[1] }]]);
    await report('c-window', [[302, 2], [301, 8], [301, 10, { updateId: ids[0] }]]);
    await report('c-restart', [[302, 2], [301, 5, { updateId: ids[1] }], [300, 2]]);
    await report('c-failed', [[302, 2], [301, 6, { updateId: ids[0], error: dpkgError }], [300, 2]]);
    await report('c-evalfail', [[302, 3, { error: 'the cached catalogue does not have update ' + ids[1] }]]);
    await report('c-before', [[302, 1]]);
    await report('c-left', [[300, 1]]);
    const r = await f.t.api('DELETE', `/collections/${collectionId}/members/${agents['c-left'].clientId}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));

    const s = await status();
    assert.deepEqual(s.counts, { members: 8, compliant: 1, inProgress: 1, waiting: 3, error: 2, unknown: 1 });
    assert.equal(s.percentCompliant, 12.5);
    assert.deepEqual(await categories(), {
      'c-before': 'waiting: waiting for the available time',
      'c-compliant': 'compliant: compliant',
      'c-evalfail': 'error: evaluation failed',
      'c-failed': 'error: failed install',
      'c-installing': 'in-progress: installing',
      'c-restart': 'waiting: pending restart',
      'c-unknown': 'unknown: no state message yet',
      'c-window': 'waiting: waiting for maintenance window',
    });
    const failed = s.clients.find((c) => c.name === 'c-failed')!;
    assert.equal(failed.error, dpkgError);
    assert.deepEqual(failed.states.map((x) => [x.topic, x.stateId, x.state, x.updateId]), [
      [300, 2, 'non-compliant', null],
      [301, 6, 'failed install', ids[0]],
      [302, 2, 'evaluation succeeded', null],
    ]);
  });

  test('rows filter by category and page; bad queries are 400, unknown deployments 404', async () => {
    const errors = await status('?category=error');
    assert.deepEqual([errors.total, errors.category, errors.clients.map((c) => c.name)], [2, 'error', ['c-evalfail', 'c-failed']]);
    assert.match(errors.clients[0].error!, /cached catalogue does not have update/);
    const page = await status('?limit=3&offset=3');
    assert.deepEqual([page.total, page.clients.map((c) => c.name)], [8, ['c-failed', 'c-installing', 'c-restart']]);
    assert.equal(page.counts.members, 8, 'counts cover every member whatever the page');
    assert.equal((await f.t.api('GET', `/deployments/${deploymentId}/status?category=broken`)).status, 400);
    assert.equal((await f.t.api('GET', `/deployments/${deploymentId}/status?limit=0`)).status, 400);
    assert.equal((await f.t.api('GET', `/deployments/${randomUUID()}/status`)).status, 404);
  });

  test('as time passes: an evaluated client waits for the deadline, then is in progress; newer messages outrank older ones', async () => {
    clock.advance(1.5 * DAY);
    assert.equal((await categories())['c-before'], 'waiting: waiting for the deadline');
    clock.advance(2 * DAY);
    assert.equal((await categories())['c-before'], 'in-progress: evaluated, past the deadline');
    // The failed client retries and succeeds; the compliant one starts on an update added to the group.
    await report('c-failed', [[301, 1, { updateId: ids[0] }], [301, 4, { updateId: ids[0] }], [300, 1]]);
    clock.advance(60_000);
    await report('c-compliant', [[301, 7, { updateId: ids[2] }]]);
    const s = await status();
    assert.deepEqual(await categories().then((c) => [c['c-failed'], c['c-compliant']]), ['compliant: compliant', 'in-progress: downloading']);
    assert.deepEqual(s.counts, { members: 8, compliant: 1, inProgress: 3, waiting: 2, error: 1, unknown: 1 });
  });

  test("a client's assignments with their states (GET /clients/:clientId/deployments)", async () => {
    const r = await f.t.api('GET', `/clients/${agents['c-window'].clientId}/deployments`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const mine = ClientDeployments.parse(r.body);
    assert.equal(mine.name, 'c-window');
    assert.deepEqual(mine.deployments.map((d) => [d.name, d.collectionName, d.purpose, d.availableAt, d.deadlineAt, d.category, d.detail]), [
      ['December to pilot', 'Pilot', 'required', '2026-11-26T10:00:00.000Z', '2026-11-28T10:00:00.000Z', 'waiting', 'waiting for maintenance window'],
    ]);
    assert.deepEqual(mine.deployments[0].states.map((s) => [s.topic, s.state, s.updateId]), [
      [301, 'waiting for maintenance window', ids[0]],
      [302, 'evaluation succeeded', null],
    ]);
    const left = ClientDeployments.parse((await f.t.api('GET', `/clients/${agents['c-left'].clientId}/deployments`)).body);
    assert.deepEqual(left.deployments, [], 'a client that left the collection has no assignment');
    assert.equal((await f.t.api('GET', `/clients/${randomUUID()}/deployments`)).status, 404);
  });
});
