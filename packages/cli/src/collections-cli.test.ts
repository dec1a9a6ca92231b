import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../test/run-cli.ts';
import { VirtualClock, inventoryOsOf, parseDpkgStatus, parseOsRelease } from '@patchday/core';
import { sharedData, startTestSite, type TestSite } from '../../server/test/site-harness.ts';
import { describeEachStore } from '../../server/test/stores.ts';

const nodeImageStatus = readFileSync(join(sharedData, 'dpkg-status/bookworm-node-image.status'), 'utf8');


describeEachStore('patchday collections', (kind) => {
  let t: TestSite;
  let home: string;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const clients: Record<string, string> = {};

  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: t.url, PATCHDAY_TOKEN: t.token });

  before(async () => {
    t = await startTestSite(kind, { clock });
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-collections-'));
    // Two agents enrol and report real inventories: the Debian 12 node image, and the same packages on Debian 13.
    const { token } = (await t.api('POST', '/enrolment-tokens', { name: 'cli test' })).body;
    for (const [name, osRelease] of [['web-1', 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'], ['db-1', 'ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n']]) {
      const r = await fetch(`${t.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrolmentToken: token, name }) });
      const agent = (await r.json()) as { clientId: string; credential: string };
      clients[name] = agent.clientId;
      const inventory = { os: inventoryOsOf(parseOsRelease(osRelease), 'amd64'), dpkg: parseDpkgStatus(nodeImageStatus), facts: {} };
      const put = await fetch(`${t.url}/mp/v1/clients/${agent.clientId}/inventory`, { method: 'PUT', headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json' }, body: JSON.stringify({ inventory }) });
      assert.equal(put.status, 204);
    }
  });
  after(async () => {
    await t.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('create with --rule and --rule-file; names are accepted wherever an id is expected', async () => {
    const d12 = await patchday(['collections', 'create', '--name', 'Debian 12', '--rule', '{"os": {"family": "debian", "versionId": "12"}}', '--json']);
    assert.equal(d12.code, 0, d12.stderr);
    assert.equal(JSON.parse(d12.stdout).memberCount, 1);
    const ruleFile = join(home, 'openssl.json');
    writeFileSync(ruleFile, JSON.stringify([{ name: 'old openssl', rule: { dpkg: { package: 'openssl', version: { op: 'lt', value: '3.0.22-1~deb12u2' } } } }]));
    const old = await patchday(['collections', 'create', '--name', 'Old OpenSSL', '--rule-file', ruleFile]);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /^Created collection Old OpenSSL \([0-9a-f-]{36}\): 2 members$/m);
  });

  test('create, add-member by name, list, show, members, of, settings', async () => {
    const pilot = await patchday(['collections', 'create', '--name', 'Pilot', '--limit', 'debian 12', '--settings', '{"scanScheduleDays": 1}', '--priority', '3']);
    assert.equal(pilot.code, 0, pilot.stderr);
    const add = await patchday(['collections', 'add-member', 'Pilot', 'web-1', clients['db-1']]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /Added 2 direct members to Pilot/);

    const list = await patchday(['collections', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^COLLECTION ID\s+NAME\s+MEMBERS\s+DIRECT\s+RULES\s+LIMITED TO\s+PRIORITY\s+SETTINGS$/m);
    assert.match(list.stdout, /All Systems\s+2\s+0\s+0\s+-\s+-\s+-/);
    assert.match(list.stdout, /Pilot\s+1\s+2\s+0\s+Debian 12\s+3\s+scanScheduleDays=1/, 'db-1 is a direct rule but outside Debian 12');
    const json = JSON.parse((await patchday(['collections', 'list', '--json'])).stdout);
    assert.deepEqual(json.map((c: { name: string }) => c.name), ['All Systems', 'Debian 12', 'Old OpenSSL', 'Pilot']);

    const show = await patchday(['collections', 'show', 'old openssl']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^Limited to:\s+All Systems \(00000000-0000-4000-8000-000000000001\)$/m);
    assert.match(show.stdout, /^old openssl\s+\{"dpkg":\{"package":"openssl"/m);

    const members = await patchday(['collections', 'members', 'Pilot', '--direct']);
    assert.match(members.stdout, /db-1\s+active\s+no/);
    assert.match(members.stdout, /web-1\s+active\s+yes/);
    const page = JSON.parse((await patchday(['collections', 'members', 'All Systems', '--limit', '1', '--json'])).stdout);
    assert.deepEqual([page.total, page.members.length], [2, 1]);

    const of = await patchday(['collections', 'of', 'web-1']);
    assert.match(of.stdout, /Pilot\s+yes\s+3/);
    const settings = await patchday(['collections', 'settings', 'web-1']);
    assert.match(settings.stdout, /^scanScheduleDays\s+1\s+Pilot \([0-9a-f-]{36}\)\s+3$/m);
    assert.match(settings.stdout, /^policyPollingMinutes\s+60\s+default\s+-$/m);
  });

  test('update and remove-member; errors exit 2 (refused) or 4 (unknown) with the reason on stderr', async () => {
    const bad = await patchday(['collections', 'create', '--name', 'X', '--rule', '{bad']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--rule #1 is not valid JSON/);
    const tooOften = await patchday(['collections', 'create', '--name', 'X', '--settings', '{"scanScheduleDays": 0}', '--priority', '9']);
    assert.equal(tooOften.code, 2);
    assert.match(tooOften.stderr, /never less than 1 day/);
    assert.equal((await patchday(['collections', 'show', 'nope'])).code, 4);
    assert.equal((await patchday(['collections', 'add-member', 'Pilot', 'no-such-host'])).code, 4);
    const depended = await patchday(['collections', 'delete', 'Debian 12']);
    assert.equal(depended.code, 2);
    assert.match(depended.stderr, /"Pilot" \(limited by it\) depends on it/);
    const builtIn = await patchday(['collections', 'delete', 'All Systems']);
    assert.equal(builtIn.code, 2);
    assert.match(builtIn.stderr, /built in and cannot be deleted/);
    assert.equal((await patchday(['collections', 'update', 'Pilot'])).code, 2);

    const updated = await patchday(['collections', 'update', 'Pilot', '--name', 'Pilot ring', '--clear-settings', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual([JSON.parse(updated.stdout).name, JSON.parse(updated.stdout).clientSettings, JSON.parse(updated.stdout).settingsPriority], ['Pilot ring', {}, null]);
    const removed = await patchday(['collections', 'remove-member', 'Pilot ring', 'web-1']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(JSON.parse((await patchday(['collections', 'show', 'Pilot ring', '--json'])).stdout).memberCount, 0);
    assert.equal((await patchday(['collections', 'delete', 'Pilot ring'])).code, 0);
    assert.equal((await patchday(['collections', 'delete', 'Debian 12'])).code, 0);
  });
});
