/** `patchday compliance client|update|summary` against a site whose clients' states come from every source. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../test/run-cli.ts';
import { startComplianceFixture, type ComplianceFixture } from '../../server/test/compliance-fixture.ts';
import { describeEachStore } from '../../server/test/stores.ts';


describeEachStore('patchday compliance', (kind) => {
  let f: ComplianceFixture;
  let home: string;
  const patchday = (args: string[]) => runCli(args, { XDG_CONFIG_HOME: home, PATCHDAY_SERVER: f.t.url, PATCHDAY_TOKEN: f.t.token });

  before(async () => {
    f = await startComplianceFixture(kind);
    home = mkdtempSync(join(tmpdir(), 'patchday-cli-home-'));
  });
  after(async () => {
    await f.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('compliance client takes a host name (any case) or an id; the table says where each state comes from', async () => {
    const table = await patchday(['compliance', 'client', 'NODE-B']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Client:\s+node-b \([0-9a-f-]{36}\)$/m);
    assert.match(table.stdout, /^Last scan:\s+complete at 2026-11-25T10:30:00\.000Z$/m);
    assert.match(table.stdout, /^Last completed:\s+2026-11-25T10:30:00\.000Z, Debian 12 up to catalogue \d+$/m);
    assert.match(table.stdout, /^Sources:\s+414 reported, 0 estimated, 0 none$/m);
    assert.match(table.stdout, /^STATE\s+SOURCE\s+TITLE\s+CLASSIFICATION\s+SUPERSEDED\s+UPGRADES$/m);
    assert.match(table.stdout, new RegExp(`^Required\\s+reported\\s+${escape(f.reportedRequired.title)}\\s+Security Updates\\s+no\\s+\\S+ \\S+ → \\S+`, 'm'));
    const all = await patchday(['compliance', 'client', f.clients.a.clientId, '--all', '--json']);
    const body = JSON.parse(all.stdout);
    assert.equal(body.updates.length, 414);
    assert.ok(body.updates.every((u: { source: string; superseded: boolean }) => u.source === 'estimated' && typeof u.superseded === 'boolean'));
    const missing = await patchday(['compliance', 'client', 'no-such-host']);
    assert.deepEqual([missing.code, missing.stdout], [4, '']);
    assert.match(missing.stderr, /no client no-such-host/);
  });

  test('compliance update: counts, % compliant, sources; --state and --collection (by name) filter', async () => {
    const table = await patchday(['compliance', 'update', f.openssl.updateId]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Clients:\s+4 \(active\)$/m);
    assert.match(table.stdout, /^Required:\s+2$/m);
    assert.match(table.stdout, /^Compliant:\s+25\.0 %$/m);
    assert.match(table.stdout, /^Sources:\s+1 reported, 2 estimated, 1 none$/m);
    assert.match(table.stdout, /^node-b\s+\S+\s+Installed\s+reported$/m);
    assert.match(table.stdout, /^node-c\s+\S+\s+Unknown\s+none$/m);
    const required = await patchday(['compliance', 'update', f.openssl.updateId, '--state', 'required', '--limit', '1']);
    assert.match(required.stdout, /^node-a\s+\S+\s+Required\s+estimated$/m);
    assert.doesNotMatch(required.stdout, /node-d/);
    assert.match(required.stdout, /^1–1 of 2 clients Required$/m);
    const web = JSON.parse((await patchday(['compliance', 'update', f.openssl.updateId, '--collection', 'WEB', '--json'])).stdout);
    assert.deepEqual([web.collectionId, web.clientsCounted, web.percentCompliant], [f.collectionId, 2, 50]);
    const badState = await patchday(['compliance', 'update', f.openssl.updateId, '--state', 'done']);
    assert.equal(badState.code, 2);
    assert.match(badState.stderr, /--state is one of Unknown, Not Required, Required, Installed/);
    const badLimit = await patchday(['compliance', 'update', f.openssl.updateId, '--limit', '5000']);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /limit/);
    const badId = await patchday(['compliance', 'update', 'openssl']);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /updateId is a UUID/);
    const noCollection = await patchday(['compliance', 'update', f.openssl.updateId, '--collection', 'nope']);
    assert.deepEqual([noCollection.code, noCollection.stderr.trim()], [4, 'patchday: no collection nope']);
  });

  test('compliance summary: tables per classification and severity, the most required updates, --json', async () => {
    const table = await patchday(['compliance', 'summary']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Clients:\s+4 \(active\)$/m);
    assert.match(table.stdout, /^Updates:\s+414$/m);
    assert.match(table.stdout, /^CLASSIFICATION\s+UPDATES\s+REQUIRED BY SOME\s+REQUIRED\s+INSTALLED\s+NOT REQUIRED\s+UNKNOWN\s+COMPLIANT$/m);
    assert.match(table.stdout, /^Security Updates\s+414\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\.\d %$/m);
    assert.match(table.stdout, /^Unspecified\s+414\s/m);
    assert.match(table.stdout, new RegExp(`^3\\s+\\d+\\.\\d %\\s+${escape(f.reportedRequired.title)}`, 'm'));
    const json = JSON.parse((await patchday(['compliance', 'summary', '--collection', 'web', '--not-superseded', '--json'])).stdout);
    assert.deepEqual([json.clientsCounted, json.superseded], [2, false]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
