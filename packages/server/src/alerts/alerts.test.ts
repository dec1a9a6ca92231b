import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AlertEvaluation, AlertList, VirtualClock, type Alert, type StateMessage } from '@patchday/core';
import { describeEachStore } from '../../test/stores.ts';
import { deploymentFixture, type Agent, type DeploymentFixture } from '../deployments/deployment-fixture.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

describeEachStore('alerts (§9): deployment compliance under X % after Y days, sync failures', (kind) => {
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let f: DeploymentFixture;
  let agents: Agent[];
  let deploymentId: string;

  const alerts = async (state: 'open' | 'all' = 'open'): Promise<Alert[]> => {
    const r = await f.t.api('GET', `/alerts?state=${state}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return AlertList.parse(r.body).alerts;
  };
  /** Moves the site clock on timer by timer, letting each alert evaluation finish before the next. */
  const advance = async (ms: number) => {
    const end = clock.now().getTime() + ms;
    for (let next = clock.pending().find((d) => d.getTime() <= end); next; next = clock.pending().find((d) => d.getTime() <= end)) {
      clock.advanceTo(next < clock.now() ? clock.now() : next);
      await f.t.site.alerts.whenIdle();
    }
    clock.advanceTo(new Date(end));
    await f.t.site.alerts.whenIdle();
  };
  const compliant = async (agent: Agent, seq: number) => {
    const message: StateMessage = { seq, time: clock.now().toISOString(), topic: 300, stateId: 1, deploymentId, error: null };
    assert.equal((await f.t.mp('POST', `/clients/${agent.clientId}/state-messages`, agent.credential, { messages: [message] })).status, 200);
  };

  before(async () => {
    f = await deploymentFixture(kind, clock);
    agents = [await f.enrol('app-1'), await f.enrol('app-2'), await f.enrol('app-3'), await f.enrol('app-4')];
    const collectionId = await f.collection('Apps', agents);
    const groupId = await f.group('Critical', f.updateIds.slice(0, 2));
    const d = await f.deploy({ name: 'Critical to apps', groupId, collectionId, availableAt: '2026-11-25T12:00Z', deadlineAt: '2026-11-26T12:00Z', alerts: { belowPercent: 75, afterDays: 2 } });
    deploymentId = d.deploymentId;
  });
  after(() => f.stop());

  test('a failed sync raises a sync-failure alert with its reason; the next successful sync clears it', async () => {
    const broken = await f.t.api('POST', '/upstreams', { name: 'broken', url: 'http://127.0.0.1:9/debian', suites: ['bookworm'], keyring: '/nonexistent/keyring.gpg' });
    assert.equal(broken.status, 201, JSON.stringify(broken.body));
    const run = await f.t.site.sync.run('test');
    assert.equal(run.status, 'failed');
    const evaluated = AlertEvaluation.parse((await f.t.api('POST', '/alerts/evaluate')).body);
    assert.deepEqual([evaluated.raised, evaluated.cleared, evaluated.open], [1, 0, 1]);
    const [alert] = await alerts();
    assert.deepEqual([alert.kind, alert.targetName, alert.severity, alert.clearedAt], ['sync-failure', 'update point', 'error', null]);
    assert.equal(alert.text, `sync ${run.runId} failed at ${run.finishedAt}: ${run.error}`);
    // Evaluating again raises nothing new.
    assert.equal(AlertEvaluation.parse((await f.t.api('POST', '/alerts/evaluate')).body).raised, 0);

    assert.equal((await f.t.api('DELETE', '/upstreams/broken')).status, 200);
    assert.equal((await f.t.site.sync.run('test')).status, 'succeeded');
    await advance(15 * MINUTE);
    assert.deepEqual(await alerts(), []);
    const all = await alerts('all');
    assert.equal(all.length, 1);
    assert.equal(all[0].clearedAt, '2026-11-25T10:15:00.000Z', 'cleared by the evaluation 15 minutes after the site started');
  });

  test('a deployment under its compliance goal after Y days raises an alert; reaching the goal clears it', async () => {
    // One day after the available time: too early to judge, whatever the compliance.
    await advance(DAY);
    assert.deepEqual(await alerts(), []);
    await compliant(agents[0], 1);
    // Two days after: 1 of 4 compliant, under 75 %.
    await advance(DAY + 2 * 3_600_000);
    const [alert] = await alerts();
    assert.deepEqual([alert.kind, alert.targetId, alert.targetName, alert.severity], ['deployment-compliance', deploymentId, 'Critical to apps', 'warning']);
    assert.equal(alert.raisedAt, '2026-11-27T12:00:00.000Z', 'raised by the first evaluation 2 days after the available time');
    assert.equal(alert.text, 'deployment "Critical to apps": 25 % compliant (1 of 4 clients), under 75 % 2 days after its available time');
    const raisedAt = alert.raisedAt;
    // Still under the goal: the same alert stays open with the current figures.
    await compliant(agents[1], 1);
    await advance(15 * MINUTE);
    const still = await alerts();
    assert.equal(still.length, 1);
    assert.equal(still[0].raisedAt, raisedAt);
    assert.match(still[0].text, /50 % compliant \(2 of 4 clients\)/);
    // 3 of 4 = 75 %: the goal is met and the alert clears at the next evaluation.
    await compliant(agents[2], 1);
    await advance(15 * MINUTE);
    assert.deepEqual(await alerts(), []);
    assert.ok((await alerts('all')).find((a) => a.kind === 'deployment-compliance')!.clearedAt! <= clock.now().toISOString());
  });

  test('disabling the deployment or removing its alert settings clears its alert', async () => {
    // A client leaves the goal: 2 of 4 again, and a new alert is raised.
    const message: StateMessage = { seq: 2, time: clock.now().toISOString(), topic: 301, stateId: 6, deploymentId, updateId: f.updateIds[0], error: 'dpkg: error' };
    assert.equal((await f.t.mp('POST', `/clients/${agents[2].clientId}/state-messages`, agents[2].credential, { messages: [message] })).status, 200);
    await advance(15 * MINUTE);
    assert.equal((await alerts()).length, 1);
    assert.equal((await f.t.api('PATCH', `/deployments/${deploymentId}`, { enabled: false })).status, 200);
    await advance(15 * MINUTE);
    assert.deepEqual(await alerts(), []);
    assert.equal((await f.t.api('PATCH', `/deployments/${deploymentId}`, { enabled: true })).status, 200);
    await advance(15 * MINUTE);
    assert.equal((await alerts()).length, 1);
    assert.equal((await f.t.api('PATCH', `/deployments/${deploymentId}`, { alerts: null })).status, 200);
    const evaluated = AlertEvaluation.parse((await f.t.api('POST', '/alerts/evaluate')).body);
    assert.deepEqual([evaluated.cleared, evaluated.open], [1, 0]);
    assert.deepEqual(
      (await alerts('all')).map((a) => [a.kind, a.clearedAt !== null]),
      [['deployment-compliance', true], ['deployment-compliance', true], ['deployment-compliance', true], ['sync-failure', true]],
    );
    assert.equal((await f.t.api('GET', '/alerts?state=some')).status, 400);
  });
});
