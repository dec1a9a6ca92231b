import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ALL_SYSTEMS_COLLECTION_ID, Client, StateMessageAck, VirtualClock, type StateMessage } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../../test/site-harness.ts';
import { describeEachStore, differingTables, dumpStore } from '../../../test/stores.ts';

describeEachStore('state messages at the management point', (kind) => {
  let mirror: ArchiveServer;
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let agentA: { clientId: string; credential: string };
  let agentB: { clientId: string; credential: string };
  /** Real update ids of the synced bookworm-security suite. */
  let ids: string[];
  let anchor: number;

  const post = async (clientId: string, credential: string | null, body: unknown) => {
    const response = await fetch(`${t.url}/mp/v1/clients/${clientId}/state-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const send = (agent: { clientId: string; credential: string }, messages: unknown[]) => post(agent.clientId, agent.credential, { messages });
  const detection = (seq: number, updateId: string, stateId: number, time = '2026-11-25T12:00:00+02:00'): StateMessage => ({ seq, time, topic: 500, stateId, updateId, revision: 1 });
  const scan = (seq: number, stateId: number, extra: Partial<{ product: string | null; anchor: number | null; error: string | null; time: string }> = {}): StateMessage => ({
    seq,
    time: extra.time ?? '2026-11-25T10:30:00Z',
    topic: 501,
    stateId,
    scanId: '3f0d6a52-44b1-4b0e-9a55-5b0f4c0c6a10',
    product: extra.product ?? null,
    anchor: extra.anchor ?? null,
    error: extra.error ?? null,
  });
  let deploymentId: string;
  let agentC: { clientId: string; credential: string };
  const deploymentMessage = (seq: number, topic: 300 | 301 | 302, stateId: number, extra: { updateId?: string; error?: string; deploymentId?: string } = {}) =>
    ({ seq, time: '2026-11-25T13:00:00Z', topic, stateId, deploymentId: extra.deploymentId ?? deploymentId, error: extra.error ?? null, ...(topic === 301 ? { updateId: extra.updateId ?? null } : {}) }) as StateMessage;
  const deploymentStatesOf = async (clientId: string) =>
    (await t.site.store.db.selectFrom('client_deployment_states').selectAll().where('client_id', '=', clientId).where('deployment_id', '=', deploymentId).orderBy('topic').execute()).map((r) => [Number(r.topic), Number(r.state_id), r.update_id, r.error]);
  const statesOf = async (clientId: string) =>
    (await t.site.store.db.selectFrom('client_update_states').selectAll().where('client_id', '=', clientId).orderBy('update_id').execute()).map((r) => ({ ...r, state_id: Number(r.state_id), revision: Number(r.revision) }));
  const register = async (body: unknown) => {
    const response = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await response.json()) as { clientId: string; credential: string; status: string };
  };
  /** Runs `attempt` and proves it changed nothing in the store. */
  const unchanged = async (attempt: () => Promise<void>) => {
    const before = await dumpStore(t.site.store);
    await attempt();
    const afterwards = await dumpStore(t.site.store);
    assert.deepEqual(differingTables(before, afterwards), []);
    assert.equal(afterwards, before);
  };

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock });
    const add = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    anchor = run.catalogueSeq!;
    ids = (await t.api('GET', '/updates?pageSize=20&sort=title')).body.updates.map((u: { updateId: string }) => u.updateId);
    const token = (await t.api('POST', '/enrolment-tokens', { name: 'lab' })).body.token;
    agentA = await register({ enrolmentToken: token, name: 'node-1' });
    agentB = await register({ enrolmentToken: token, name: 'node-2' });
  });
  after(async () => {
    await t.stop();
    await mirror.close();
  });

  const firstBatch = () => [detection(1, ids[0], 2), detection(2, ids[1], 1), detection(3, ids[2], 2), detection(4, ids[0], 3), scan(5, 2)];

  test('a batch is stored in one go and acknowledged; the last message per update wins', async () => {
    clock.advance(60_000);
    const response = await send(agentA, firstBatch());
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(StateMessageAck.parse(response.body), { acknowledgedSeq: 5, stored: 5, duplicates: 0 });
    const states = await statesOf(agentA.clientId);
    const byUpdate = Object.fromEntries(states.map((s) => [s.update_id, s]));
    assert.deepEqual(Object.keys(byUpdate).sort(), [ids[0], ids[1], ids[2]].sort());
    assert.equal(byUpdate[ids[0]].state_id, 3, 'seq 4 (installed) replaced seq 1 (required)');
    assert.equal(byUpdate[ids[1]].state_id, 1);
    assert.equal(byUpdate[ids[0]].state_at, '2026-11-25T10:00:00.000Z', 'agent time, normalised to UTC');
    assert.equal(byUpdate[ids[0]].received_at, clock.now().toISOString());
    const client = Client.parse((await t.api('GET', `/clients/${agentA.clientId}`)).body);
    assert.equal(client.lastStateMessageAt, clock.now().toISOString());
    assert.deepEqual(client.lastScan, { at: '2026-11-25T10:30:00.000Z', stateId: 2, error: null, anchor: null, product: null, completedAt: null });
  });

  test('the same batch resent (its answer was lost) is acknowledged again and changes nothing', async () => {
    clock.advance(60_000);
    await unchanged(async () => {
      const response = await send(agentA, firstBatch());
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { acknowledgedSeq: 5, stored: 0, duplicates: 5 });
    });
  });

  test('an overlapping batch (3..7 after 1..5) stores only 6 and 7', async () => {
    clock.advance(60_000);
    const before = await statesOf(agentA.clientId);
    // 3..5 differ from what was sent first: were they applied again, the states would change.
    const response = await send(agentA, [detection(7, ids[4], 2), detection(3, ids[2], 0), detection(4, ids[0], 0), scan(5, 5, { error: 'x' }), detection(6, ids[3], 3)]);
    assert.deepEqual(response.body, { acknowledgedSeq: 7, stored: 2, duplicates: 3 });
    const afterwards = await statesOf(agentA.clientId);
    assert.deepEqual(afterwards.filter((s) => s.update_id !== ids[3] && s.update_id !== ids[4]), before);
    assert.equal(afterwards.find((s) => s.update_id === ids[3])!.state_id, 3);
    assert.equal(afterwards.find((s) => s.update_id === ids[4])!.state_id, 2);
    const client = (await t.api('GET', `/clients/${agentA.clientId}`)).body;
    assert.equal(client.lastScan.stateId, 2, 'the duplicate scan message (seq 5) was ignored');
  });

  test("another client's id, no credential or a pending client: refused, nothing changes", async () => {
    await unchanged(async () => {
      const foreign = await post(agentB.clientId, agentA.credential, { messages: [detection(8, ids[0], 2)] });
      assert.equal(foreign.status, 403);
      assert.match(foreign.body.error, /only reach its own client/);
      const anonymous = await post(agentA.clientId, null, { messages: [detection(8, ids[0], 2)] });
      assert.equal(anonymous.status, 401);
      assert.equal((await post(agentA.clientId, t.token, { messages: [detection(8, ids[0], 2)] })).status, 401);
    });
    const pending = await register({ name: 'kiosk-7' });
    await unchanged(async () => {
      const refused = await send(pending, [detection(1, ids[0], 2)]);
      assert.equal(refused.status, 403);
      assert.match(refused.body.error, /waiting for an administrator/);
    });
  });

  test('a malformed message, a seq twice, an unknown update, an incomplete completed scan or an oversized body: 4xx naming it, nothing changes', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ messages: [detection(8, ids[0], 2), { ...detection(9, ids[1], 2), stateId: 7 }] }, 400, /^invalid state messages: messages\.1\.stateId: Too big/],
      [{ messages: [detection(8, ids[0], 2), { ...detection(9, ids[1], 2), updateId: undefined }] }, 400, /messages\.1\.updateId/],
      [{ messages: [{ ...detection(8, ids[0], 2), time: 'yesterday' }] }, 400, /messages\.0\.time/],
      [{ messages: [{ ...detection(8, ids[0], 2), seq: 0 }] }, 400, /messages\.0\.seq/],
      [{ messages: [{ ...detection(8, ids[0], 2), topic: 399 }] }, 400, /messages\.0\.topic/],
      [{ messages: [{ ...detection(8, ids[0], 2), extra: 1 }] }, 400, /messages\.0.*extra/],
      [{ messages: [] }, 400, /messages: Too small/],
      [{ messages: Array.from({ length: 1001 }, (_, i) => detection(8 + i, ids[0], 2)) }, 400, /messages: Too big/],
      [{ messages: [detection(8, ids[0], 2), detection(9, ids[1], 2), detection(8, ids[2], 1)] }, 400, /messages\.2\.seq: seq 8 appears twice in the batch \(also messages\.0\)/],
      [{ messages: [detection(8, ids[0], 2), detection(9, '00000000-0000-4000-8000-000000000000', 2)] }, 400, /messages\.1\.updateId: update 00000000-0000-4000-8000-000000000000 is not in this site's catalogue/],
      [{ messages: [detection(8, ids[0], 2), scan(9, 3, { product: 'Debian 12' })] }, 400, /messages\.1: a completed scan \(state 3\) must name the product and the catalogue anchor/],
      ['{"messages": [', 400, /JSON/],
      [JSON.stringify({ messages: [{ ...scan(8, 5), error: 'e'.repeat(1500) }], pad: 'x'.repeat(1024 * 1024) }), 413, /larger than 1048576 bytes/],
    ];
    await unchanged(async () => {
      for (const [body, status, message] of cases) {
        const response = await post(agentA.clientId, agentA.credential, body);
        assert.equal(response.status, status, `${String(message)}: ${JSON.stringify(response.body)}`);
        assert.match(response.body.error, message);
      }
    });
  });

  test("a full batch of 1,000 messages fits the body limit, well above the admin API's 256 KiB", async () => {
    const messages = Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? scan(8 + i, 4, { error: `retry: ${'e'.repeat(1500)}` }) : detection(8 + i, ids[i % ids.length], (i % 3) + 1)));
    assert.ok(JSON.stringify({ messages }).length > 256 * 1024);
    const response = await send(agentB, messages);
    assert.deepEqual(response.body, { acknowledgedSeq: 1007, stored: 1000, duplicates: 0 });
    const reported = new Set(messages.flatMap((m) => (m.topic === 500 ? [m.updateId] : [])));
    assert.deepEqual((await statesOf(agentB.clientId)).map((s) => s.update_id).sort(), [...reported].sort());
    const client = Client.parse((await t.api('GET', `/clients/${agentB.clientId}`)).body);
    assert.equal(client.lastScan?.stateId, 4);
    assert.equal(client.lastScan?.completedAt, null, 'no scan of this client has completed');
  });

  test('topic 501: a completed scan sets product, anchor and time; later progress keeps them', async () => {
    clock.advance(60_000);
    let response = await send(agentA, [scan(8, 2, { time: '2026-11-25T11:00:00Z' }), scan(9, 3, { product: 'Debian 12', anchor, time: '2026-11-25T11:05:00Z' })]);
    assert.deepEqual(response.body, { acknowledgedSeq: 9, stored: 2, duplicates: 0 });
    let client = Client.parse((await t.api('GET', `/clients/${agentA.clientId}`)).body);
    assert.deepEqual(client.lastScan, { at: '2026-11-25T11:05:00.000Z', stateId: 3, error: null, anchor, product: 'Debian 12', completedAt: '2026-11-25T11:05:00.000Z' });
    const row = await t.site.store.db.selectFrom('clients').selectAll().where('client_id', '=', agentA.clientId).executeTakeFirstOrThrow();
    assert.equal(Number(row.last_message_seq), 9);
    assert.equal(Number(row.last_scan_anchor), anchor);

    response = await send(agentA, [scan(10, 2, { time: '2026-11-26T11:00:00Z' }), scan(11, 5, { error: 'update point unreachable', time: '2026-11-26T11:01:00Z' })]);
    assert.equal(response.body.acknowledgedSeq, 11);
    client = Client.parse((await t.api('GET', `/clients/${agentA.clientId}`)).body);
    assert.deepEqual(client.lastScan, { at: '2026-11-26T11:01:00.000Z', stateId: 5, error: 'update point unreachable', anchor, product: 'Debian 12', completedAt: '2026-11-25T11:05:00.000Z' });

    const list = (await t.api('GET', '/clients')).body.clients as Client[];
    assert.deepEqual(list.find((c) => c.clientId === agentA.clientId), client);
    assert.equal(list.find((c) => c.name === 'kiosk-7')!.lastScan, null);
    assert.equal((await t.api('GET', `/clients/${randomUUID()}`)).status, 404);
    assert.equal((await t.api('GET', '/clients/not-a-uuid')).status, 400);
  });

  test('sequence numbers, anchors and revisions beyond 32 bits are stored as sent', async () => {
    const big = 2 ** 40;
    const response = await send(agentA, [{ ...detection(big, ids[5], 2), revision: 2 ** 35 }, scan(big + 1, 6, { product: 'Debian 12', anchor: big, error: 'one update failed to evaluate' })]);
    assert.deepEqual(response.body, { acknowledgedSeq: big + 1, stored: 2, duplicates: 0 });
    assert.equal((await statesOf(agentA.clientId)).find((s) => s.update_id === ids[5])!.revision, 2 ** 35);
    const client = Client.parse((await t.api('GET', `/clients/${agentA.clientId}`)).body);
    assert.deepEqual([client.lastScan?.stateId, client.lastScan?.anchor, client.lastScan?.error], [6, big, 'one update failed to evaluate']);
    assert.deepEqual((await send(agentA, [detection(big, ids[5], 3)])).body, { acknowledgedSeq: big + 1, stored: 0, duplicates: 1 });
  });

  test('concurrent batches of several clients are each stored or refused on their own', async () => {
    const token = (await t.api('POST', '/enrolment-tokens', { name: 'burst' })).body.token;
    const agents = await Promise.all(['burst-1', 'burst-2', 'burst-3'].map((name) => register({ enrolmentToken: token, name })));
    const unknown = '00000000-0000-4000-8000-000000000000';
    const responses = await Promise.all([
      ...agents.map((agent, a) => send(agent, ids.slice(0, 10).map((id, i) => detection(i + 1, id, (a % 3) + 1)))),
      send(agents[0], [detection(11, ids[10], 2), detection(12, unknown, 2)]),
      // The same client twice at once, overlapping: whichever goes second stores only what is new.
      send(agents[1], ids.slice(0, 12).map((id, i) => detection(i + 1, id, 3))),
    ]);
    assert.deepEqual(responses.slice(0, 3).map((r) => r.body.stored + r.body.duplicates), [10, 10, 10]);
    assert.equal(responses[3].status, 400);
    assert.match(responses[3].body.error, /messages\.1\.updateId: update 0{8}-0000-4000-8000-0{12} is not in this site's catalogue/);
    assert.equal(responses[4].status, 200);
    assert.equal(responses[1].body.stored + responses[4].body.stored, 12, 'every seq of node burst-2 stored exactly once');
    assert.deepEqual((await statesOf(agents[0].clientId)).map((s) => s.state_id), Array(10).fill(1));
    assert.equal((await statesOf(agents[1].clientId)).length, 12);
    assert.equal((await statesOf(agents[2].clientId)).length, 10);
    const seqs = await t.site.store.db.selectFrom('clients').select(['name', 'last_message_seq']).where('name', 'like', 'burst-%').orderBy('name').execute();
    assert.deepEqual(seqs.map((r) => [r.name, Number(r.last_message_seq)]), [['burst-1', 10], ['burst-2', 12], ['burst-3', 10]]);
  });

  test('topics 300/301/302: the last state per deployment and topic is stored with its update and error', async () => {
    const db = t.site.store.db;
    const at = clock.now().toISOString();
    const groupId = randomUUID();
    await db.insertInto('update_groups').values({ group_id: groupId, name: 'g', name_key: 'g', description: '', created_by: 'admin', created_at: at, updated_at: at }).execute();
    await db.insertInto('update_group_members').values(ids.slice(0, 2).map((updateId) => ({ group_id: groupId, update_id: updateId, added_at: at }))).execute();
    const created = await t.api('POST', '/deployments', { name: 'd', groupId, collectionId: ALL_SYSTEMS_COLLECTION_ID, deadlineAt: '2026-12-01T00:00Z' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    deploymentId = created.body.deploymentId;
    const token = (await t.api('POST', '/enrolment-tokens', { name: 'deployments' })).body.token;
    agentC = await register({ enrolmentToken: token, name: 'node-3' });
    const response = await send(agentC, [
      deploymentMessage(1, 302, 1),
      deploymentMessage(2, 301, 7, { updateId: ids[0] }),
      deploymentMessage(3, 301, 9, { updateId: ids[0], error: 'sha256 mismatch: the file from dp-1 is not the one the catalogue names' }),
      deploymentMessage(4, 300, 2),
      detection(5, ids[0], 2),
    ]);
    assert.deepEqual(response.body, { acknowledgedSeq: 5, stored: 5, duplicates: 0 });
    assert.deepEqual(await deploymentStatesOf(agentC.clientId), [
      [300, 2, null, null],
      [301, 9, ids[0], 'sha256 mismatch: the file from dp-1 is not the one the catalogue names'],
      [302, 1, null, null],
    ]);
    // A resent batch changes nothing; a later one replaces the states it names.
    assert.deepEqual((await send(agentC, [deploymentMessage(3, 301, 1, { updateId: ids[1] })])).body, { acknowledgedSeq: 5, stored: 0, duplicates: 1 });
    await send(agentC, [deploymentMessage(6, 301, 4, { updateId: ids[0] }), deploymentMessage(7, 300, 1)]);
    assert.deepEqual(await deploymentStatesOf(agentC.clientId), [
      [300, 1, null, null],
      [301, 4, ids[0], null],
      [302, 1, null, null],
    ]);
  });

  test('a deployment message for a deployment this site does not have: 400 naming it, nothing stored', async () => {
    const unknown = '00000000-0000-4000-8000-00000000d00d';
    await unchanged(async () => {
      const response = await send(agentC, [detection(8, ids[0], 3), deploymentMessage(9, 301, 1, { updateId: ids[0] }), deploymentMessage(10, 300, 2, { deploymentId: unknown }), deploymentMessage(11, 302, 2, { deploymentId: unknown })]);
      assert.equal(response.status, 400);
      assert.equal(response.body.error, `invalid state messages: messages.2.deploymentId: deployment ${unknown} does not exist on this site`);
      const malformed = await send(agentC, [{ ...deploymentMessage(8, 301, 11, { updateId: ids[0] }) }]);
      assert.equal(malformed.status, 400);
      assert.match(malformed.body.error, /messages\.0\.stateId: Too big/);
    });
  });

  test('removing a client removes its update states', async () => {
    assert.ok((await statesOf(agentB.clientId)).length > 0);
    assert.equal((await t.api('DELETE', `/clients/${agentB.clientId}`)).status, 200);
    assert.deepEqual(await statesOf(agentB.clientId), []);
  });
});
