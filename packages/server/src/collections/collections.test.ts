import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ALL_SYSTEMS_COLLECTION_ID, VirtualClock, inventoryOsOf, parseDpkgStatus, parseOsRelease, type Collection, type Inventory } from '@patchday/core';
import { sharedData, startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore, dumpStore } from '../../test/stores.ts';

// Real inventories: the real dpkg status of a Debian 12 image, and variants of it made the way a
// machine changes (an upgrade rewrites a stanza's Version, a removal its Status), parsed by core.
const nodeImageStatus = readFileSync(join(sharedData, 'dpkg-status/bookworm-node-image.status'), 'utf8');
const bookworm = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';
const trixie = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nVERSION="13 (trixie)"\nVERSION_CODENAME=trixie\nID=debian\n';

function editStanza(status: string, pkg: string, edit: (stanza: string) => string): string {
  let found = false;
  const out = status
    .split(/\n\n/)
    .map((stanza) => {
      if (!stanza.startsWith(`Package: ${pkg}\n`)) return stanza;
      found = true;
      return edit(stanza);
    })
    .join('\n\n');
  assert.ok(found, `the node image has ${pkg}`);
  return out;
}
const upgraded = (status: string, pkg: string, version: string) => editStanza(status, pkg, (s) => s.replace(/^Version: .*$/m, `Version: ${version}`));
const removed = (status: string, pkg: string) => editStanza(status, pkg, (s) => s.replace(/^Status: .*$/m, 'Status: deinstall ok config-files'));

function inventoryOf(osRelease: string, status: string, facts: Record<string, string>): Inventory {
  return { os: inventoryOsOf(parseOsRelease(osRelease), 'amd64'), dpkg: parseDpkgStatus(status), facts };
}

