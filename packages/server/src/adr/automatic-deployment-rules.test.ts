import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SITE_DISTRIBUTION_POINT_ID as SITE_DP } from '@patchday/core';
import type { AdrPreview, AdrRunResult, AutomaticDeploymentRule, Deployment } from '@patchday/core';
import { startContentFixture, uniqueName, type ContentFixture } from '../../test/content-fixture.ts';
import { describeEachStore, dumpStore } from '../../test/stores.ts';


/** §6.3 rules over a site synced from real .debs: preview, the patch-Tuesday schedule, refills, run now, report mode, refusals. */
describeEachStore('automatic deployment rules', (kind) => {
  let f: ContentFixture;
  before(async () => {
    f = await startContentFixture(kind);
  });
  after(() => f.stop());

  const api = <T = any>(method: string, path: string, body?: unknown) => f.t.api<T>(method, path, body);
  const groupIds = async (groupId: string) => {
    const detail = (await api('GET', `/update-groups/${groupId}?pageSize=1000`)).body;
    return (detail.members.updates as Array<{ updateId: string }>).map((u) => u.updateId).sort();
  };
  const settlePackage = async (packageId: string) => {
    for (let i = 0; i < 1000; i++) {
      const pkg = (await api('GET', `/packages/${packageId}`)).body;
      if (pkg.job?.state !== 'running') return pkg;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the download did not finish');
  };
  const unchanged = async (work: () => Promise<void>) => {
    // Work the virtual clock started in earlier tests (rule runs, alert evaluations) ends first.
    await f.t.site.adrs.whenIdle();
    await f.t.site.alerts.whenIdle();
    const before = await dumpStore(f.t.site.store);
    const library = f.library();
    await work();
    assert.deepEqual(await dumpStore(f.t.site.store), before, 'the database is unchanged');
    assert.deepEqual(f.library(), library, 'the content library is unchanged');
  };

  test('patch Tuesday: the second Tuesday 22:00 Amsterdam time selects, refills, deploys, downloads and distributes', async () => {
    const name = uniqueName('Patch Tuesday');
    const created = await api<AutomaticDeploymentRule>('POST', '/adrs', {
      name,
      criteria: { classification: 'Security Updates', requiredByAtLeast: 2 },
      schedule: { cron: '0 22 * * TUE#2', timeZone: 'Europe/Amsterdam' },
      deployments: [{ collectionId: f.webCollectionId, availableAfterMinutes: 60, deadlineAfterMinutes: 7 * 1440, alerts: { belowPercent: 90, afterDays: 10 } }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const rule = created.body;
    assert.equal(rule.nextRunAt, '2026-12-08T21:00:00.000Z', 'the second Tuesday of December, 22:00 in Amsterdam');
    assert.equal(rule.groupName, name, 'the rule has a group of its own');
    assert.equal(rule.packageName, name, 'and a package of its own');
    assert.deepEqual(await groupIds(rule.groupId), [], 'nothing is selected before the first run');

    // Nothing happens before the schedule says so.
    f.clock.advanceTo(new Date('2026-12-08T20:59:00Z'));
    await f.t.site.adrs.whenIdle();
    assert.equal((await api('GET', `/adrs/${rule.adrId}`)).body.lastRun, null);

    f.clock.advanceTo(new Date('2026-12-08T21:00:00Z'));
    await f.t.site.adrs.whenIdle();
    const ran = (await api<AutomaticDeploymentRule>('GET', `/adrs/${rule.adrId}`)).body;
    assert.equal(ran.lastRun?.status, 'succeeded', JSON.stringify(ran.lastRun));
    assert.equal(ran.lastRun?.trigger, 'schedule');
    assert.deepEqual(await groupIds(rule.groupId), [f.updates.bar.updateId, f.updates.foo.updateId].sort(), 'Security updates Required on at least 2 clients');
    assert.equal(ran.nextRunAt, '2027-01-12T21:00:00.000Z', 'next: the second Tuesday of January');

    const deploymentId = ran.deployments[0].deploymentId!;
    const deployment = (await api<Deployment>('GET', `/deployments/${deploymentId}`)).body;
    assert.equal(deployment.adrId, rule.adrId);
    assert.equal(deployment.collectionId, f.webCollectionId);
    assert.equal(deployment.availableAt, '2026-12-08T22:00:00.000Z', 'available one hour after the run');
    assert.equal(deployment.deadlineAt, '2026-12-15T21:00:00.000Z', 'deadline a week after the run');
    assert.deepEqual(deployment.alerts, { belowPercent: 90, afterDays: 10 });

    const pkg = await settlePackage(rule.packageId!);
    assert.equal(pkg.contentVersion, 2, 'the run downloaded the group\'s files into the rule\'s package');
    assert.equal(pkg.files.stored, 3, 'libfoo1, foo-tools and bar');
    const distribution = (await api('GET', `/packages/${rule.packageId}/distribution`)).body;
    assert.ok(JSON.stringify(distribution).includes(SITE_DP), `the package went to the enabled distribution points: ${JSON.stringify(distribution)}`);

    // A member's policy carries the deployment with both updates.
    const audit = (await api('GET', '/audit?action=adr.run')).body;
    assert.ok(JSON.stringify(audit).includes(rule.adrId), 'the run is in the audit log');
  });

  test('preview shows what a run would select now and changes nothing; run now refills the group and keeps the deployment', async () => {
    const created = await api<AutomaticDeploymentRule>('POST', '/adrs', {
      name: uniqueName('All security'),
      criteria: { classification: 'Security Updates' },
      deployments: [{ collectionId: f.webCollectionId, timeBasis: 'client-local', availableAfterMinutes: 0, deadlineAfterMinutes: 120 }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const rule = created.body;
    assert.equal(rule.nextRunAt, null, 'without a schedule the rule runs only when asked');

    let preview!: AdrPreview;
    await unchanged(async () => {
      const answer = await api<AdrPreview>('POST', `/adrs/${rule.adrId}/preview`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      preview = answer.body;
    });
    assert.deepEqual([preview.total, preview.wouldAdd, preview.wouldRemove], [2, 2, 0]);
    assert.deepEqual(preview.updates.map((u) => u.updateId).sort(), [f.updates.bar.updateId, f.updates.foo.updateId].sort());

    const first = await api<AdrRunResult>('POST', `/adrs/${rule.adrId}/run`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.status, first.body.trigger, first.body.updates, first.body.added, first.body.removed, first.body.deploymentsCreated], ['succeeded', 'manual', 2, 2, 0, 1]);
    const deploymentId = (await api<AutomaticDeploymentRule>('GET', `/adrs/${rule.adrId}`)).body.deployments[0].deploymentId!;
    const local = (await api<Deployment>('GET', `/deployments/${deploymentId}`)).body;
    assert.equal(local.timeBasis, 'client-local');
    assert.match(local.availableAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'a client-local time has no offset');
    await settlePackage(rule.packageId!);

    // Narrow the criteria: the next run empties the group and refills it; the same deployment stays.
    assert.equal((await api('PATCH', `/adrs/${rule.adrId}`, { criteria: { source: 'bar' } })).status, 200);
    const second = (await api<AdrRunResult>('POST', `/adrs/${rule.adrId}/run`)).body;
    assert.deepEqual([second.updates, second.added, second.removed, second.deploymentsCreated], [1, 0, 1, 0]);
    assert.deepEqual(await groupIds(rule.groupId), [f.updates.bar.updateId]);
    assert.equal((await api<AutomaticDeploymentRule>('GET', `/adrs/${rule.adrId}`)).body.deployments[0].deploymentId, deploymentId);
    await settlePackage(rule.packageId!);

    // An administrator disables the rule's deployment: the rule shows it, and runs leave it disabled.
    assert.equal((await api('PATCH', `/deployments/${deploymentId}`, { enabled: false })).status, 200);
    await api('POST', `/adrs/${rule.adrId}/run`);
    await settlePackage(rule.packageId!);
    const shown = (await api<AutomaticDeploymentRule>('GET', `/adrs/${rule.adrId}`)).body;
    assert.equal(shown.deployments[0].deploymentEnabled, false);
  });

  test('report mode refills the group and deploys for compliance only: no package, no download', async () => {
    const created = await api<AutomaticDeploymentRule>('POST', '/adrs', {
      name: uniqueName('Report only'),
      mode: 'report',
      criteria: { source: 'baz' },
      deployments: [{ collectionId: f.webCollectionId }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.packageId, null);
    const run = (await api<AdrRunResult>('POST', `/adrs/${created.body.adrId}/run`)).body;
    assert.deepEqual([run.status, run.updates, run.filesQueued], ['succeeded', 1, 0]);
    const deploymentId = (await api<AutomaticDeploymentRule>('GET', `/adrs/${created.body.adrId}`)).body.deployments[0].deploymentId!;
    assert.equal((await api<Deployment>('GET', `/deployments/${deploymentId}`)).body.reportOnly, true);
  });

  test('disabling a rule stops its schedule; deleting it leaves its group and deployments to the administrator', async () => {
    const created = await api<AutomaticDeploymentRule>('POST', '/adrs', {
      name: uniqueName('Nightly'),
      mode: 'report',
      criteria: { source: 'bar' },
      schedule: { cron: '0 3 * * *', timeZone: 'UTC' },
      deployments: [{ collectionId: f.webCollectionId }],
    });
    const rule = created.body;
    assert.ok(rule.nextRunAt);
    const disabled = (await api<AutomaticDeploymentRule>('PATCH', `/adrs/${rule.adrId}`, { enabled: false })).body;
    assert.equal(disabled.nextRunAt, null);
    f.clock.advance(2 * 86_400_000);
    await f.t.site.adrs.whenIdle();
    assert.equal((await api('GET', `/adrs/${rule.adrId}`)).body.lastRun, null, 'a disabled rule does not run');

    const enabled = (await api<AutomaticDeploymentRule>('PATCH', `/adrs/${rule.adrId}`, { enabled: true })).body;
    f.clock.advanceTo(new Date(enabled.nextRunAt!));
    await f.t.site.adrs.whenIdle();
    const ran = (await api<AutomaticDeploymentRule>('GET', `/adrs/${rule.adrId}`)).body;
    assert.equal(ran.lastRun?.status, 'succeeded');

    assert.equal((await api('DELETE', `/adrs/${rule.adrId}`)).status, 200);
    assert.equal((await api('GET', `/adrs/${rule.adrId}`)).status, 404);
    assert.deepEqual(await groupIds(rule.groupId), [f.updates.bar.updateId], 'the group stays');
    const deployment = (await api<Deployment>('GET', `/deployments/${ran.deployments[0].deploymentId}`)).body;
    assert.equal(deployment.adrId, null, 'the deployment stays, no longer the rule\'s');
  });

  test('refusals name the problem and change nothing', async () => {
    const base = { name: uniqueName('Refused'), criteria: { classification: 'Security Updates' }, deployments: [{ collectionId: f.webCollectionId }] };
    const taken = (await api<AutomaticDeploymentRule>('POST', '/adrs', { ...base, mode: 'report' })).body;
    const cases: Array<[unknown, number, RegExp]> = [
      [{ ...base, name: uniqueName('x'), schedule: { cron: 'every tuesday', timeZone: 'UTC' } }, 400, /schedule\.cron: "every tuesday" is not a cron expression/],
      [{ ...base, name: uniqueName('x'), schedule: { cron: '0 22 * * TUE#2', timeZone: 'Mars/Olympus' } }, 400, /"Mars\/Olympus" is not a known IANA time zone/],
      [{ ...base, name: uniqueName('x'), deployments: [] }, 400, /a rule carries at least one deployment/],
      [{ ...base, name: uniqueName('x'), deployments: [{ collectionId: '00000000-0000-4000-8000-000000000099' }] }, 404, /collection 00000000-0000-4000-8000-000000000099/],
      [{ ...base, name: uniqueName('x'), download: { distributionPointIds: ['00000000-0000-4000-8000-000000000002'] } }, 404, /distribution point 00000000-0000-4000-8000-000000000002/],
      [{ ...base, name: taken.name.toUpperCase() }, 409, /already exists/],
      [{ ...base, name: uniqueName('x'), groupId: taken.groupId }, 409, /already refilled by automatic deployment rule/],
      [{ ...base, name: uniqueName('x'), criteria: { severity: 'Dire' } }, 400, /criteria\.severity/],
      [{ ...base, name: uniqueName('x'), extra: true }, 400, /extra/],
    ];
    await unchanged(async () => {
      for (const [body, status, message] of cases) {
        const answer = await api('POST', '/adrs', body);
        assert.equal(answer.status, status, `${String(message)}: ${JSON.stringify(answer.body)}`);
        assert.match(answer.body.error, message);
      }
      assert.equal((await api('POST', '/adrs/00000000-0000-4000-8000-000000000003/run')).status, 404);
      assert.equal((await api('POST', '/adrs/not-an-id/preview')).status, 400);
      assert.equal((await api('PATCH', `/adrs/${taken.adrId}`, { schedule: { cron: '61 * * * *', timeZone: 'UTC' } })).status, 400);
    });
  });
});
