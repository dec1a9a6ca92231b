/**
 * The whole deployment path of issue 5 on one site, on both stores, on virtual time: sync a signed
 * archive of real .deb files → update group from a filter → deployment package downloaded from the
 * upstream and verified into the content library → sent to the site's distribution point →
 * maintenance window and required deployment on a collection → a real agent on a sandbox root
 * enrols into that collection, downloads the files at once, waits for the deadline and the window,
 * installs with real dpkg, restarts (the update's postinst asks for it), rescans and reports →
 * the site shows the client compliant and the update Installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SITE_DISTRIBUTION_POINT_ID, type DeploymentStatus } from '@patchday/core';
import { startContentFixture, type ContentFixture } from '../../../server/test/content-fixture.ts';
import { describeEachStore } from '../../../server/test/stores.ts';
import { fixedRandom, quietLog } from '../agent/agent-harness.ts';
import { DpkgSandbox } from '../agent/support/dpkg-sandbox.ts';
import { Agent } from '../../../agent/src/agent.ts';

describeEachStore('deployment end to end', (kind) => {
  let f: ContentFixture;
  let box: DpkgSandbox;
  let agent: Agent | null = null;

  before(async () => {
    f = await startContentFixture(kind);
    box = new DpkgSandbox('web-3');
  });
  after(async () => {
    agent?.stop();
    await f.stop();
    box.dispose();
  });

  /** Moves the shared virtual clock (site and agent) timer by timer, letting each finish its work. */
  async function runUntil(end: Date): Promise<void> {
    for (;;) {
      await agent?.idle();
      await f.t.site.alerts.whenIdle();
      const next = f.clock.pending().find((d) => d.getTime() <= end.getTime());
      if (!next) break;
      f.clock.advanceTo(next.getTime() < f.clock.now().getTime() ? f.clock.now() : next);
    }
    f.clock.advanceTo(end);
    await agent?.idle();
  }

  test('sync → group → package → distribution point → deployment → download → window → dpkg install → restart → report', async () => {
    const api = f.t.api.bind(f.t);
    // A new upload of foo whose library asks for a restart, as real library updates do.
    await f.publishSecurity([
      { package: 'libfoo1', source: 'foo', version: '1.0-3', scripts: { postinst: 'mkdir -p "$DPKG_ROOT/var/run" && touch "$DPKG_ROOT/var/run/reboot-required"' } },
      { package: 'foo-tools', source: 'foo', version: '1.0-3', depends: 'libfoo1 (>= 1.0-3)' },
    ]);
    // The machine runs foo 1.0-1, installed the way it was before Patchday: plain dpkg.
    box.dpkgInstall([f.debs.get('libfoo1_1.0-1_amd64')!, f.debs.get('foo-tools_1.0-1_amd64')!]);

    // 1–2. Filter and group: the foo updates that can still be deployed (1.0-2 expired when 1.0-3 superseded it).
    const group = await api('POST', '/update-groups', { name: 'foo security', filter: { classification: 'Security Updates', source: 'foo' } });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const groupId = group.body.group?.groupId ?? group.body.groupId;
    const members = (await api('GET', `/update-groups/${groupId}`)).body.members.updates as Array<{ updateId: string; title: string; version?: string }>;
    assert.equal(members.length, 1);
    const update = members[0];
    assert.match(update.title, /foo 1\.0-3/);

    // 3. Package: downloaded from the upstream, verified, content version 2.
    const pkg = await api('POST', '/packages', { name: 'foo files' });
    assert.equal(pkg.status, 201, JSON.stringify(pkg.body));
    const packageId = pkg.body.packageId;
    assert.equal((await api('POST', `/packages/${packageId}/content`, { groupId, from: 'upstream' })).status, 202);
    let detail = (await api('GET', `/packages/${packageId}`)).body;
    for (let i = 0; detail.job?.state === 'running' && i < 1000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      detail = (await api('GET', `/packages/${packageId}`)).body;
    }
    assert.deepEqual([detail.contentVersion, detail.files.stored, detail.files.failed], [2, 2, 0]);

    // 4. Distribution point: the site's own.
    assert.equal((await api('POST', `/packages/${packageId}/distribute`, { dpIds: [SITE_DISTRIBUTION_POINT_ID] })).status, 200);
    const distribution = (await api('GET', `/packages/${packageId}/distribution`)).body;
    assert.equal(distribution.distributionPoints[0].state, 'installed', JSON.stringify(distribution));

    // 5. A collection with a nightly window 02:00–05:00 Amsterdam time, and a required deployment to it.
    const collection = (await api('POST', '/collections', { name: 'web servers e2e' })).body;
    const window = await api('POST', `/collections/${collection.collectionId}/maintenance-windows`, { name: 'nightly', recurrence: { kind: 'daily' }, start: '02:00', durationMinutes: 180, timeZone: 'Europe/Amsterdam' });
    assert.equal(window.status, 201, JSON.stringify(window.body));
    const deployment = await api('POST', '/deployments', {
      name: 'foo to web servers',
      groupId,
      collectionId: collection.collectionId,
      purpose: 'required',
      availableAt: '2026-11-25T11:00:00Z',
      deadlineAt: '2026-11-26T12:00:00Z',
    });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    const deploymentId = deployment.body.deploymentId;

    // 6. A real agent on the sandbox root enrols into the collection and downloads at once.
    const token = (await api('POST', '/enrolment-tokens', { name: 'e2e', collectionId: collection.collectionId })).body.token;
    agent = new Agent({ dataDir: box.dataDir, root: box.root, server: f.t.url, enrolmentToken: token, architecture: 'amd64', clock: f.clock, random: fixedRandom(0.5), log: quietLog, timeZone: 'Europe/Amsterdam', machineRole: 'server' });
    await agent.start();
    await runUntil(new Date(f.clock.now().getTime() + 20 * 60_000));
    const status = () => api<DeploymentStatus>('GET', `/deployments/${deploymentId}/status`).then((r) => r.body);
    let s = await status();
    assert.equal(s.counts.members, 1);
    const row = () => s.clients.find((c) => c.name === 'web-3')!;
    assert.ok(row().states.some((st) => st.topic === 301 && st.stateId === 8), `downloaded was reported: ${JSON.stringify(row())}`);
    assert.equal(box.installed().libfoo1, '1.0-1', 'nothing installs before the deadline');

    // 7. The deadline (12:00 UTC) is outside the window: the client waits for 02:00 Amsterdam (01:00 UTC) on the 27th.
    await runUntil(new Date('2026-11-26T12:30:00Z'));
    s = await status();
    assert.equal(row().category, 'waiting', JSON.stringify(row()));
    assert.match(row().detail, /maintenance window/);
    assert.equal(box.installed().libfoo1, '1.0-1');

    // 8. The window opens: install with dpkg, pending restart (the postinst asked), the restart 90 minutes later, rescan, report.
    await runUntil(new Date('2026-11-27T01:30:00Z'));
    assert.deepEqual([box.installed().libfoo1, box.installed()['foo-tools']], ['1.0-3', '1.0-3']);
    s = await status();
    assert.equal(row().category, 'waiting', 'pending restart');
    assert.ok(existsSync(join(box.root, 'var/run/reboot-required')));

    await runUntil(new Date('2026-11-27T04:00:00Z'));
    assert.equal(existsSync(join(box.root, 'var/run/reboot-required')), false, 'the sandbox restart cleared it');
    s = await status();
    assert.equal(row().category, 'compliant', JSON.stringify(row()));
    assert.deepEqual([s.counts.compliant, s.percentCompliant], [1, 100]);

    // The update's compliance on the site: Installed on this client, reported by the agent.
    const compliance = (await api('GET', `/updates/${update.updateId}/compliance?collectionId=${collection.collectionId}`)).body;
    assert.deepEqual([compliance.counts.Installed, compliance.clients[0].name, compliance.clients[0].source], [1, 'web-3', 'reported'], JSON.stringify(compliance));
  });
});
