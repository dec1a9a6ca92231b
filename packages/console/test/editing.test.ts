/**
 * Changing in the console what the API can change, so an administrator never needs the terminal
 * (issue 6), in Debian's Chromium against a real site (packages/server/test/content-fixture.ts:
 * synced from real .debs, clients web-1, web-2, db-1, collection `web` = web-1, web-2): collections
 * created and edited (includes, excludes, client settings with their bounds and priority) and
 * deleted, a deployment's settings edited and the deployment deleted, update groups and deployment
 * packages renamed, a client added to a collection and deleted — each refusal of the site shown in
 * its words with nothing changed — and what a Software Update Manager and a Read-only Analyst see.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client, Collection, Deployment } from '@patchday/core';
import type { Browser, Page } from 'playwright-core';
import { startContentFixture, type ContentFixture } from '../../server/test/content-fixture.ts';
import { differingTables, dumpStore } from '../../server/test/stores.ts';
import { launchChromium, openConsole, screenshot, signedInAs, type ConsolePage } from './browser.ts';

const ANALYST = { username: 'rita', password: 'read-only-analyst-password', role: 'Read-only Analyst' };
const MANAGER = { username: 'sam', password: 'software-update-manager-password', role: 'Software Update Manager' };

describe('editing in Chromium: collections, deployments, groups, packages and clients', () => {
  let f: ContentFixture;
  let browser: Browser;
  let admin: ConsolePage;
  let page: Page;
  let groupId: string;
  let packageId: string;
  let deploymentId: string;
  let retiredId: string;

  const collectionNamed = async (name: string) => (await f.t.api<{ collections: Collection[] }>('GET', '/collections')).body.collections.find((c) => c.name === name);
  const clientNamed = async (name: string) => (await f.t.api<{ clients: Client[] }>('GET', '/clients')).body.clients.find((c) => c.name === name)!;
  /** What the site stores, to prove a refused change changed nothing. */
  const snapshot = () => dumpStore(f.t.site.store);

  before(async () => {
    browser = await launchChromium();
    f = await startContentFixture('sqlite');
    const { t } = f;
    for (const user of [ANALYST, MANAGER]) assert.equal((await t.api('POST', '/users', user)).status, 201);
    const group = await t.api('POST', '/update-groups', { name: 'November security', updateIds: [f.updates.foo.updateId, f.updates.bar.updateId] });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    groupId = group.body.group.groupId;
    assert.equal((await t.api('POST', '/update-groups', { name: 'December' })).status, 201);
    const pkg = await t.api('POST', '/packages', { name: 'November files' });
    assert.equal(pkg.status, 201, JSON.stringify(pkg.body));
    packageId = pkg.body.packageId;
    const deployment = await t.api('POST', '/deployments', {
      name: 'November security to web',
      groupId,
      collectionId: f.webCollectionId,
      availableAt: '2026-11-25T08:00:00Z',
      deadlineAt: '2026-11-27T22:00:00Z',
    });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    deploymentId = deployment.body.deploymentId;
    // `web` assigns a setting with priority 5; `retired` names web-2 directly.
    assert.equal((await t.api('PATCH', `/collections/${f.webCollectionId}`, { clientSettings: { cacheMaximumMb: 10240 }, settingsPriority: 5 })).status, 200);
    const retired = await t.api('POST', '/collections', { name: 'retired' });
    retiredId = retired.body.collectionId;
    assert.equal((await t.api('POST', `/collections/${retiredId}/members`, { clientIds: [(await clientNamed('web-2')).clientId] })).status, 200);

    admin = await openConsole(browser, t.url);
    page = admin.page;
    await signedInAs(page, 'admin', t.adminPassword);
  });
  after(async () => {
    await browser?.close();
    await f?.stop();
  });

  test('a collection created with an include, renamed, given an exclude; a taken name refused in words', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Collections' }).click();
    await page.getByRole('button', { name: 'New collection' }).click();
    const form = page.getByRole('form', { name: 'New collection' });
    await form.getByLabel('Name', { exact: true }).fill('servers');
    await form.getByLabel('Description').fill('Every server');
    assert.equal(await form.getByLabel('Limiting collection').inputValue(), (await collectionNamed('All Systems'))!.collectionId);
    await form.getByRole('group', { name: 'Include the members of' }).getByLabel('web', { exact: true }).check();
    await form.getByRole('button', { name: 'Create collection' }).click();

    await page.getByRole('heading', { level: 1, name: 'servers' }).waitFor();
    const members = page.getByRole('region', { name: /^Members/ });
    await members.getByRole('heading', { name: 'Members (2, 0 direct)' }).waitFor();
    const created = (await collectionNamed('servers'))!;
    assert.deepEqual({ description: created.description, includes: created.includeCollectionIds }, { description: 'Every server', includes: [f.webCollectionId] });

    await page.getByRole('button', { name: 'Edit collection' }).click();
    const edit = page.getByRole('form', { name: 'Edit collection servers' });
    await edit.getByLabel('Name', { exact: true }).fill('web');
    const before = await snapshot();
    await edit.getByRole('button', { name: 'Save collection' }).click();
    await edit.getByRole('alert').getByText(/A collection named "web" already exists/).waitFor();
    assert.deepEqual(differingTables(before, await snapshot()), [], 'a refused change changes nothing');

    await edit.getByLabel('Name', { exact: true }).fill('all servers');
    await edit.getByLabel('Description').fill('Web and database hosts');
    await edit.getByRole('group', { name: 'Exclude the members of' }).getByLabel('retired', { exact: true }).check();
    await edit.getByRole('button', { name: 'Save collection' }).click();
    await page.getByRole('heading', { level: 1, name: 'all servers' }).waitFor();
    await edit.waitFor({ state: 'detached' });
    await page.getByText('Web and database hosts').waitFor();
    await members.getByRole('heading', { name: 'Members (1, 0 direct)' }).waitFor();
    assert.deepEqual(await members.getByRole('table', { name: 'Members' }).locator('tbody td:first-child').allTextContents(), ['web-1'], 'web-2 is excluded');
    const definition = page.getByRole('region', { name: 'Definition' });
    assert.match((await definition.textContent()) ?? '', /IncludeswebExcludesretired/);
    const audit = (await f.t.api('GET', '/audit?action=collection.update')).body.entries;
    assert.deepEqual(audit[0].details.changed.sort(), ['description', 'excludeCollectionIds', 'name']);
  });

  test('client settings: each within its bounds, a priority another collection holds refused, then saved', async () => {
    const settings = page.getByRole('region', { name: 'Client settings' });
    await settings.getByText('None: the members get their settings').waitFor();
    await settings.getByRole('button', { name: 'Edit client settings' }).click();
    const form = settings.getByRole('form', { name: 'Client settings' });
    const polling = form.getByLabel('Policy polling interval (minutes)');
    assert.deepEqual([await polling.getAttribute('min'), await polling.getAttribute('max')], ['5', '1440']);
    assert.match((await form.getByRole('row', { name: /Failed scan retries/ }).textContent()) ?? '', /4 to 100/);
    assert.equal(await form.getByRole('row').count(), 16, 'every §12 setting a collection may assign');
    assert.equal(await form.getByLabel('Settings priority').isDisabled(), true, 'no setting, no priority');

    // Under the bound: the browser refuses it before anything is sent.
    const retries = form.getByLabel('Failed scan retries before the next update point (times)');
    await retries.fill('2');
    assert.equal(await retries.evaluate((el: HTMLInputElement) => el.validity.rangeUnderflow), true);
    await retries.fill('6');
    await polling.fill('30');
    await form.getByLabel('Software updates enabled on clients').selectOption('false');
    await form.getByLabel('Settings priority').fill('5');
    await screenshot(page, 'collection-client-settings');
    const before = await snapshot();
    await form.getByRole('button', { name: 'Save client settings' }).click();
    await form.getByRole('alert').getByText('Settings priority 5 is already held by collection "web"; priorities are unique').waitFor();
    assert.deepEqual(differingTables(before, await snapshot()), []);

    await form.getByLabel('Settings priority').fill('7');
    await form.getByRole('button', { name: 'Save client settings' }).click();
    await form.waitFor({ state: 'detached' });
    assert.equal(await settings.getByTestId('settings-priority').textContent(), '7');
    const rows = await settings.getByRole('table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent));
    assert.deepEqual(rows, ['Software updates enabled on clientsNo', 'Policy polling interval (minutes)30 minutes', 'Failed scan retries before the next update point (times)6 times']);
    const stored = (await collectionNamed('all servers'))!;
    assert.deepEqual({ settings: stored.clientSettings, priority: stored.settingsPriority }, { settings: { softwareUpdatesEnabled: false, policyPollingMinutes: 30, scanRetries: 6 }, priority: 7 });
    // web-1 is in both: `web` (priority 5) keeps the cache setting, this collection gives the rest.
    const effective = (await f.t.api('GET', `/clients/${(await clientNamed('web-1')).clientId}/settings`)).body.clientSettings;
    assert.deepEqual([effective.cacheMaximumMb, effective.policyPollingMinutes, effective.softwareUpdatesEnabled], [10240, 30, false]);
  });

  test('a collection deleted after a confirmation; one a deployment targets is not, with the reason in words', async () => {
    await page.goto(`/collections/${(await collectionNamed('all servers'))!.collectionId}`);
    await page.getByRole('button', { name: 'Delete collection' }).click();
    await page.getByRole('group', { name: 'Delete all servers and its maintenance windows?' }).getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
    await page.getByRole('row', { name: /^retired/ }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'all servers' }).count(), 0);
    assert.equal(await collectionNamed('all servers'), undefined);

    await page.getByRole('link', { name: 'web', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'web' }).waitFor();
    const before = await snapshot();
    await page.getByRole('button', { name: 'Delete collection' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('alert').getByText('Collection "web" cannot be deleted while deployment "November security to web" deploys to it; delete or change it first').waitFor();
    assert.deepEqual(differingTables(before, await snapshot()), []);
    await page.getByRole('heading', { level: 1, name: 'web' }).waitFor();
  });

  test("a deployment's settings edited with the wizard's fields; a deadline before the available time refused; deleted after a confirmation", async () => {
    await page.goto(`/deployments/${deploymentId}`);
    await page.getByRole('button', { name: 'Edit settings' }).click();
    const form = page.getByRole('form', { name: 'Edit deployment' });
    assert.deepEqual(
      [await form.getByLabel('Deployment name').inputValue(), await form.getByLabel('Times are in').inputValue(), await form.getByLabel('Available time').inputValue(), await form.getByLabel('Deadline', { exact: true }).inputValue()],
      ['November security to web', 'utc', '2026-11-25T08:00', '2026-11-27T22:00'],
    );
    assert.equal(await form.getByLabel('Maximum run time (minutes)').inputValue(), '60');

    await form.getByLabel('Deadline', { exact: true }).fill('2026-11-24T08:00');
    const before = await snapshot();
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('alert').getByText(/the deadline \(2026-11-24T08:00:00.000Z\) is before the available time/).waitFor();
    assert.deepEqual(differingTables(before, await snapshot()), []);

    await form.getByLabel('Deployment name').fill('November security to web (extended)');
    await form.getByLabel('Deadline', { exact: true }).fill('2026-11-30T22:00');
    await form.getByRole('combobox', { name: /^Restart/ }).selectOption('servers');
    await form.getByLabel('Allow installs outside maintenance windows').check();
    await form.getByLabel('Maximum run time (minutes)').fill('90');
    await form.getByLabel('Alert when compliance is low').check();
    await form.getByLabel('Below (%)').fill('80');
    await form.getByLabel('After (days)').fill('3');
    await screenshot(page, 'deployment-edit');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('heading', { level: 1, name: 'November security to web (extended)' }).waitFor();
    const settings = (await page.getByRole('region', { name: 'Settings' }).textContent()) ?? '';
    for (const words of [
      'Deadline2026-11-30 22:00 UTC',
      'Restartsservers do not restart automatically',
      'installs may happen outside them; restarts wait for a window',
      'Maximum run time90 minutes per update',
      'Alertwhen under 80 % compliant 3 days after the available time',
    ]) {
      assert.ok(settings.includes(words), `${words} in ${settings}`);
    }
    const stored = (await f.t.api<Deployment>('GET', `/deployments/${deploymentId}`)).body;
    assert.deepEqual(
      { deadlineAt: stored.deadlineAt, restart: stored.restartSuppression, outside: stored.installOutsideWindows, run: stored.maxRunMinutes, alerts: stored.alerts },
      { deadlineAt: '2026-11-30T22:00:00.000Z', restart: 'servers', outside: true, run: 90, alerts: { belowPercent: 80, afterDays: 3 } },
    );

    await page.getByRole('button', { name: 'Delete deployment' }).click();
    await page.getByRole('group', { name: /^Delete November security to web \(extended\)\?/ }).getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deployments' }).waitFor();
    await page.getByText('No deployments yet.').waitFor();
    assert.equal((await f.t.api('GET', `/deployments/${deploymentId}`)).status, 404);
    assert.equal((await f.t.api('GET', '/audit?action=deployment.delete')).body.entries[0].actor, 'admin');
  });

  test('an update group and a deployment package renamed; a name another group has refused', async () => {
    await page.goto(`/software-updates/update-groups/${groupId}`);
    await page.getByRole('button', { name: 'Rename' }).click();
    const group = page.getByRole('form', { name: 'Edit update group' });
    assert.equal(await group.getByLabel('Name').inputValue(), 'November security');
    await group.getByLabel('Name').fill('december');
    const before = await snapshot();
    await group.getByRole('button', { name: 'Save' }).click();
    await group.getByRole('alert').getByText(/An update group named "December" already exists/).waitFor();
    assert.deepEqual(differingTables(before, await snapshot()), []);
    await group.getByLabel('Name').fill('November security (web)');
    await group.getByLabel('Description').fill('Critical fixes for the web tier');
    await group.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'November security (web)' }).waitFor();
    await page.getByText('Critical fixes for the web tier').waitFor();

    await page.goto(`/software-updates/deployment-packages/${packageId}`);
    await page.getByRole('button', { name: 'Rename' }).click();
    const pkg = page.getByRole('form', { name: 'Edit deployment package' });
    await pkg.getByLabel('Name').fill('November files (web)');
    await pkg.getByLabel('Description').fill('Downloaded for the web tier');
    await pkg.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'November files (web)' }).waitFor();
    await page.getByText('Downloaded for the web tier').waitFor();
    const stored = (await f.t.api('GET', `/packages/${packageId}`)).body;
    assert.deepEqual([stored.name, stored.description], ['November files (web)', 'Downloaded for the web tier']);
  });

  test('a client added to a collection from its page; a client deleted after a confirmation', async () => {
    const db1 = await clientNamed('db-1');
    await page.goto(`/clients/${db1.clientId}`);
    const card = page.getByRole('region', { name: 'Collections and maintenance windows' });
    await card.getByRole('link', { name: 'All Systems' }).waitFor();
    assert.deepEqual(await card.getByLabel('Add to collection').locator('option').allTextContents(), ['Choose a collection…', 'retired', 'web']);
    await card.getByLabel('Add to collection').selectOption({ label: 'retired' });
    await card.getByRole('button', { name: 'Add as direct member' }).click();
    await card.getByRole('status').getByText('db-1 is now a direct member of retired.').waitFor();
    await card.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'retired' }) }).getByText('direct').waitFor();
    assert.deepEqual(await card.getByLabel('Add to collection').locator('option').allTextContents(), ['Choose a collection…', 'web']);
    const members = (await f.t.api('GET', `/collections/${retiredId}/members`)).body.members.map((m: { name: string }) => m.name);
    assert.deepEqual(members, ['db-1', 'web-2']);

    const web2 = await clientNamed('web-2');
    await page.goto(`/clients/${web2.clientId}`);
    await page.getByRole('button', { name: 'Delete client' }).click();
    await page.getByRole('group', { name: /^Delete web-2\?/ }).getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    await page.getByRole('link', { name: 'db-1' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'web-2' }).count(), 0);
    assert.equal((await f.t.api('GET', `/clients/${web2.clientId}`)).status, 404);
    assert.equal((await f.t.api('GET', '/audit?action=client.remove')).body.entries[0].details.name, 'web-2');
    assert.deepEqual(admin.problems, []);
  });

  test('a Software Update Manager edits but does not delete clients; a Read-only Analyst sees no change at all', async () => {
    const web1 = await clientNamed('web-1');
    const manager = await openConsole(browser, f.t.url);
    try {
      const p = manager.page;
      await signedInAs(p, MANAGER.username, MANAGER.password);
      await p.goto(`/clients/${web1.clientId}`);
      await p.getByRole('button', { name: 'Add as direct member' }).waitFor();
      assert.equal(await p.getByRole('button', { name: 'Delete client' }).count(), 0);
      await p.goto(`/collections/${retiredId}`);
      await p.getByRole('button', { name: 'Edit client settings' }).waitFor();
      assert.equal(await p.getByRole('button', { name: 'Edit collection' }).count(), 1);
      assert.deepEqual(manager.problems, []);
    } finally {
      await manager.context.close();
    }

    const deployment = await f.t.api('POST', '/deployments', { name: 'Pilot', groupId, collectionId: retiredId, deadlineAt: '2026-12-01T00:00:00Z' });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    const analyst = await openConsole(browser, f.t.url);
    try {
      const p = analyst.page;
      await signedInAs(p, ANALYST.username, ANALYST.password);
      const noActions = /^(Edit collection|Delete collection|Edit client settings|Edit settings|Delete deployment|Rename|Delete client|Add as direct member)$/;
      for (const [address, heading] of [
        [`/collections/${retiredId}`, 'retired'],
        [`/deployments/${deployment.body.deploymentId}`, 'Pilot'],
        [`/software-updates/update-groups/${groupId}`, 'November security (web)'],
        [`/software-updates/deployment-packages/${packageId}`, 'November files (web)'],
        [`/clients/${web1.clientId}`, 'web-1'],
      ]) {
        await p.goto(address);
        await p.getByRole('heading', { level: 1, name: heading }).waitFor();
        await p.getByRole('region').first().waitFor();
        assert.equal(await p.getByRole('button', { name: noActions }).count(), 0, `no change on ${address}`);
      }
      // The client's collections have loaded: still nothing to add it to.
      await p.getByRole('link', { name: 'All Systems' }).waitFor();
      assert.equal(await p.getByLabel('Add to collection').count(), 0);
      assert.equal(await p.getByRole('button', { name: noActions }).count(), 0);
      assert.deepEqual(analyst.problems, []);
    } finally {
      await analyst.context.close();
    }
  });
});
