import assert from 'node:assert/strict';
import { ClientPolicy, type VirtualClock } from '@patchday/core';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../test/site-harness.ts';
import { differingTables, dumpStore } from '../../test/stores.ts';
import type { StoreKind } from '../store/store.ts';

/**
 * Test support for the deployment tests: a real site that synced bookworm-security from the
 * snapshot (real updates), agents enrolled over the management point, collections and update
 * groups made through the admin API.
 */
export interface DeploymentFixture {
  t: TestSite;
  /** Real, non-expired update ids of the synced suite, by title. */
  updateIds: string[];
  enrol(name: string): Promise<Agent>;
  policy(agent: Agent, etag?: string | null): Promise<{ status: number; etag: string | null; policy: ClientPolicy | null }>;
  collection(name: string, members: readonly Agent[]): Promise<string>;
  addMembers(collectionId: string, members: readonly Agent[]): Promise<void>;
  group(name: string, updateIds: readonly string[]): Promise<string>;
  addToGroup(groupId: string, updateIds: readonly string[]): Promise<void>;
  removeFromGroup(groupId: string, updateIds: readonly string[]): Promise<void>;
  /** A required deployment of `groupId` to `collectionId`, available now, deadline in a week. */
  deploy(body: Record<string, unknown>): Promise<{ deploymentId: string } & Record<string, any>>;
  /** Runs `attempt` and proves it changed nothing in the store. */
  unchanged(attempt: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface Agent {
  clientId: string;
  credential: string;
  name: string;
}

export async function deploymentFixture(kind: StoreKind, clock: VirtualClock): Promise<DeploymentFixture> {
  const mirror: ArchiveServer = await startArchiveServer(snapshotRoot);
  const t = await startTestSite(kind, { clock });
  const added = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const run = await t.site.sync.run('test');
  assert.equal(run.status, 'succeeded', run.error ?? '');
  const updateIds = (await t.api('GET', '/updates?pageSize=40&sort=title&expired=false')).body.updates.map((u: { updateId: string }) => u.updateId);
  const token = (await t.api('POST', '/enrolment-tokens', { name: 'deployments' })).body.token;

  const fixture: DeploymentFixture = {
    t,
    updateIds,
    async enrol(name) {
      const r = await t.mp('POST', '/register', null, { enrolmentToken: token, name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { clientId: r.body.clientId, credential: r.body.credential, name };
    },
    async policy(agent, etag) {
      const r = await t.mp('GET', `/clients/${agent.clientId}/policy`, agent.credential, undefined, etag ? { 'if-none-match': etag } : {});
      assert.ok(r.status === 200 || r.status === 304, JSON.stringify(r.body));
      return { status: r.status, etag: r.etag, policy: r.status === 200 ? ClientPolicy.parse(r.body) : null };
    },
    async collection(name, members) {
      const r = await t.api('POST', '/collections', { name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      if (members.length) await fixture.addMembers(r.body.collectionId, members);
      return r.body.collectionId;
    },
    async addMembers(collectionId, members) {
      const r = await t.api('POST', `/collections/${collectionId}/members`, { clientIds: members.map((m) => m.clientId) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    },
    async group(name, ids) {
      const r = await t.api('POST', '/update-groups', { name, ...(ids.length ? { updateIds: ids } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.group.groupId;
    },
    async addToGroup(groupId, ids) {
      const r = await t.api('POST', `/update-groups/${groupId}/updates`, { updateIds: ids });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.added, ids.length);
    },
    async removeFromGroup(groupId, ids) {
      const r = await t.api('DELETE', `/update-groups/${groupId}/updates`, { updateIds: ids });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.removed, ids.length);
    },
    async deploy(body) {
      const deadline = new Date(clock.now().getTime() + 7 * 86_400_000).toISOString();
      const r = await t.api('POST', '/deployments', { name: 'deployment', deadlineAt: deadline, ...body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    },
    async unchanged(attempt) {
      const before = await dumpStore(t.site.store);
      await attempt();
      const afterwards = await dumpStore(t.site.store);
      assert.deepEqual(differingTables(before, afterwards), []);
      assert.equal(afterwards, before);
    },
    async stop() {
      await t.stop();
      await mirror.close();
    },
  };
  return fixture;
}
