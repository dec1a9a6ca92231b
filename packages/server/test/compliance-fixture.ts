import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { VirtualClock, type ClientCompliance, type Inventory } from '@patchday/core';
import type { StoreKind } from '../src/store/store.ts';
import { nodeImageInventory } from './inventories.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from './site-harness.ts';
import { startArchiveServer, type ArchiveServer } from './support/archive-server.ts';

/**
 * A site with bookworm-security synced and five clients whose states come from every source
 * (docs/compliance.md), for the report tests of the API and the CLI:
 *
 * | client | inventory | last completed scan | counted |
 * |---|---|---|---|
 * | node-a | the node image | none | estimated |
 * | node-b | the node image with openssl patched | Debian 12 at the current anchor: openssl Installed, `reportedRequired` Required, nothing else | reported |
 * | node-c | none | none | none (Unknown) |
 * | node-d | the node image | Debian 13 (another product) | estimated |
 * | kiosk-p | — (pending approval) | — | not counted |
 *
 * `web` is a collection with node-a and node-b as direct members.
 */
export interface ComplianceFixture {
  t: TestSite;
  clients: { a: Agent; b: Agent; c: Agent; d: Agent; p: Agent };
  inventories: { a: Inventory; b: Inventory; d: Inventory };
  /** The bookworm-security openssl update; Required on the node image. */
  openssl: { updateId: string; title: string };
  /** Required on the node image; node-b reports it Required. */
  reportedRequired: { updateId: string; title: string };
  /** Required on the node image; node-b's scan does not report it, so it is Not Required there. */
  unreported: { updateId: string; title: string };
  anchor: number;
  collectionId: string;
  stop(): Promise<void>;
}

export interface Agent {
  clientId: string;
  credential: string;
  name: string;
}

export async function startComplianceFixture(kind: StoreKind): Promise<ComplianceFixture> {
  const mirror: ArchiveServer = await startArchiveServer(snapshotRoot);
  const t = await startTestSite(kind, { clock: new VirtualClock('2026-11-25T10:00:00Z') });
  try {
    const add = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const seq = await t.site.store.db.selectFrom('site_settings').select('value').where('key', '=', 'catalogue_seq').executeTakeFirstOrThrow();
    const anchor = Number(seq.value);

    const register = async (name: string, withToken = true): Promise<Agent> => {
      const enrolmentToken = withToken ? (await t.api('POST', '/enrolment-tokens', { uses: 1 })).body.token : undefined;
      const r = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrolmentToken, name }) });
      const body = (await r.json()) as { clientId: string; credential: string };
      return { ...body, name };
    };
    const mp = async (agent: Agent, method: string, path: string, body: unknown) => {
      const r = await fetch(`${t.url}/mp/v1/clients/${agent.clientId}${path}`, { method, headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.text()}`);
    };

    const a = await register('node-a');
    const b = await register('node-b');
    const c = await register('node-c');
    const d = await register('node-d');
    const p = await register('kiosk-p', false);

    const inventoryA = nodeImageInventory({ hostname: 'node-a' });
    await mp(a, 'PUT', '/inventory', { inventory: inventoryA });
    const required = ((await t.api('GET', `/clients/${a.clientId}/compliance`)).body as ClientCompliance).updates;
    const openssl = required.find((u) => u.title.startsWith('openssl '))!;
    const others = required.filter((u) => u !== openssl);
    assert.ok(openssl && others.length >= 2, 'the node image needs openssl and more');
    const [reportedRequired, unreported] = others;

    const inventoryB = nodeImageInventory({ hostname: 'node-b' });
    const detail = (await t.api('GET', `/updates/${openssl.updateId}`)).body as { binaries: Array<{ package: string; version: string; architecture: string }> };
    for (const bin of detail.binaries) for (const key of [bin.package, `${bin.package}:${bin.architecture}`]) if (inventoryB.dpkg![key]) inventoryB.dpkg![key] = { ...inventoryB.dpkg![key], version: bin.version };
    await mp(b, 'PUT', '/inventory', { inventory: inventoryB });
    const time = '2026-11-25T10:30:00Z';
    await mp(b, 'POST', '/state-messages', {
      messages: [
        { seq: 1, time, topic: 501, stateId: 2, scanId: randomUUID(), product: null, anchor: null, error: null },
        { seq: 2, time, topic: 500, stateId: 3, updateId: openssl.updateId, revision: 1 },
        { seq: 3, time, topic: 500, stateId: 2, updateId: reportedRequired.updateId, revision: 1 },
        { seq: 4, time, topic: 501, stateId: 3, scanId: randomUUID(), product: 'Debian 12', anchor, error: null },
      ],
    });

    const inventoryD = nodeImageInventory({ hostname: 'node-d' });
    await mp(d, 'PUT', '/inventory', { inventory: inventoryD });
    await mp(d, 'POST', '/state-messages', { messages: [{ seq: 1, time, topic: 501, stateId: 3, scanId: randomUUID(), product: 'Debian 13', anchor: anchor + 100, error: null }] });

    const web = await t.api('POST', '/collections', { name: 'web' });
    assert.equal(web.status, 201, JSON.stringify(web.body));
    const members = await t.api('POST', `/collections/${web.body.collectionId}/members`, { clientIds: [a.clientId, b.clientId] });
    assert.equal(members.status, 200, JSON.stringify(members.body));

    return {
      t,
      clients: { a, b, c, d, p },
      inventories: { a: inventoryA, b: inventoryB, d: inventoryD },
      openssl: { updateId: openssl.updateId, title: openssl.title },
      reportedRequired: { updateId: reportedRequired.updateId, title: reportedRequired.title },
      unreported: { updateId: unreported.updateId, title: unreported.title },
      anchor,
      collectionId: web.body.collectionId,
      async stop() {
        await t.stop();
        await mirror.close();
      },
    };
  } catch (error) {
    await t.stop();
    await mirror.close();
    throw error;
  }
}
