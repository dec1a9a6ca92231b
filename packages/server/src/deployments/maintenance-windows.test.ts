import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ClientPolicy, CollectionMaintenanceWindow, MaintenanceWindowList, UpcomingWindows, VirtualClock } from '@patchday/core';
import { startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore, differingTables, dumpStore } from '../../test/stores.ts';

describeEachStore("collections' maintenance windows", (kind) => {
  // A Wednesday.
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let t: TestSite;
  const collections: Record<string, string> = {};
  const windows: Record<string, CollectionMaintenanceWindow> = {};
  let agent: { clientId: string; credential: string };

  const add = async (collection: string, body: Record<string, unknown>) => {
    clock.advance(1000);
    const r = await t.api('POST', `/collections/${collections[collection]}/maintenance-windows`, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const w = CollectionMaintenanceWindow.parse(r.body);
    windows[w.name] = w;
    return w;
  };
  const next = async (path: string) => {
    const r = await t.api('GET', path);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const u = UpcomingWindows.parse(r.body);
    return u.windows.map((w) => `${w.start} – ${w.end} (${w.durationMinutes} min)`);
  };
  const policy = async (etag?: string) => {
    const r = await t.mp('GET', `/clients/${agent.clientId}/policy`, agent.credential, undefined, etag ? { 'if-none-match': etag } : {});
    return { status: r.status, etag: r.etag!, policy: r.status === 200 ? ClientPolicy.parse(r.body) : null };
  };
  const unchanged = async (attempt: () => Promise<void>) => {
    const before = await dumpStore(t.site.store);
    await attempt();
    const afterwards = await dumpStore(t.site.store);
    assert.deepEqual(differingTables(before, afterwards), []);
    assert.equal(afterwards, before);
  };

  before(async () => {
    t = await startTestSite(kind, { clock });
    for (const name of ['Servers', 'Web', 'Desk']) collections[name] = (await t.api('POST', '/collections', { name })).body.collectionId;
    const token = (await t.api('POST', '/enrolment-tokens', { name: 'w' })).body.token;
    agent = (await t.mp('POST', '/register', null, { enrolmentToken: token, name: 'web-1' })).body;
    for (const name of ['Servers', 'Web']) assert.equal((await t.api('POST', `/collections/${collections[name]}/members`, { clientIds: [agent.clientId] })).status, 200);
  });
  after(() => t.stop());

  test('a window added without settings is the §12 default (Sundays 01:00–04:00 client local); every field can be given', async () => {
    const desk = await add('Desk', {});
    assert.deepEqual(
      { ...desk, windowId: undefined, createdAt: undefined, updatedAt: undefined },
      { windowId: undefined, collectionId: collections.Desk, name: 'Maintenance window', recurrence: { kind: 'weekly', daysOfWeek: [0] }, start: '01:00', durationMinutes: 180, timeZone: 'client-local', enabled: true, createdAt: undefined, updatedAt: undefined },
    );
    assert.equal((await add('Desk', { durationMinutes: 60 })).name, 'Maintenance window 2', 'an unnamed second window is numbered');
    await add('Servers', { name: 'Nightly', recurrence: { kind: 'daily' }, start: '02:00', durationMinutes: 60, timeZone: 'UTC' });
    await add('Servers', { name: 'Sunday long', recurrence: { kind: 'weekly', daysOfWeek: [0] }, start: '02:30', durationMinutes: 120, timeZone: 'UTC' });
    await add('Web', { name: 'Weekend', recurrence: { kind: 'weekly', daysOfWeek: [6] }, start: '23:00', durationMinutes: 195, timeZone: 'UTC' });
    const patch = await add('Web', { name: 'Patch Tuesday', recurrence: { kind: 'monthly-nth-weekday', week: 2, dayOfWeek: 2 }, start: '22:00', durationMinutes: 240, timeZone: 'Europe/Amsterdam', enabled: false });
    assert.equal(patch.timeZone, 'Europe/Amsterdam');
    const list = MaintenanceWindowList.parse((await t.api('GET', `/collections/${collections.Web}/maintenance-windows`)).body);
    assert.deepEqual([list.collectionName, list.windows.map((w) => w.name)], ['Web', ['Weekend', 'Patch Tuesday']]);
    const audit = (await t.api('GET', '/audit?action=maintenance-window.add')).body.entries;
    assert.equal(audit.length, 6);
    assert.equal(audit[0].details.collectionName, 'Web');
  });

  test('next windows of a collection: its windows merged where they overlap, in order', async () => {
    assert.deepEqual(await next(`/collections/${collections.Servers}/maintenance-windows/next?count=5`), [
      '2026-11-26T02:00:00.000Z – 2026-11-26T03:00:00.000Z (60 min)',
      '2026-11-27T02:00:00.000Z – 2026-11-27T03:00:00.000Z (60 min)',
      '2026-11-28T02:00:00.000Z – 2026-11-28T03:00:00.000Z (60 min)',
      '2026-11-29T02:00:00.000Z – 2026-11-29T04:30:00.000Z (150 min)',
      '2026-11-30T02:00:00.000Z – 2026-11-30T03:00:00.000Z (60 min)',
    ]);
    // Client local time, shown in the zone asked for (UTC by default).
    assert.deepEqual(await next(`/collections/${collections.Desk}/maintenance-windows/next?count=1`), ['2026-11-29T01:00:00.000Z – 2026-11-29T04:00:00.000Z (180 min)']);
    assert.deepEqual(await next(`/collections/${collections.Desk}/maintenance-windows/next?count=1&timeZone=America/New_York`), ['2026-11-29T06:00:00.000Z – 2026-11-29T09:00:00.000Z (180 min)']);
  });

  test('a client in several collections: the union of their windows, in the next windows and in its policy', async () => {
    assert.deepEqual(await next(`/clients/${agent.clientId}/maintenance-windows/next?count=5`), [
      '2026-11-26T02:00:00.000Z – 2026-11-26T03:00:00.000Z (60 min)',
      '2026-11-27T02:00:00.000Z – 2026-11-27T03:00:00.000Z (60 min)',
      '2026-11-28T02:00:00.000Z – 2026-11-28T03:00:00.000Z (60 min)',
      '2026-11-28T23:00:00.000Z – 2026-11-29T04:30:00.000Z (330 min)',
      '2026-11-30T02:00:00.000Z – 2026-11-30T03:00:00.000Z (60 min)',
    ]);
    const first = await policy();
    assert.deepEqual(first.policy!.maintenanceWindows.map((w) => w.name), ['Nightly', 'Sunday long', 'Weekend'], 'enabled windows only; Desk is not its collection');
    assert.equal((await policy(first.etag)).status, 304);
    const changed = await t.api('PATCH', `/collections/${collections.Web}/maintenance-windows/${windows.Weekend.windowId}`, { durationMinutes: 120, enabled: false });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual([changed.body.durationMinutes, changed.body.enabled, changed.body.start], [120, false, '23:00']);
    const after = await policy(first.etag);
    assert.equal(after.status, 200);
    assert.deepEqual(after.policy!.maintenanceWindows.map((w) => w.name), ['Nightly', 'Sunday long']);
    const enabled = await t.api('PATCH', `/collections/${collections.Web}/maintenance-windows/${windows['Patch Tuesday'].windowId}`, { enabled: true });
    assert.equal(enabled.status, 200);
    assert.deepEqual((await policy(after.etag)).policy!.maintenanceWindows.map((w) => [w.name, w.timeZone]), [['Nightly', 'UTC'], ['Sunday long', 'UTC'], ['Patch Tuesday', 'Europe/Amsterdam']]);
  });

  test('bad windows are refused with a message naming the problem, and nothing changes', async () => {
    const base = `/collections/${collections.Servers}/maintenance-windows`;
    const nightly = `${base}/${windows.Nightly.windowId}`;
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', base, { durationMinutes: 4 }, 400, /durationMinutes: Too small/],
      ['POST', base, { durationMinutes: 1440 }, 400, /durationMinutes: Too big/],
      ['POST', base, { timeZone: 'Mars/Olympus' }, 400, /timeZone: "Mars\/Olympus" is not a known IANA time zone/],
      ['POST', base, { start: '25:00' }, 400, /start: a time of day is HH:MM/],
      ['POST', base, { recurrence: { kind: 'weekly', daysOfWeek: [] } }, 400, /recurrence.daysOfWeek/],
      ['POST', base, { recurrence: { kind: 'fortnightly' } }, 400, /recurrence/],
      ['POST', base, { name: 'nightly' }, 409, /already has a maintenance window named "Nightly"/],
      ['POST', base, { colour: 'red' }, 400, /colour/],
      ['POST', `/collections/${randomUUID()}/maintenance-windows`, {}, 404, /collection [0-9a-f-]{36} does not exist/],
      ['PATCH', nightly, { name: 'Sunday long' }, 409, /already has a maintenance window named "Sunday long"/],
      ['PATCH', nightly, { durationMinutes: 2000 }, 400, /durationMinutes/],
      ['PATCH', `${base}/${windows.Weekend.windowId}`, { enabled: true }, 404, /maintenance window [0-9a-f-]{36} of collection "Servers" does not exist/],
      ['DELETE', `${base}/${randomUUID()}`, undefined, 404, /does not exist/],
      ['GET', `${base}/next?count=0`, undefined, 400, /count/],
      ['GET', `${base}/next?timeZone=Nowhere/Town`, undefined, 400, /not a known IANA time zone/],
      ['GET', `/clients/${randomUUID()}/maintenance-windows/next`, undefined, 404, /client [0-9a-f-]{36} does not exist/],
    ];
    await unchanged(async () => {
      for (const [method, path, body, status, message] of cases) {
        const r = await t.api(method, path, body);
        assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.error, message);
      }
    });
  });

  test('deleting a window; deleting a collection deletes its windows', async () => {
    const r = await t.api('DELETE', `/collections/${collections.Desk}/maintenance-windows/${windows['Maintenance window 2'].windowId}`);
    assert.deepEqual(r.body, { windowId: windows['Maintenance window 2'].windowId, collectionId: collections.Desk, deleted: true });
    assert.deepEqual((await t.api('GET', `/collections/${collections.Desk}/maintenance-windows`)).body.windows.map((w: { name: string }) => w.name), ['Maintenance window']);
    assert.equal((await t.api('GET', '/audit?action=maintenance-window.delete')).body.entries.length, 1);
    assert.equal((await t.api('DELETE', `/collections/${collections.Desk}`)).status, 200);
    assert.deepEqual(await t.site.store.db.selectFrom('maintenance_windows').select('window_id').where('collection_id', '=', collections.Desk).execute(), []);
  });
});