describeEachStore('collections', (kind) => {
  let t: TestSite;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const mp: TestSite['mp'] = (...args) => t.mp(...args);

  type Agent = { clientId: string; credential: string; name: string };
  const agents: Record<string, Agent> = {};
  const ids: Record<string, string> = {};
  const names = (list: Array<{ name: string }>) => list.map((m) => m.name).sort();
  const membersOf = async (collection: string, query = '') => {
    const r = await t.api('GET', `/collections/${ids[collection]}/members${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const memberNames = async (collection: string) => names((await membersOf(collection)).members);
  const create = async (body: Record<string, unknown>) => {
    const r = await t.api<Collection>('POST', '/collections', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids[r.body.name] = r.body.collectionId;
    return r.body;
  };
  const putInventory = async (agent: string, inventory: Inventory) => {
    const r = await mp('PUT', `/clients/${agents[agent].clientId}/inventory`, agents[agent].credential, { inventory });
    assert.equal(r.status, 204, JSON.stringify(r.body));
  };

  before(async () => {
    t = await startTestSite(kind, { clock });
  });
  after(() => t.stop());

  test('All Systems is built in and holds every active client — a pending client joins when approved', async () => {
    const { token } = (await t.api('POST', '/enrolment-tokens', { name: 'lab' })).body;
    for (const name of ['web-1', 'web-2', 'db-1', 'web-3']) {
      const r = await mp('POST', '/register', null, { enrolmentToken: token, name });
      assert.equal(r.status, 201);
      agents[name] = { ...r.body, name };
    }
    const kiosk = await mp('POST', '/register', null, { name: 'kiosk-1' });
    assert.equal(kiosk.status, 202);
    agents['kiosk-1'] = { ...kiosk.body, name: 'kiosk-1' };
    await putInventory('web-1', inventoryOf(bookworm, nodeImageStatus, { role: 'web' }));
    await putInventory('web-2', inventoryOf(bookworm, upgraded(nodeImageStatus, 'openssl', '3.0.22-1~deb12u2'), { role: 'web' }));
    await putInventory('db-1', inventoryOf(trixie, removed(nodeImageStatus, 'git'), { role: 'db', hostname: 'spoofed-web-9' }));

    const list = (await t.api<{ collections: Collection[] }>('GET', '/collections')).body.collections;
    assert.equal(list.length, 1);
    const all = list[0];
    assert.deepEqual([all.collectionId, all.name, all.builtIn, all.limitingCollectionId, all.memberCount], [ALL_SYSTEMS_COLLECTION_ID, 'All Systems', true, null, 4]);
    ids['All Systems'] = all.collectionId;
    assert.deepEqual(await memberNames('All Systems'), ['db-1', 'web-1', 'web-2', 'web-3']);

    assert.equal((await t.api('POST', `/clients/${agents['kiosk-1'].clientId}/approve`, {})).status, 200);
    assert.deepEqual(await memberNames('All Systems'), ['db-1', 'kiosk-1', 'web-1', 'web-2', 'web-3']);
  });

  test('query rules: os, package installed, package version, hostname (the registered name) and any fact', async () => {
    await create({ name: 'Debian 12', queryRules: [{ name: 'bookworm', rule: { os: { family: 'debian', versionId: '12' } } }] });
    await create({ name: 'Has git', queryRules: [{ name: 'git', rule: { dpkg: { package: 'git' } } }] });
    const old = await create({ name: 'Old OpenSSL', description: 'openssl before the 2026-11 DSA', queryRules: [{ name: 'openssl < 3.0.22', rule: { dpkg: { package: 'openssl', version: { op: 'lt', value: '3.0.22-1~deb12u2' } } } }] });
    assert.equal(old.limitingCollectionId, ALL_SYSTEMS_COLLECTION_ID, 'limited by All Systems unless told otherwise');
    assert.equal(old.memberCount, 2);
    await create({ name: 'Web by name', queryRules: [{ name: 'web-*', rule: { fact: { key: 'hostname', matches: '^web-' } } }] });
    await create({ name: 'Databases', queryRules: [{ name: 'role', rule: { fact: { key: 'role', equals: 'db' } } }] });

    assert.deepEqual(await memberNames('Debian 12'), ['web-1', 'web-2']);
    assert.deepEqual(await memberNames('Has git'), ['web-1', 'web-2'], 'git removed on db-1; kiosk-1 and web-3 have no inventory (unknown is not a member)');
    assert.deepEqual(await memberNames('Old OpenSSL'), ['db-1', 'web-1']);
    assert.deepEqual(await memberNames('Web by name'), ['web-1', 'web-2', 'web-3'], "db-1's own hostname fact does not count; web-3 matches by name before any inventory");
    assert.deepEqual(await memberNames('Databases'), ['db-1']);
  });

  test('direct members, include, exclude and the limiting collection', async () => {
    await create({ name: 'Servers', includeCollectionIds: [ids['Web by name'], ids.Databases] });
    await create({ name: 'Patch wave 1', limitingCollectionId: ids['Debian 12'], includeCollectionIds: [ids.Servers], excludeCollectionIds: [ids['Old OpenSSL']] });
    await create({ name: 'Pilot' });
    assert.deepEqual(await memberNames('Servers'), ['db-1', 'web-1', 'web-2', 'web-3']);
    assert.deepEqual(await memberNames('Patch wave 1'), ['web-2']);

    const added = await t.api('POST', `/collections/${ids.Pilot}/members`, { clientIds: [agents['web-3'].clientId, agents['db-1'].clientId] });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.added.length, 2);
    const again = await t.api('POST', `/collections/${ids.Pilot}/members`, { clientIds: [agents['web-3'].clientId] });
    assert.deepEqual([again.body.added, again.body.alreadyDirect], [[], [agents['web-3'].clientId]]);
    const pilot = await membersOf('Pilot');
    assert.deepEqual(pilot.members.map((m: { name: string; direct: boolean }) => [m.name, m.direct]), [['db-1', true], ['web-3', true]]);

    // A direct member outside the limiting collection is a rule, not a member.
    await t.api('POST', `/collections/${ids['Patch wave 1']}/members`, { clientIds: [agents['kiosk-1'].clientId, agents['web-2'].clientId] });
    assert.deepEqual(await memberNames('Patch wave 1'), ['web-2']);
    const rules = await membersOf('Patch wave 1', '?direct=true');
    assert.equal(rules.listing, 'direct');
    assert.deepEqual(rules.members.map((m: { name: string; member: boolean }) => [m.name, m.member]), [['kiosk-1', false], ['web-2', true]]);

    const mine = await t.api('GET', `/clients/${agents['db-1'].clientId}/collections`);
    assert.deepEqual(mine.body.collections.map((c: { name: string; direct: boolean }) => [c.name, c.direct]), [
      ['All Systems', false], ['Databases', false], ['Old OpenSSL', false], ['Pilot', true], ['Servers', false],
    ]);
    const page = await membersOf('All Systems', '?limit=2&offset=1');
    assert.deepEqual([page.total, page.limit, page.offset, names(page.members)], [5, 2, 1, ['kiosk-1', 'web-1']]);
    assert.equal((await t.api('GET', `/collections/${ids.Pilot}/members?limit=1001`)).status, 400);

    const removed = await t.api('DELETE', `/collections/${ids['Patch wave 1']}/members/${agents['web-2'].clientId}`);
    assert.deepEqual([removed.status, removed.body.stillMember], [200, true], 'still included through Servers');
    assert.equal((await t.api('DELETE', `/collections/${ids['Patch wave 1']}/members/${agents['web-2'].clientId}`)).status, 404);
  });

  test('a stored inventory re-evaluates that client at once', async () => {
    await putInventory('web-1', inventoryOf(bookworm, upgraded(nodeImageStatus, 'openssl', '3.0.22-1~deb12u2'), { role: 'web' }));
    assert.deepEqual(await memberNames('Old OpenSSL'), ['db-1']);
    assert.deepEqual(await memberNames('Patch wave 1'), ['web-1', 'web-2'], 'no longer excluded');
    await putInventory('db-1', inventoryOf(bookworm, nodeImageStatus, { role: 'db' }));
    assert.deepEqual(await memberNames('Debian 12'), ['db-1', 'web-1', 'web-2']);
    assert.deepEqual(await memberNames('Has git'), ['db-1', 'web-1', 'web-2']);
    assert.deepEqual(await memberNames('Patch wave 1'), ['web-1', 'web-2'], 'db-1 is in Debian 12 and Servers, but excluded (old openssl)');
  });

  test('a rule change re-evaluates the collection and every collection that depends on it', async () => {
    const patched = await t.api<Collection>('PATCH', `/collections/${ids['Old OpenSSL']}`, { queryRules: [{ name: 'openssl < 3.0.23', rule: { dpkg: { package: 'openssl', version: { op: 'lt', value: '3.0.23' } } } }] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.memberCount, 3);
    assert.deepEqual(await memberNames('Old OpenSSL'), ['db-1', 'web-1', 'web-2']);
    assert.deepEqual(await memberNames('Patch wave 1'), [], 'everyone is excluded now');
    await t.api('PATCH', `/collections/${ids['Patch wave 1']}`, { excludeCollectionIds: [] });
    assert.deepEqual(await memberNames('Patch wave 1'), ['db-1', 'web-1', 'web-2']);
    const renamed = await t.api<Collection>('PATCH', `/collections/${ids['Patch wave 1']}`, { name: 'Wave 1', description: 'first ring' });
    assert.deepEqual([renamed.body.name, renamed.body.description, renamed.body.memberCount], ['Wave 1', 'first ring', 3]);
    ids['Wave 1'] = ids['Patch wave 1'];
    const audit = (await t.api('GET', '/audit?action=collection.update')).body.entries;
    assert.deepEqual(audit[0].details.changed, ['name', 'description']);
  });

  test('refused requests answer 4xx with a clear message and change nothing', async () => {
    const analyst = await t.api('POST', '/users', { username: 'ro', password: 'read-only-password', role: 'Read-only Analyst' });
    assert.equal(analyst.status, 201);
    const roToken = (await t.api('POST', '/auth/login', { username: 'ro', password: 'read-only-password' }, null)).body.token;
    const before = await dumpStore(t.site.store);
    const refusals: Array<[string, string, unknown, number, RegExp, string?]> = [
      ['POST', '/collections', '{"name": "broken"', 400, /JSON/],
      ['POST', '/collections', { name: 'x', queryRules: [{ name: 'r', rule: { dpkg: { package: 'no such!' } } }] }, 400, /invalid collection: queryRules\.0\.rule\.dpkg\.package: "no such!" is not a Debian package name/],
      ['POST', '/collections', { name: 'x', clientSettings: { scanScheduleDays: 0 }, settingsPriority: 1 }, 400, /never less than 1 day/],
      ['POST', '/collections', { name: 'x', colour: 'red' }, 400, /Unrecognized key/],
      ['POST', '/collections', { name: 'x', limitingCollectionId: '6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f' }, 404, /limiting collection 6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f does not exist/],
      ['POST', '/collections', { name: 'x', includeCollectionIds: ['6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f'] }, 404, /included collection .* does not exist/],
      ['POST', '/collections', { name: 'debian 12' }, 409, /a collection named "Debian 12" already exists/],
      ['PATCH', `/collections/${ids.Servers}`, { includeCollectionIds: [ids['Wave 1']] }, 400, /collections would depend on themselves: "Servers" includes "Wave 1" (includes|limited by) /],
      ['PATCH', `/collections/${ids.Pilot}`, { limitingCollectionId: ids.Pilot }, 400, /"Pilot" limited by "Pilot"/],
      ['PATCH', `/collections/${ids.Pilot}`, {}, 400, /at least one field/],
      ['PATCH', `/collections/${ALL_SYSTEMS_COLLECTION_ID}`, { queryRules: [] }, 400, /All Systems is built in.*queryRules cannot be changed/],
      ['PATCH', `/collections/${ALL_SYSTEMS_COLLECTION_ID}`, { name: 'Everything' }, 400, /name cannot be changed/],
      ['DELETE', `/collections/${ALL_SYSTEMS_COLLECTION_ID}`, undefined, 409, /All Systems is built in and cannot be deleted/],
      ['DELETE', `/collections/${ids['Debian 12']}`, undefined, 409, /"Debian 12" cannot be deleted: "Wave 1" \(limited by it\) depends on it/],
      ['DELETE', `/collections/${ids['Web by name']}`, undefined, 409, /"Servers" \(includes it\)/],
      ['DELETE', '/collections/6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f', undefined, 404, /collection 6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f does not exist/],
      ['DELETE', '/collections/not-a-uuid', undefined, 400, /a collection id is a UUID/],
      ['POST', `/collections/${ids.Pilot}/members`, { clientIds: [agents['web-1'].clientId, '6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f'] }, 404, /client 6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f does not exist/],
      ['POST', `/collections/${ALL_SYSTEMS_COLLECTION_ID}/members`, { clientIds: [agents['web-1'].clientId] }, 400, /holds every active client; it has no direct members/],
      ['POST', `/collections/${ids.Pilot}/members`, { clientIds: [] }, 400, /name at least one client/],
      ['GET', `/collections/${ids.Pilot}/members?offset=-1`, undefined, 400, /offset/],
      ['GET', '/clients/6f1d7a0e-1c1e-4d4b-9d7e-2b3a4c5d6e7f/settings', undefined, 404, /does not exist/],
      ['POST', '/collections', { name: 'ro attempt' }, 403, /Read-only Analyst role may not do this/, roToken],
    ];
    for (const [method, path, body, status, message, token] of refusals) {
      const r = await t.api(method, path, body, token);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, message);
    }
    const dependants = await t.api('DELETE', `/collections/${ids['Debian 12']}`);
    assert.deepEqual(dependants.body.details.dependants, [{ collectionId: ids['Wave 1'], name: 'Wave 1', relation: 'limited by' }]);
    assert.equal((await t.api('GET', '/collections', undefined, roToken)).status, 200, 'reading needs only the read permission');
    assert.equal(await dumpStore(t.site.store), before);
  });

  test('client settings: the lowest settingsPriority that sets a setting wins, setting by setting; the policy follows', async () => {
    const web2 = agents['web-2'];
    const first = await mp('GET', `/clients/${web2.clientId}/policy`, web2.credential);
    assert.equal(first.status, 200);
    assert.equal(first.body.clientSettings.policyPollingMinutes, 60);
    assert.equal((await mp('GET', `/clients/${web2.clientId}/policy`, web2.credential, undefined, { 'if-none-match': first.etag! })).status, 304);

    await create({ name: 'Weekly scans', queryRules: [{ name: 'web', rule: { fact: { key: 'hostname', matches: '^web-' } } }], clientSettings: { scanScheduleDays: 3, policyPollingMinutes: 30 }, settingsPriority: 10 });
    await create({ name: 'Updates off', clientSettings: { policyPollingMinutes: 15, softwareUpdatesEnabled: false }, settingsPriority: 5 });
    const clash = await t.api('POST', '/collections', { name: 'Clash', clientSettings: { metadataTtlHours: 12 }, settingsPriority: 5 });
    assert.equal(clash.status, 409);
    assert.match(clash.body.error, /settings priority 5 is already held by collection "Updates off"/);
    await t.api('POST', `/collections/${ids['Updates off']}/members`, { clientIds: [web2.clientId] });

    const changed = await mp('GET', `/clients/${web2.clientId}/policy`, web2.credential, undefined, { 'if-none-match': first.etag! });
    assert.equal(changed.status, 200, 'the settings changed, so does the ETag');
    assert.notEqual(changed.etag, first.etag);
    assert.deepEqual(
      [changed.body.clientSettings.policyPollingMinutes, changed.body.clientSettings.scanScheduleDays, changed.body.clientSettings.softwareUpdatesEnabled, changed.body.clientSettings.metadataTtlHours],
      [15, 3, false, 24],
    );
    assert.deepEqual(changed.body.updatePoints, [], 'software updates disabled: no update point');
    assert.equal((await mp('GET', `/clients/${web2.clientId}/policy`, web2.credential, undefined, { 'if-none-match': changed.etag! })).status, 304);

    const explained = (await t.api('GET', `/clients/${web2.clientId}/settings`)).body;
    const bySetting = Object.fromEntries(explained.settings.map((s: { setting: string }) => [s.setting, s]));
    assert.deepEqual(bySetting.policyPollingMinutes, { setting: 'policyPollingMinutes', value: 15, source: 'collection', collectionId: ids['Updates off'], collectionName: 'Updates off', settingsPriority: 5 });
    assert.deepEqual([bySetting.scanScheduleDays.value, bySetting.scanScheduleDays.collectionName], [3, 'Weekly scans']);
    assert.deepEqual([bySetting.metadataTtlHours.value, bySetting.metadataTtlHours.source, bySetting.metadataTtlHours.collectionId], [24, 'default', null]);
    assert.deepEqual(explained.clientSettings, changed.body.clientSettings);

    const web1 = (await t.api('GET', `/clients/${agents['web-1'].clientId}/settings`)).body.clientSettings;
    assert.deepEqual([web1.policyPollingMinutes, web1.scanScheduleDays, web1.softwareUpdatesEnabled], [30, 3, true]);

    // Lower the priority of "Updates off" below "Weekly scans": the polling interval now comes from the weekly collection.
    assert.equal((await t.api('PATCH', `/collections/${ids['Updates off']}`, { settingsPriority: 20 })).status, 200);
    const reordered = await mp('GET', `/clients/${web2.clientId}/policy`, web2.credential, undefined, { 'if-none-match': changed.etag! });
    assert.equal(reordered.status, 200);
    assert.deepEqual([reordered.body.clientSettings.policyPollingMinutes, reordered.body.clientSettings.softwareUpdatesEnabled], [30, false]);

    // All Systems can carry settings too (membership stays fixed).
    const allSettings = await t.api<Collection>('PATCH', `/collections/${ALL_SYSTEMS_COLLECTION_ID}`, { clientSettings: { metadataTtlHours: 12 }, settingsPriority: 1000 });
    assert.equal(allSettings.status, 200, JSON.stringify(allSettings.body));
    assert.equal((await t.api('GET', `/clients/${agents['kiosk-1'].clientId}/settings`)).body.clientSettings.metadataTtlHours, 12);

    assert.equal((await t.api('DELETE', `/collections/${ids['Updates off']}/members/${web2.clientId}`)).status, 200);
    const back = await mp('GET', `/clients/${web2.clientId}/policy`, web2.credential);
    assert.deepEqual(back.body.updatePoints, [{ url: `${t.url}/up/v1` }]);
  });

  test('removing a client removes its memberships and direct rules in the same change', async () => {
    const db1 = agents['db-1'].clientId;
    const rows = async (table: 'collection_members' | 'collection_direct_members') =>
      Number((await t.site.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('client_id', '=', db1).executeTakeFirstOrThrow()).n);
    assert.ok((await rows('collection_members')) >= 5);
    assert.equal(await rows('collection_direct_members'), 1);
    assert.equal((await t.api('DELETE', `/clients/${db1}`)).status, 200);
    assert.deepEqual([await rows('collection_members'), await rows('collection_direct_members')], [0, 0]);
    const pilot = (await t.api<Collection>('GET', `/collections/${ids.Pilot}`)).body;
    assert.deepEqual([pilot.memberCount, pilot.directMemberCount], [1, 1]);
    assert.equal((await t.api('GET', `/clients/${db1}/collections`)).status, 404);
  });

  test('a collection nothing depends on can be deleted; every change is in the audit log', async () => {
    assert.equal((await t.api('DELETE', `/collections/${ids['Wave 1']}`)).status, 200);
    assert.equal((await t.api('DELETE', `/collections/${ids['Debian 12']}`)).status, 200, 'nothing depends on it any more');
    assert.equal((await t.api('GET', `/collections/${ids['Debian 12']}`)).status, 404);
    const n = Number((await t.site.store.db.selectFrom('collection_members').select((eb) => eb.fn.countAll<number>().as('n')).where('collection_id', '=', ids['Debian 12']).executeTakeFirstOrThrow()).n);
    assert.equal(n, 0);
    const actions = new Set((await t.api('GET', '/audit?limit=500')).body.entries.map((e: { action: string }) => e.action));
    for (const action of ['collection.create', 'collection.update', 'collection.delete', 'collection.add-members', 'collection.remove-member']) assert.ok(actions.has(action), action);
  });
});
