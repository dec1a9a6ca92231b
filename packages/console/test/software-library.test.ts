/**
 * The software library pages in Debian's Chromium against a real site with real content
 * (packages/server/test/content-fixture.ts: real .debs served by a signed archive; `bar` required
 * on web-1, web-2 and db-1, `foo` on web-1 and db-1, `baz` on web-1; collection `web` = web-1, web-2):
 * update groups from a filter and a selection, downloads into packages with live progress,
 * distribution to distribution points, the deploy wizard, automatic deployment rules, and what a
 * Read-only Analyst does not see.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AutomaticDeploymentRule, Deployment, DeploymentPackage, UpdateGroup } from '@patchday/core';
import type { Browser, Page } from 'playwright-core';
import { startContentFixture, type ContentFixture } from '../../server/test/content-fixture.ts';
import { differingTables, dumpStore } from '../../server/test/stores.ts';
import { launchChromium, openConsole, screenshot, signedInAs, type ConsolePage } from './browser.ts';

const ANALYST = { username: 'rita', password: 'read-only-analyst-password', role: 'Read-only Analyst' };

describe('software library in Chromium: groups, packages, distribution points, deploy wizard, rules', () => {
  let f: ContentFixture;
  let browser: Browser;
  let admin: ConsolePage;
  let page: Page;
  let folder: string;
  let groupId: string;
  let packageId: string;

  const groupNamed = async (name: string) => (await f.t.api<{ groups: UpdateGroup[] }>('GET', '/update-groups')).body.groups.find((g) => g.name === name);
  const packageNamed = async (name: string) => (await f.t.api<{ packages: DeploymentPackage[] }>('GET', '/packages')).body.packages.find((p) => p.name === name);

  before(async () => {
    browser = await launchChromium();
    f = await startContentFixture('sqlite');
    folder = mkdtempSync(join(tmpdir(), 'patchday-console-folder-'));
    const analyst = await f.t.api('POST', '/users', { username: ANALYST.username, password: ANALYST.password, role: ANALYST.role });
    assert.equal(analyst.status, 201, JSON.stringify(analyst.body));
    admin = await openConsole(browser, f.t.url);
    page = admin.page;
    await signedInAs(page, 'admin', f.t.adminPassword);
  });
  after(async () => {
    await browser?.close();
    await f?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('an update group from the All updates filter, then the ticked updates added to it', async () => {
    await page.goto('/software-updates/all-updates?requiredByAtLeast=2');
    await page.getByRole('navigation', { name: 'updates pages' }).getByText('Showing 1–2 of 2 updates').waitFor();
    await page.getByRole('button', { name: 'Create group from filter' }).click();
    const form = page.getByRole('form', { name: 'Create update group' });
    await form.getByText('required by at least 2 clients (2 match)').waitFor();
    await form.getByLabel('Group name').fill('November security');
    await screenshot(page, 'update-group-from-filter');
    await form.getByRole('button', { name: 'Create group' }).click();

    await page.getByRole('heading', { level: 1, name: 'November security' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Created update group November security with 2 updates.' }).waitFor();
    const group = await groupNamed('November security');
    assert.ok(group);
    groupId = group.groupId;
    assert.match(page.url(), new RegExp(`/software-updates/update-groups/${groupId}$`));
    const members = page.getByRole('table', { name: 'Members of November security' });
    assert.deepEqual((await members.locator('tbody tr td:nth-child(2) a').allTextContents()).sort(), [f.updates.bar.title, f.updates.foo.title].sort());
    assert.equal(await members.locator('tbody tr').filter({ hasText: 'no content' }).count(), 2, 'no package holds their files yet');
    assert.equal(await page.getByTestId('count-without-content').textContent(), '2');
    assert.match((await page.getByRole('region', { name: 'Without content' }).getAttribute('class')) ?? '', /card-red/);

    // A selection made on All updates is added from the group's page.
    await page.goto(`/software-updates/all-updates?text=${encodeURIComponent('baz')}`);
    await page.getByRole('checkbox', { name: `Select ${f.updates.baz.title}` }).check();
    await page.getByTestId('selection-count').filter({ hasText: '1 selected' }).waitFor();
    await page.goto(`/software-updates/update-groups/${groupId}`);
    await page.getByRole('button', { name: 'Add the 1 update selected on All updates' }).click();
    await page.getByRole('status').filter({ hasText: 'Added 1 update.' }).waitFor();
    await members.locator('tbody tr').nth(2).waitFor();
    assert.equal(await page.getByTestId('count-updates').textContent(), '3');
    await page.getByLabel('Show').selectOption('withoutContent');
    await page.waitForURL(/flag=withoutContent/);
    await page.getByRole('navigation', { name: 'members pages' }).getByText('Showing 1–3 of 3 members').waitFor();
    await screenshot(page, 'update-group');

    await page.getByRole('link', { name: 'Update groups', exact: true }).first().click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'November security' }) });
    await row.waitFor();
    assert.deepEqual((await row.locator('td').allTextContents()).slice(1, 6), ['3', '0', '0', '3', '0']);
    assert.match((await row.locator('td').nth(4).getAttribute('class')) ?? '', /count-red/);
    await screenshot(page, 'update-groups');
    assert.deepEqual(admin.problems, []);
  });

  test('a download from a folder shows each failed file with its error', async () => {
    // A file named like bar's .deb but with other bytes: the library refuses it.
    writeFileSync(join(folder, f.updates.bar.files[0].filename.split('/').pop()!), 'not the signed bytes');
    await page.goto('/software-updates/deployment-packages');
    await page.getByRole('button', { name: 'New deployment package' }).click();
    const form = page.getByRole('form', { name: 'New deployment package' });
    await form.getByLabel('Package name').fill('From the share');
    await form.getByRole('button', { name: 'Create package' }).click();
    await page.getByRole('heading', { level: 1, name: 'From the share' }).waitFor();
    assert.equal(await page.getByTestId('content-version').textContent(), 'content version 1');

    await page.getByRole('button', { name: 'Download content' }).click();
    const download = page.getByRole('form', { name: 'Download content' });
    await download.getByLabel('Update group').selectOption({ label: 'November security (3 updates)' });
    await download.getByLabel("A folder on the site's machine").check();
    await download.getByLabel('Folder', { exact: true }).fill(folder);
    await download.getByRole('button', { name: 'Start download' }).click();
    await page.getByRole('status').filter({ hasText: 'Downloading 5 files into From the share' }).waitFor();
    await page.getByTestId('job-state').filter({ hasText: /^Failed$|^Done$/ }).waitFor();
    const failures = page.getByRole('table', { name: 'Failed files' });
    await failures.getByRole('cell', { name: f.updates.bar.files[0].filename.split('/').pop()!, exact: true }).waitFor();
    assert.equal(await failures.locator('tbody tr').count(), 5, 'every file failed, each with its error');
    assert.match((await failures.locator('tbody tr td').nth(1).textContent()) ?? '', /\S/);
    assert.match((await page.getByTestId('job-files').textContent()) ?? '', /0 of 5 files stored, 5 failed/);
    // Nothing that failed entered the content library.
    assert.deepEqual(f.library(), []);
    await page.getByRole('button', { name: 'Delete package' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deployment packages' }).waitFor();
    assert.equal(await packageNamed('From the share'), undefined);
  });

  test("the group's content downloaded into a new package, with progress that reaches done", async () => {
    await page.goto(`/software-updates/update-groups/${groupId}`);
    await page.getByRole('button', { name: 'Download content' }).click();
    const download = page.getByRole('form', { name: 'Download content' });
    await download.getByLabel('Deployment package').selectOption({ label: 'A new package…' });
    await download.getByLabel('New package name').fill('November files');
    await download.getByRole('button', { name: 'Start download' }).click();

    await page.getByRole('heading', { level: 1, name: 'November files' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Downloading 5 files into November files.' }).waitFor();
    const job = page.getByTestId('content-job');
    await job.getByTestId('job-state').filter({ hasText: 'Done' }).waitFor();
    assert.equal(await job.getByTestId('job-files').textContent(), '5 of 5 files stored');
    assert.match((await job.getByTestId('job-bytes').textContent()) ?? '', /^(.+) of \1$/);
    assert.equal(await job.getByRole('progressbar', { name: 'Download progress' }).getAttribute('value'), '100');
    await page.getByTestId('content-version').filter({ hasText: 'content version 2' }).waitFor();
    const pkg = await packageNamed('November files');
    assert.ok(pkg);
    packageId = pkg.packageId;
    assert.deepEqual({ state: pkg.job?.state, stored: pkg.files.stored, version: pkg.contentVersion }, { state: 'succeeded', stored: 5, version: 2 });
    assert.equal(f.library().length, 5);
    const content = page.getByRole('table', { name: 'Updates in November files' });
    assert.equal(await content.locator('tbody tr').count(), 3);

    // The group no longer shows its updates in red.
    await page.goto(`/software-updates/update-groups/${groupId}`);
    await page.getByTestId('count-without-content').filter({ hasText: '0' }).waitFor();
  });

  test("distributed to the site's distribution point it is installed; remote ones are added, ordered, disabled and removed", async () => {
    await page.goto(`/software-updates/deployment-packages/${packageId}`);
    const distribution = page.getByRole('region', { name: 'Distribution' });
    await distribution.getByText('Not on any distribution point yet').waitFor();
    await distribution.getByRole('form', { name: 'Distribute' }).getByLabel('site').check();
    await distribution.getByRole('button', { name: 'Distribute' }).click();
    const siteRow = distribution.getByRole('row', { name: /^site/ });
    await siteRow.getByText('installed').waitFor();
    assert.equal(await siteRow.getByText('installed').evaluate((el) => getComputedStyle(el).color), 'rgb(46, 125, 50)', 'installed reads in green');
    assert.equal(await siteRow.locator('td').nth(1).textContent(), '2', 'content version 2');
    await screenshot(page, 'deployment-package');

    await page.getByRole('link', { name: 'Deployment packages', exact: true }).first().click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'November files' }) });
    await row.getByText('1 installed').waitFor();
    assert.match((await row.textContent()) ?? '', /done/);
    await screenshot(page, 'deployment-packages');

    await page.getByRole('link', { name: 'Distribution points' }).click();
    await page.getByRole('heading', { level: 1, name: 'Distribution points' }).waitFor();
    await page.getByRole('row', { name: 'site' }).getByText('November files: installed, content version 2').waitFor();
    await page.getByRole('button', { name: 'Add distribution point' }).click();
    const add = page.getByRole('form', { name: 'Add distribution point' });
    await add.getByLabel('Name').fill('branch-1');
    await add.getByLabel('URL agents reach it at').fill('http://127.0.0.1:8541');
    await add.getByRole('button', { name: 'Add' }).click();
    const credential = await page.getByTestId('dp-credential').textContent();
    assert.ok(credential && credential.length > 20);
    assert.equal(await page.getByTestId('dp-command').textContent(), `patchday dp --site ${f.t.url} --credential ${credential} --data /var/lib/patchday-dp --host 0.0.0.0 --port 8541`);
    await screenshot(page, 'distribution-points');
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByTestId('dp-credential').count(), 0, 'the credential is shown once');

    const names = () => page.locator('table.dp-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    assert.deepEqual(await names(), ['site', 'branch-1']);
    await page.getByRole('button', { name: 'Move branch-1 up' }).click();
    await page.locator('table.dp-table tbody tr:first-child[aria-label="branch-1"]').waitFor();
    assert.deepEqual(await names(), ['branch-1', 'site']);
    const dps = (await f.t.api('GET', '/distribution-points')).body.distributionPoints as Array<{ name: string; enabled: boolean }>;
    assert.deepEqual(dps.map((d) => d.name), ['branch-1', 'site'], 'agents try them in this order');

    const branch = page.getByRole('row', { name: 'branch-1' });
    await branch.getByRole('button', { name: 'Disable' }).click();
    await branch.getByText('disabled', { exact: true }).waitFor();
    await branch.getByRole('button', { name: 'Remove' }).click();
    await branch.getByRole('button', { name: 'Yes, remove' }).click();
    await branch.waitFor({ state: 'detached' });
    assert.deepEqual(((await f.t.api('GET', '/distribution-points')).body.distributionPoints as Array<{ name: string }>).map((d) => d.name), ['site']);
    assert.equal(await page.getByRole('row', { name: 'site' }).getByRole('button', { name: 'Remove' }).count(), 0, "the site's own library cannot be removed");
    assert.deepEqual(admin.problems, []);
  });

  test('the deploy wizard: collection, required with a deadline, restart and windows, alert, a summary before it is created', async () => {
    await page.goto(`/software-updates/update-groups/${groupId}`);
    await page.getByRole('link', { name: 'Deploy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Deploy software updates' }).waitFor();
    assert.match(page.url(), new RegExp(`/deployments/new\\?groupId=${groupId}$`));
    const step = (name: string) => page.getByRole('form', { name });

    const first = step('Group and collection');
    assert.equal(await first.getByLabel('Update group').inputValue(), groupId);
    await first.getByLabel('Collection').selectOption({ label: 'web (2 clients)' });
    await first.getByRole('button', { name: 'Next ›' }).click();

    const schedule = step('Purpose and schedule');
    await schedule.getByLabel('Deadline', { exact: true }).fill('2026-11-27T22:00');
    await schedule.getByRole('button', { name: 'Next ›' }).click();

    const restarts = step('Restarts and windows');
    await restarts.getByRole('combobox', { name: /^Restart/ }).selectOption('servers');
    await restarts.getByLabel('Allow installs outside maintenance windows').check();
    await restarts.getByLabel('Maximum run time (minutes)').fill('90');
    await restarts.getByRole('button', { name: 'Next ›' }).click();

    const alerts = step('Alerts');
    await alerts.getByLabel('Alert when compliance is low').check();
    await alerts.getByLabel('Below (%)').fill('95');
    await alerts.getByLabel('After (days)').fill('3');
    await alerts.getByRole('button', { name: 'Next ›' }).click();

    const summary = page.getByTestId('deployment-summary');
    await summary.waitFor();
    const text = (await summary.textContent()) ?? '';
    for (const expected of ['November security → web', 'web (2 clients)', 'Required', '2026-11-27 22:00 UTC', 'Suppress the restart on servers', 'Installs at any time, restarts only in maintenance windows', '90 minutes', 'fewer than 95 % of the clients are compliant 3 days after']) {
      assert.ok(text.includes(expected), `the summary says ${expected}: ${text}`);
    }
    assert.equal((await f.t.api<{ deployments: Deployment[] }>('GET', '/deployments')).body.deployments.length, 0, 'nothing is created before the summary is confirmed');
    await screenshot(page, 'deploy-wizard');

    await page.getByRole('button', { name: 'Create deployment' }).click();
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);
    const { deployments } = (await f.t.api<{ deployments: Deployment[] }>('GET', '/deployments')).body;
    assert.equal(deployments.length, 1);
    const d = deployments[0];
    assert.ok(page.url().endsWith(`/deployments/${d.deploymentId}`));
    assert.deepEqual(
      { name: d.name, collection: d.collectionName, purpose: d.purpose, deadline: d.deadlineAt, restart: d.restartSuppression, install: d.installOutsideWindows, restartOutside: d.restartOutsideWindows, max: d.maxRunMinutes, alerts: d.alerts },
      { name: 'November security → web', collection: 'web', purpose: 'required', deadline: '2026-11-27T22:00:00.000Z', restart: 'servers', install: true, restartOutside: false, max: 90, alerts: { belowPercent: 95, afterDays: 3 } },
    );
  });

  test('a wizard the site refuses says why on the summary, and creates nothing', async () => {
    await page.goto(`/deployments/new?groupId=${groupId}`);
    await page.getByRole('form', { name: 'Group and collection' }).getByLabel('Collection').selectOption({ label: 'web (2 clients)' });
    await page.getByRole('button', { name: 'Next ›' }).click();
    const schedule = page.getByRole('form', { name: 'Purpose and schedule' });
    await schedule.getByLabel('Available time').fill('2026-12-01T08:00');
    await schedule.getByLabel('Deadline', { exact: true }).fill('2026-11-30T08:00');
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next ›' }).click();
    await page.getByRole('button', { name: 'Create deployment' }).click();
    await page.getByRole('alert').filter({ hasText: /the deadline \(2026-11-30T08:00:00.000Z\) is before the available time/ }).waitFor();
    assert.equal((await f.t.api<{ deployments: Deployment[] }>('GET', '/deployments')).body.deployments.length, 1);
  });

  test('an automatic deployment rule: built with the criteria builder and a schedule, previewed (nothing changes), run now, its deployment disabled', async () => {
    await page.goto('/software-updates/automatic-deployment-rules');
    await page.getByRole('link', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New automatic deployment rule' });
    await form.getByLabel('Rule name').fill('Patch Tuesday');
    const criteria = form.getByRole('group', { name: 'Criteria' });
    await criteria.getByLabel('Suite').fill('bookworm-security');
    await criteria.getByLabel('Required by at least (clients)').fill('2');
    await criteria.getByLabel('Counting clients of').selectOption({ label: 'web' });
    const schedule = form.getByRole('group', { name: 'Schedule' });
    await schedule.getByLabel('Cron expression').fill('0 3 * * *');
    await schedule.getByRole('button', { name: 'Second Tuesday 22:00' }).click();
    await schedule.getByLabel('Time zone').fill('UTC');
    assert.equal(await schedule.getByTestId('cron-hint').textContent().then((t) => t?.split('.')[0]), 'The second Tuesday of the month at 22:00 (UTC)');
    const deployment = form.getByRole('group', { name: 'Deployment 1' });
    await deployment.getByLabel('Collection').selectOption({ label: 'web' });
    await deployment.getByLabel('Available after', { exact: true }).fill('1');
    await deployment.getByLabel('Deadline after', { exact: true }).fill('3');
    await deployment.getByLabel('Alert when compliance is low').check();
    await screenshot(page, 'automatic-deployment-rule-editor');
    await form.getByRole('button', { name: 'Create rule' }).click();

    await page.getByRole('heading', { level: 1, name: 'Patch Tuesday' }).waitFor();
    assert.equal(await page.getByTestId('rule-criteria').textContent(), 'not superseded, suite bookworm-security, required by at least 2 clients of web');
    assert.equal(await page.getByTestId('next-run').textContent(), '2026-12-08 22:00 UTC');
    const rule = (await f.t.api<{ adrs: AutomaticDeploymentRule[] }>('GET', '/adrs')).body.adrs[0];
    assert.deepEqual(
      { criteria: rule.criteria, schedule: rule.schedule, available: rule.deployments[0].availableAfterMinutes, deadline: rule.deployments[0].deadlineAfterMinutes, alerts: rule.deployments[0].alerts },
      { criteria: { suite: 'bookworm-security', superseded: false, requiredByAtLeast: 2, collectionId: f.webCollectionId }, schedule: { cron: '0 22 * * TUE#2', timeZone: 'UTC' }, available: 60, deadline: 3 * 1440, alerts: { belowPercent: 90, afterDays: 7 } },
    );
    const deploymentsTable = page.getByRole('region', { name: 'Deployments' });
    await deploymentsTable.getByText('created at the next run').waitFor();

    // Only bar is required by two clients of web.
    const before = await dumpStore(f.t.site.store);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview-summary').filter({ hasText: 'would select 1 update: 1 to add to its group, 0 to remove. Nothing was changed.' }).waitFor();
    await page.getByRole('table', { name: 'Updates the rule would select' }).getByRole('link', { name: f.updates.bar.title }).waitFor();
    const afterPreview = await dumpStore(f.t.site.store);
    assert.deepEqual(differingTables(before, afterPreview), [], 'a preview changes nothing');
    await screenshot(page, 'automatic-deployment-rule');

    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByTestId('run-result').filter({ hasText: 'the group holds 1 updates (1 added, 0 removed)' }).waitFor();
    assert.match((await page.getByTestId('run-result').textContent()) ?? '', /1 deployments created/);
    await page.getByTestId('last-run').getByText('succeeded').waitFor();
    const made = deploymentsTable.getByRole('link', { name: 'Patch Tuesday → web' });
    await made.waitFor();
    const deploymentId = (await made.getAttribute('href'))!.split('/').pop()!;
    assert.equal((await f.t.api<Deployment>('GET', `/deployments/${deploymentId}`)).body.enabled, true);

    // Edited: a daily schedule, and the deployment it made is kept.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = page.getByRole('form', { name: 'Edit Patch Tuesday' });
    await editor.getByLabel('Cron expression').fill('0 3 * * *');
    await editor.getByTestId('cron-hint').filter({ hasText: 'Every day at 03:00 (UTC).' }).waitFor();
    await editor.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Rule saved.' }).waitFor();
    await page.getByTestId('next-run').filter({ hasText: '2026-11-26 03:00 UTC' }).waitFor();
    await made.waitFor();

    await deploymentsTable.getByRole('button', { name: 'Disable deployment 1' }).click();
    await deploymentsTable.getByRole('button', { name: 'Enable deployment 1' }).waitFor();
    assert.equal((await f.t.api<Deployment>('GET', `/deployments/${deploymentId}`)).body.enabled, false);

    await page.getByRole('button', { name: 'Disable rule' }).click();
    await page.getByTestId('rule-state').filter({ hasText: 'disabled' }).waitFor();
    assert.equal(await page.getByTestId('next-run').textContent(), 'none: the rule is disabled');

    await page.getByRole('link', { name: 'Automatic deployment rules', exact: true }).first().click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Patch Tuesday' }) });
    await row.getByText('Every day at 03:00 (UTC)').waitFor();
    assert.match((await row.textContent()) ?? '', /disabled.*succeeded/);
    await screenshot(page, 'automatic-deployment-rules');
    assert.deepEqual(admin.problems, []);
  });

  test('a Read-only Analyst sees the library but none of the manage buttons', async () => {
    const analyst = await openConsole(browser, f.t.url);
    try {
      const p = analyst.page;
      await signedInAs(p, ANALYST.username, ANALYST.password);
      const none = async (names: string[]) => {
        for (const name of names) assert.equal(await p.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
      };

      await p.goto('/software-updates/all-updates');
      await p.getByRole('heading', { level: 1, name: 'All updates' }).waitFor();
      await p.getByRole('navigation', { name: 'updates pages' }).waitFor();
      await none(['Create group from filter']);

      await p.goto('/software-updates/update-groups');
      await p.getByRole('link', { name: 'November security' }).click();
      await p.getByRole('heading', { level: 1, name: 'November security' }).waitFor();
      await p.getByRole('table', { name: 'Members of November security' }).locator('tbody tr').first().waitFor();
      await none(['Download content', 'Delete group', 'New update group']);
      assert.equal(await p.getByRole('link', { name: 'Deploy', exact: true }).count(), 0);
      assert.equal(await p.getByRole('checkbox').count(), 0);

      await p.goto('/software-updates/deployment-packages');
      await p.getByRole('link', { name: 'November files' }).click();
      await p.getByRole('region', { name: 'Distribution' }).getByText('installed').waitFor();
      await none(['Download content', 'Delete package', 'Distribute', 'Send again', 'Remove', 'New deployment package']);

      await p.goto('/distribution-points');
      await p.getByRole('row', { name: 'site' }).waitFor();
      await none(['Add distribution point', 'Disable', 'Enable', 'Remove']);

      await p.goto('/software-updates/automatic-deployment-rules');
      assert.equal(await p.getByRole('link', { name: 'New rule' }).count(), 0);
      await p.getByRole('link', { name: 'Patch Tuesday' }).click();
      await p.getByRole('heading', { level: 1, name: 'Patch Tuesday' }).waitFor();
      await none(['Run now', 'Enable rule', 'Disable rule', 'Edit', 'Delete rule', 'Enable deployment 1']);
      // A preview changes nothing, so an analyst may ask for one.
      await p.getByRole('button', { name: 'Preview' }).click();
      await p.getByTestId('preview-summary').waitFor();

      await p.goto(`/deployments/new?groupId=${groupId}`);
      await p.getByText('Your role may look at deployments but not create them.').waitFor();
      await none(['Next ›', 'Create deployment']);
      assert.deepEqual(analyst.problems, []);
    } finally {
      await analyst.context.close();
    }
  });
});
