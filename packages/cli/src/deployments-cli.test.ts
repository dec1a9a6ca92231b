import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualClock, type StateMessage } from '@patchday/core';
import { deploymentFixture, type Agent, type DeploymentFixture } from '../../server/src/deployments/deployment-fixture.ts';
import { describeEachStore } from '../../server/test/stores.ts';
import { runCli } from '../test/run-cli.ts';

describeEachStore('patchday windows, deployments and alerts', (kind) => {
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  let f: DeploymentFixture;
  let home: string;
  let web1: Agent;
  let groupId: string;

  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: f.t.url, PATCHDAY_TOKEN: f.t.token });
  const ok = async (args: string[]) => {
    const r = await patchday(args);
    assert.equal(r.code, 0, `patchday ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    f = await deploymentFixture(kind, clock);
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-deployments-'));
    web1 = await f.enrol('web-1');
    await f.collection('Web servers', [web1, await f.enrol('web-2')]);
    groupId = await f.group('November security', f.updateIds.slice(0, 3));
  });
  after(async () => {
    await f.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('windows add (the second Tuesday; the default), list, set, next, delete', async () => {
    assert.match(
      await ok(['windows', 'add', 'web servers', '--name', 'Patch Tuesday', '--nth', '2', '--day', 'tue', '--start', '22:00', '--duration', '4h', '--time-zone', 'Europe/Amsterdam']),
      /^Added maintenance window Patch Tuesday \([0-9a-f-]{36}\) to Web servers: monthly on the second tue at 22:00 for 240 min, Europe\/Amsterdam$/m,
    );
    assert.match(await ok(['windows', 'add', 'Web servers']), /Added maintenance window Maintenance window .*: weekly on sun at 01:00 for 180 min, client-local/);
    const list = await ok(['windows', 'list', 'Web servers']);
    assert.match(list, /^WINDOW ID\s+NAME\s+RECURRENCE\s+START\s+DURATION\s+TIME ZONE\s+ENABLED$/m);
    assert.match(list, /Patch Tuesday\s+monthly on the second tue\s+22:00\s+240 min\s+Europe\/Amsterdam\s+yes/);
    assert.match(await ok(['windows', 'set', 'Web servers', 'maintenance window', '--duration', '1h30m', '--disable']), /Updated maintenance window Maintenance window/);
    assert.match(await ok(['windows', 'list', 'Web servers']), /Maintenance window\s+weekly on sun\s+01:00\s+90 min\s+client-local\s+no/);

    const next = await ok(['windows', 'next', 'web-1', '--count', '3']);
    assert.match(next, /^client web-1: the union of Patch Tuesday \(Web servers\)$/m);
    assert.match(next, /2026-12-08T21:00:00.000Z\s+2026-12-09T01:00:00.000Z\s+240\n.*2027-01-12T21:00:00.000Z\s+2027-01-13T01:00:00.000Z\s+240\n.*2027-02-09T21:00:00.000Z/);
    const json = JSON.parse(await ok(['windows', 'next', 'Web servers', '--count', '1', '--json']));
    assert.deepEqual(json.windows, [{ start: '2026-12-08T21:00:00.000Z', end: '2026-12-09T01:00:00.000Z', durationMinutes: 240 }]);

    const missingDay = await patchday(['windows', 'add', 'Web servers', '--nth', '2']);
    assert.equal(missingDay.code, 2);
    assert.match(missingDay.stderr, /--nth needs --day/);
    const tooLong = await patchday(['windows', 'add', 'Web servers', '--duration', '25h']);
    assert.equal(tooLong.code, 2);
    assert.match(tooLong.stderr, /durationMinutes: Too big/);
    assert.match(await ok(['windows', 'delete', 'Web servers', 'Maintenance window']), /Deleted maintenance window Maintenance window/);
    assert.equal((await patchday(['windows', 'delete', 'Web servers', 'Maintenance window'])).code, 4);
  });

  test('deployments create, list, show, set, disable, enable', async () => {
    const created = await ok(['deployments', 'create', '--name', 'November to web', '--group', 'november security', '--collection', 'Web servers', '--available', '2026-11-26T08:00Z', '--deadline', '2026-12-01T22:00Z', '--restart-suppression', 'servers', '--alert-below', '90', '--alert-after-days', '3']);
    assert.match(created, /^Created deployment November to web \([0-9a-f-]{36}\): 3 updates of November security to Web servers; flagged: 3 without content$/m);
    const list = await ok(['deployments', 'list']);
    assert.match(list, /^DEPLOYMENT ID\s+NAME\s+GROUP\s+COLLECTION\s+PURPOSE\s+AVAILABLE\s+DEADLINE\s+ENABLED\s+UPDATES\s+FLAGS$/m);
    assert.match(list, /November to web\s+November security\s+Web servers\s+required\s+2026-11-26T08:00:00.000Z\s+2026-12-01T22:00:00.000Z\s+yes\s+3\s+3 without content/);
    const show = await ok(['deployments', 'show', 'november to web']);
    assert.match(show, /^Restart suppressed:\s+servers$/m);
    assert.match(show, /^Alerts:\s+under 90 % compliant 3 days after available$/m);
    assert.match(show, /^UPDATE WITHOUT CONTENT\s+UPDATE ID$/m);
    const set = JSON.parse(await ok(['deployments', 'set', 'November to web', '--deadline', '2026-12-02T22:00Z', '--install-outside-windows', '--no-alerts', '--json']));
    assert.deepEqual([set.deadlineAt, set.installOutsideWindows, set.alerts], ['2026-12-02T22:00:00.000Z', true, null]);
    assert.match(await ok(['deployments', 'disable', 'November to web']), /^Disabled deployment November to web/);
    assert.deepEqual((await f.policy(web1)).policy!.assignments, []);
    assert.match(await ok(['deployments', 'enable', 'November to web']), /^Enabled deployment November to web/);
    assert.equal((await f.policy(web1)).policy!.assignments[0].name, 'November to web');

    const refused = await patchday(['deployments', 'create', '--name', 'x', '--group', groupId, '--collection', 'Web servers', '--available', '2026-11-26T08:00Z', '--deadline', '2026-11-20T08:00Z']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /deadlineAt: the deadline \(2026-11-20T08:00:00.000Z\) is before the available time/);
    const unknown = await patchday(['deployments', 'show', 'nothing like it']);
    assert.equal(unknown.code, 4);
    const nothing = await patchday(['deployments', 'set', 'November to web']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /nothing to change/);
  });

  test('deployments status, of <client>; alerts list and evaluate; deployments delete', async () => {
    const id = JSON.parse(await ok(['deployments', 'show', 'November to web', '--json'])).deploymentId;
    const messages: StateMessage[] = [
      { seq: 1, time: clock.now().toISOString(), topic: 302, stateId: 2, deploymentId: id, error: null },
      { seq: 2, time: clock.now().toISOString(), topic: 301, stateId: 6, deploymentId: id, updateId: f.updateIds[0], error: 'dpkg: dependency problems' },
    ];
    assert.equal((await f.t.mp('POST', `/clients/${web1.clientId}/state-messages`, web1.credential, { messages })).status, 200);
    const status = await ok(['deployments', 'status', 'November to web']);
    assert.match(status, /^November to web: 0 % compliant — 0 compliant, 0 in progress, 0 waiting, 1 error, 1 unknown \(2 clients\)$/m);
    assert.match(status, /web-1\s+error\s+failed install\s+dpkg: dependency problems/);
    assert.match(status, /web-2\s+unknown\s+no state message yet/);
    const errors = JSON.parse(await ok(['deployments', 'status', 'November to web', '--category', 'error', '--json']));
    assert.deepEqual(errors.clients.map((c: { name: string }) => c.name), ['web-1']);
    assert.match(await ok(['deployments', 'of', 'web-1']), /November to web\s+Web servers\s+required\s+2026-12-02T22:00:00.000Z\s+error\s+failed install\s+dpkg: dependency problems/);

    assert.match(await ok(['alerts', 'list']), /^no open alerts$/m);
    assert.match(await ok(['alerts', 'evaluate']), /^Evaluated alerts at 2026-11-25T10:00:00.000Z: 0 raised, 0 cleared, 0 open$/m);
    assert.deepEqual(JSON.parse(await ok(['alerts', 'list', '--all', '--json'])), []);

    assert.match(await ok(['deployments', 'delete', 'November to web']), /^Deleted deployment November to web/);
    assert.deepEqual(JSON.parse(await ok(['deployments', 'list', '--json'])), []);
  });
});
