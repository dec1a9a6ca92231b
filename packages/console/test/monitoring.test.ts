/**
 * Deployments, collections with their maintenance windows, clients and the monitoring pages of the
 * web console, in Debian's Chromium against a real site (packages/server/test/content-fixture.ts:
 * synced from real .debs, clients web-1, web-2, db-1 and the `web` collection). The test enrols four
 * more agents into `web` through the management point and they report a deployment's states
 * (topics 300/301/302) as agents do: web-3 compliant, web-4 failed with dpkg's error, web-5
 * downloading, web-6 waiting for its maintenance window; web-1 and web-2 have said nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StateMessage } from '@patchday/core';
import type { Browser, Page } from 'playwright-core';
import { startContentFixture, type ContentFixture } from '../../server/test/content-fixture.ts';
import { launchChromium, openConsole, screenshot, signedInAs, type ConsolePage } from './browser.ts';

const ANALYST = { username: 'rita', password: 'read-only-analyst-password', role: 'Read-only Analyst' };
const DPKG_ERROR = 'dpkg: error processing package libfoo1 (--configure): installed libfoo1 package post-installation script subprocess returned error exit status 1';

/** A title as a regular expression (titles carry parentheses). */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Agent {
  clientId: string;
  credential: string;
  seq: number;
}

describe('deployments, collections, clients and monitoring in Chromium', () => {
  let f: ContentFixture;
  let browser: Browser;
  let admin: ConsolePage;
  let page: Page;
  let deploymentId: string;
  let newFooTitle: string;
  const agents: Record<string, Agent> = {};

  /** An agent reports through the management point, numbering its messages after its last. */
  const report = async (name: string, messages: Array<Record<string, unknown>>) => {
    const agent = agents[name];
    const batch = messages.map((m) => ({ seq: ++agent.seq, time: f.clock.now().toISOString(), ...m }) as StateMessage);
    const sent = await f.t.mp('POST', `/clients/${agent.clientId}/state-messages`, agent.credential, { messages: batch });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
  };
  const deploymentState = (topic: 300 | 301 | 302, stateId: number, extra: { updateId?: string; error?: string } = {}) =>
    topic === 301 ? { topic, stateId, deploymentId, updateId: extra.updateId ?? null, error: extra.error ?? null } : { topic, stateId, deploymentId, error: extra.error ?? null };

  before(async () => {
    browser = await launchChromium();
    f = await startContentFixture('sqlite');
    const { t } = f;

    const { token } = (await t.api('POST', '/enrolment-tokens', { name: 'console monitoring' })).body;
    for (const name of ['web-3', 'web-4', 'web-5', 'web-6']) {
      const r = await t.mp('POST', '/register', null, { enrolmentToken: token, name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      agents[name] = { clientId: r.body.clientId, credential: r.body.credential, seq: 0 };
    }
    const members = await t.api('POST', `/collections/${f.webCollectionId}/members`, { clientIds: Object.values(agents).map((a) => a.clientId) });
    assert.equal(members.status, 200, JSON.stringify(members.body));
    assert.equal((await t.mp('POST', '/register', null, { name: 'kiosk-7' })).body.status, 'pending');

    const group = await t.api('POST', '/update-groups', { name: 'November security', updateIds: [f.updates.foo.updateId, f.updates.bar.updateId] });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const deploy = async (name: string, belowPercent: number) => {
      const r = await t.api('POST', '/deployments', {
        name,
        groupId: group.body.group.groupId,
        collectionId: f.webCollectionId,
        availableAt: '2026-11-25T08:00:00Z',
        deadlineAt: '2026-11-27T22:00:00Z',
        alerts: { belowPercent, afterDays: 0 },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.deploymentId as string;
    };
    deploymentId = await deploy('November security to web', 90);
    const pilot = await deploy('Pilot to web', 50);
    // A newer foo supersedes, and so expires, foo 1.0-2 (expiry "immediately"): both deployments are flagged.
    await f.publishSecurity([
      { package: 'libfoo1', source: 'foo', version: '1.0-3' },
      { package: 'foo-tools', source: 'foo', version: '1.0-3', depends: 'libfoo1 (>= 1.0-3)' },
    ]);

    const { foo, bar } = f.updates;
    await report('web-3', [deploymentState(302, 2), deploymentState(301, 1, { updateId: bar.updateId }), deploymentState(301, 4, { updateId: bar.updateId }), deploymentState(300, 1)]);
    await report('web-4', [deploymentState(302, 2), deploymentState(301, 6, { updateId: foo.updateId, error: DPKG_ERROR }), deploymentState(300, 2)]);
    await report('web-5', [deploymentState(302, 2), deploymentState(301, 7, { updateId: bar.updateId })]);
    await report('web-6', [deploymentState(302, 2), deploymentState(301, 8), deploymentState(301, 10, { updateId: foo.updateId })]);

    // web-3 asks for its policy and completes a scan: foo 1.0-3 is Required, bar Installed, the rest Not Required.
    assert.equal((await t.mp('GET', `/clients/${agents['web-3'].clientId}/policy`, agents['web-3'].credential)).status, 200);
    const catalogue = (await t.api('GET', '/updates?pageSize=100')).body.updates as Array<{ updateId: string; title: string; source: string; version: string }>;
    const newFoo = catalogue.find((u) => u.source === 'foo' && u.version === '1.0-3')!;
    newFooTitle = newFoo.title;
    const details = await Promise.all(catalogue.map(async (u) => (await t.api('GET', `/updates/${u.updateId}`)).body as { product: string; changeSeq: number }));
    const anchor = Math.max(...details.map((d) => d.changeSeq));
    await report('web-3', [
      { topic: 500, stateId: 2, updateId: newFoo.updateId, revision: 1 },
      { topic: 500, stateId: 3, updateId: bar.updateId, revision: 1 },
      { topic: 501, stateId: 3, scanId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', product: details[0].product, anchor, error: null },
    ]);

    const window = await t.api('POST', `/collections/${f.webCollectionId}/maintenance-windows`, {
      name: 'Patch Tuesday',
      recurrence: { kind: 'monthly-nth-weekday', week: 2, dayOfWeek: 2 },
      start: '22:00',
      durationMinutes: 240,
      timeZone: 'Europe/Amsterdam',
    });
    assert.equal(window.status, 201, JSON.stringify(window.body));

    // A sync that fails (6703), then alerts: both deployments under target and the failed sync; the pilot's clears when it is disabled.
    const broken = await t.api('POST', '/upstreams', { name: 'broken', url: 'http://127.0.0.1:9/debian', suites: ['trixie'], keyring: join(f.archiveDir, '..', 'keyring.gpg') });
    assert.equal(broken.status, 201, JSON.stringify(broken.body));
    assert.equal((await t.site.sync.run('test', { upstream: 'broken' })).status, 'failed');
    assert.equal((await t.api('POST', '/alerts/evaluate')).body.raised, 3);
    assert.equal((await t.api('PATCH', `/deployments/${pilot}`, { enabled: false })).status, 200);
    assert.equal((await t.api('POST', '/alerts/evaluate')).body.cleared, 1);
    assert.equal((await t.api('POST', '/users', { ...ANALYST })).status, 201);

    admin = await openConsole(browser, t.url);
    page = admin.page;
    // The browser's clock is the site's (virtual) one: the calendar strip starts today, site time.
    await admin.context.clock.setFixedTime(f.clock.now());
    await page.reload();
    await signedInAs(page, 'admin', t.adminPassword);
  });
  after(async () => {
    await browser?.close();
    await f?.stop();
  });

  test('deployments: every deployment with its group, collection, times, state and % compliant; flags in red', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Deployments' }).click();
    const row = page.getByRole('row', { name: /November security to web/ });
    await row.getByText('16.7 %').waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.match(cells[0], /November security to web/);
    assert.match(cells[0], /1 expired update/);
    assert.match(cells[0], /2 updates without content/);
    assert.deepEqual(cells.slice(1, 7), ['November security (2 updates)', 'web', 'Required', '2026-11-25 08:00 UTC', '2026-11-27 22:00 UTC', 'Yes']);
    assert.match(cells[7], /16\.7 % \(1 of 6, 1 in error\)/);
    assert.equal(await row.locator('.tag-red').count(), 2);
    assert.equal(await row.getAttribute('class'), 'row-error');
    assert.match((await page.getByRole('row', { name: /Pilot to web/ }).textContent()) ?? '', /disabled/);
    assert.equal(await page.getByRole('link', { name: 'New deployment' }).getAttribute('href'), '/deployments/new');
    await screenshot(page, 'deployments');
  });

  test('a deployment: its settings, the counts per category with a chart, and the clients of each category with the error text', async () => {
    await page.getByRole('link', { name: 'November security to web' }).click();
    await page.getByRole('heading', { name: 'November security to web', level: 1 }).waitFor();
    await page.getByTestId('percent-compliant').getByText('16.7 %').waitFor();
    const counts = async () => Object.fromEntries(await Promise.all(['compliant', 'in-progress', 'waiting', 'error', 'unknown'].map(async (c) => [c, await page.getByTestId(`count-${c}`).textContent()])));
    assert.deepEqual(await counts(), { compliant: 'Compliant 1', 'in-progress': 'In progress 1', waiting: 'Waiting 1', error: 'Error 1', unknown: 'Unknown 2' });
    await page.locator('.recharts-pie-sector').first().waitFor();
    assert.equal(await page.locator('.recharts-pie-sector').count(), 5);
    const settings = page.getByRole('region', { name: 'Settings' });
    assert.match((await settings.textContent()) ?? '', /Alertwhen under 90 % compliant 0 days after the available time/);
    assert.match((await settings.textContent()) ?? '', /Maintenance windowsinstalls wait for a window; restarts wait for a window/);

    const clients = page.getByRole('region', { name: /^Clients/ });
    assert.equal(await clients.locator('tbody tr').count(), 6, 'every member to begin with');
    await page.getByRole('button', { name: 'Error 1' }).click();
    await page.waitForURL(/category=error/);
    await clients.getByRole('heading', { name: 'Clients: Error (1)' }).waitFor();
    const failed = clients.getByRole('row', { name: /web-4/ });
    assert.deepEqual((await failed.locator('td').allTextContents()).slice(0, 4), ['web-4', 'Error', 'failed install', DPKG_ERROR]);
    assert.match((await failed.locator('td').nth(4).textContent()) ?? '', new RegExp(`301 failed install · ${literally(f.updates.foo.title)}`));
    assert.equal(await clients.locator('tbody tr').count(), 1);
    await screenshot(page, 'deployment');

    await page.getByRole('button', { name: 'Waiting 1' }).click();
    await clients.getByRole('row', { name: /web-6.*waiting for maintenance window/ }).waitFor();
    await page.getByRole('button', { name: 'Unknown 2' }).click();
    await clients.getByRole('heading', { name: 'Clients: Unknown (2)' }).waitFor();
    assert.deepEqual(await clients.locator('tbody tr td:first-child').allTextContents(), ['web-1', 'web-2']);
    assert.match((await clients.locator('tbody').textContent()) ?? '', /no state message yet/);

    // Disabling and enabling again, as the site records it.
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('This deployment is disabled').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    assert.equal((await f.t.api('GET', `/deployments/${deploymentId}`)).body.enabled, true);
  });

  test('the deployment page follows the clients live: a new state message shows without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));
    f.clock.advance(60_000);
    await report('web-5', [deploymentState(301, 4, { updateId: f.updates.bar.updateId }), deploymentState(300, 1)]);
    await page.getByTestId('count-compliant').getByText('Compliant 2').waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId('count-in-progress').textContent(), 'In progress 0');
    await page.getByTestId('percent-compliant').getByText('33.3 %').waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage), true, 'no reload');
  });

  test('a collection: its windows on a 14-day calendar strip, adding one with the defaults, editing, a clash refused; direct members', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Collections' }).click();
    const webRow = page.getByRole('row', { name: /^web/ });
    await webRow.waitFor();
    assert.deepEqual((await webRow.locator('td').allTextContents()).slice(1, 4), ['6', '6', '0']);
    await webRow.getByRole('link', { name: 'web' }).click();
    await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();

    const strip = page.getByRole('list', { name: 'Maintenance windows in the next 14 days' });
    await strip.waitFor();
    assert.equal(await strip.getByRole('listitem').count(), 14);
    assert.equal(await strip.getByRole('listitem').first().getAttribute('aria-label'), 'Wed 25 Nov');
    // The second Tuesday of December, 22:00 in Amsterdam (UTC+1): from 21:00 UTC into the next day.
    assert.equal(await strip.getByRole('listitem', { name: 'Tue 8 Dec' }).locator('.strip-window').textContent(), '21:00–24:00');
    assert.equal(await strip.locator('.strip-window').count(), 1);
    const windows = page.getByRole('region', { name: 'Maintenance windows', exact: true });
    assert.match((await windows.getByRole('row', { name: /Patch Tuesday/ }).textContent()) ?? '', /Monthly on the second Tuesday, 22:00–02:00 \(4 h\), Europe\/Amsterdam/);

    await windows.getByRole('button', { name: 'Add a maintenance window' }).click();
    const form = page.getByRole('form', { name: 'Add a maintenance window' });
    assert.equal(await form.getByLabel('Repeats').inputValue(), 'weekly');
    assert.equal(await form.getByLabel('Sunday').isChecked(), true);
    assert.equal(await form.getByLabel('Monday').isChecked(), false);
    assert.equal(await form.getByLabel('Start').inputValue(), '01:00');
    assert.equal(await form.getByLabel('Duration (minutes)').inputValue(), '180');
    assert.equal(await form.getByLabel('Time zone').inputValue(), 'client-local');
    await form.getByRole('button', { name: 'Add window' }).click();
    const added = windows.getByRole('row', { name: /^Maintenance window/ });
    assert.match((await added.textContent()) ?? '', /Weekly on Sunday, 01:00–04:00 \(3 h\), client local time/);
    await strip.getByRole('listitem', { name: 'Sun 29 Nov' }).getByText('01:00–04:00').waitFor();
    assert.equal(await strip.getByRole('listitem', { name: 'Sun 6 Dec' }).locator('.strip-window').textContent(), '01:00–04:00');

    // A second window of the same name: the site refuses it in words.
    await windows.getByRole('button', { name: 'Add a maintenance window' }).click();
    await form.getByLabel('Name').fill('Patch Tuesday');
    await form.getByRole('button', { name: 'Add window' }).click();
    await windows.getByRole('alert').getByText(/already has a maintenance window named "Patch Tuesday"/).waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();

    await windows.getByRole('button', { name: 'Edit Maintenance window' }).click();
    const edit = page.getByRole('form', { name: 'Edit maintenance window Maintenance window' });
    await edit.getByLabel('Saturday').check();
    await edit.getByLabel('Duration (minutes)').fill('120');
    await edit.getByRole('button', { name: 'Save window' }).click();
    await windows.getByRole('row', { name: /Weekly on Sunday, Saturday, 01:00–03:00 \(2 h\)/ }).waitFor();
    await strip.getByRole('listitem', { name: 'Sat 28 Nov' }).getByText('01:00–03:00').waitFor();
    await screenshot(page, 'collection');

    await windows.getByRole('button', { name: 'Delete Maintenance window' }).click();
    await windows.getByRole('button', { name: 'Delete', exact: true }).click();
    await windows.getByRole('row', { name: /^Maintenance window/ }).waitFor({ state: 'detached' });
    await strip.locator('.strip-window').nth(1).waitFor({ state: 'detached' });
    const audit = (await f.t.api('GET', '/audit?action=maintenance-window.delete')).body.entries;
    assert.equal(audit[0].actor, 'admin');

    const membersCard = page.getByRole('region', { name: /^Members/ });
    await membersCard.getByLabel('Add clients by name').fill('db-1');
    await membersCard.getByRole('button', { name: 'Add', exact: true }).click();
    await membersCard.getByText('Added db-1 as direct member.').waitFor();
    await membersCard.getByRole('heading', { name: 'Members (7, 7 direct)' }).waitFor();
    await membersCard.getByRole('button', { name: 'Remove db-1' }).click();
    await membersCard.getByText('db-1 is no longer a member.').waitFor();
    await membersCard.getByRole('heading', { name: 'Members (6, 6 direct)' }).waitFor();
    await membersCard.getByLabel('Add clients by name').fill('no-such-host');
    await membersCard.getByRole('button', { name: 'Add', exact: true }).click();
    await membersCard.getByText('No client is named no-such-host.').waitFor();
  });

  test('clients: a pending client is approved; a client shows its updates, assignments, last scan, policy and state message', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Clients' }).click();
    const kiosk = page.getByRole('row', { name: /kiosk-7/ });
    await kiosk.getByText('waiting for approval').waitFor();
    assert.equal(await page.locator('tbody tr').first().locator('td').first().textContent(), 'kiosk-7', 'pending clients first');
    await screenshot(page, 'clients');
    await kiosk.getByRole('button', { name: 'Approve kiosk-7' }).click();
    await kiosk.getByText('active').waitFor();
    assert.equal((await f.t.api('GET', '/clients')).body.clients.find((c: { name: string }) => c.name === 'kiosk-7').status, 'active');

    await page.getByRole('link', { name: 'web-3' }).click();
    await page.getByRole('heading', { name: 'web-3', level: 1 }).waitFor();
    const properties = page.getByRole('region', { name: 'Client', exact: true });
    assert.match((await page.getByTestId('last-scan').textContent()) ?? '', /^complete, 2026-11-25 10:00 UTC$/);
    assert.match((await properties.textContent()) ?? '', /Last policy2026-11-25 10:00 UTC/);
    assert.match((await page.getByTestId('last-state-message').textContent()) ?? '', /^2026-11-25 10:00 UTC.*November security to web: 300 compliant/);

    const updates = page.getByRole('region', { name: 'Updates', exact: true });
    assert.match((await page.getByTestId('client-counts').textContent()) ?? '', /Required: 1Installed: 1Not Required: 3Unknown: 0/);
    const required = updates.getByRole('row', { name: new RegExp(literally(newFooTitle)) });
    assert.match((await required.textContent()) ?? '', /Required.*reported by its scan/);
    await updates.getByLabel('Show updates').selectOption('');
    await updates.getByRole('row', { name: new RegExp(`${literally(f.updates.bar.title)}.*Installed`) }).waitFor();
    assert.equal(await updates.locator('tbody tr').count(), 5);
    assert.match((await updates.getByRole('row', { name: new RegExp(literally(f.updates.baz.title)) }).textContent()) ?? '', /Not Required/);

    const assignments = page.getByRole('region', { name: 'Deployments', exact: true });
    const row = assignments.getByRole('row', { name: /November security to web/ });
    assert.match((await row.textContent()) ?? '', /web.*Required.*2026-11-25 08:00 UTC.*2026-11-27 22:00 UTC.*Compliant: compliant/);
    assert.equal(await assignments.getByRole('row', { name: /Pilot to web/ }).count(), 0, 'a disabled deployment is in no policy');
    assert.match((await page.getByRole('region', { name: 'Collections and maintenance windows' }).textContent()) ?? '', /All Systems.*webdirect.*Next service windows.*2026-12-08 21:00 UTC to 2026-12-09 01:00 UTC/);
    await screenshot(page, 'client');
  });

  test('alerts: open ones, cleared ones, evaluate now', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Alerts' }).click();
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    const deployment = page.getByRole('row', { name: /November security to web/ });
    assert.match((await deployment.textContent()) ?? '', /warning.*Deployment compliance.*under 90 % 0 days after its available time.*open/);
    assert.match((await page.getByRole('row', { name: /Sync failure/ }).textContent()) ?? '', /error.*update point.*failed/);

    await page.getByLabel('Show').selectOption('all');
    await page.waitForURL(/state=all/);
    await page.getByRole('row', { name: /Pilot to web/ }).waitFor();
    assert.equal(await rows.count(), 3);
    assert.doesNotMatch((await page.getByRole('row', { name: /Pilot to web/ }).textContent()) ?? '', /open/);
    await screenshot(page, 'alerts');

    await page.getByRole('button', { name: 'Evaluate now' }).click();
    await page.getByRole('status').getByText(/0 raised, 0 cleared, 2 open/).waitFor();
    // The deployment alert's text follows the clients: web-5 became compliant.
    await deployment.getByText(/33\.33 % compliant \(2 of 6 clients\)/).waitFor();
  });

  test('status messages: the ids of the syncs (6701, 6702, 6703) with severity and component, filtered', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Status messages' }).click();
    // The previous page's table stays until this page's chunk has loaded: wait for this page's rows.
    await page.getByRole('heading', { name: 'Status messages' }).waitFor();
    await page.locator('table tbody td:nth-child(2)').filter({ hasText: /^67\d\d$/ }).first().waitFor();
    const rows = page.locator('table tbody tr');
    const ids = await page.locator('table tbody td:nth-child(2)').allTextContents();
    assert.deepEqual([...new Set(ids)].sort(), ['6701', '6702', '6703']);
    const failure = page.getByRole('row', { name: /6703/ });
    assert.match((await failure.textContent()) ?? '', /error.*update-point.*failed/);
    await screenshot(page, 'status-messages');

    await page.getByLabel('Message id').fill('6703');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/messageId=6703/);
    await page.waitForFunction(() => [...document.querySelectorAll('table tbody td:nth-child(2)')].every((td) => td.textContent === '6703'));
    assert.equal(await rows.count(), 1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Severity').selectOption('info');
    await page.waitForURL(/severity=info/);
    await page.waitForFunction(() => [...document.querySelectorAll('table tbody td:nth-child(3)')].every((td) => td.textContent === 'info'));
    assert.ok((await rows.count()) >= 4, 'two syncs started and two completed');
  });

  test('audit log: who did what when, filtered by action and by actor', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('row', { name: /deployment\.create/ }).first().waitFor();
    const all = await page.locator('table tbody tr').count();
    await screenshot(page, 'audit-log');
    await page.getByLabel('Action').fill('maintenance-window.add');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=maintenance-window\.add/);
    await page.waitForFunction(() => [...document.querySelectorAll('table tbody td:nth-child(3)')].every((td) => td.textContent === 'maintenance-window.add'));
    const added = page.locator('table tbody tr');
    assert.equal(await added.count(), 2, 'the window added through the API and the one added in the console');
    assert.match((await added.first().textContent()) ?? '', /admin.*maintenance-window\.add.*collectionName: web/);
    await page.getByLabel('Action').fill('');
    await page.getByLabel('Actor').fill('nobody');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No entry matches.').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length === n, all);
    assert.deepEqual(admin.problems, []);
  });

  test('a Read-only Analyst sees everything but no action', async () => {
    const analyst = await openConsole(browser, f.t.url);
    try {
      await signedInAs(analyst.page, ANALYST.username, ANALYST.password);
      const p = analyst.page;
      await p.goto('/deployments');
      await p.getByRole('row', { name: /November security to web/ }).waitFor();
      assert.equal(await p.getByRole('link', { name: 'New deployment' }).count(), 0);
      await p.getByRole('link', { name: 'November security to web' }).click();
      await p.getByTestId('count-error').waitFor();
      assert.equal(await p.getByRole('button', { name: /^(Disable|Enable)$/ }).count(), 0);
      await p.getByRole('link', { name: 'web', exact: true }).click();
      await p.getByRole('list', { name: 'Maintenance windows in the next 14 days' }).waitFor();
      await p.getByRole('row', { name: /Patch Tuesday/ }).waitFor();
      assert.equal(await p.getByRole('button', { name: /Add a maintenance window|Edit|Delete|Remove|Add a query rule/ }).count(), 0);
      await p.goto('/monitoring/alerts');
      await p.getByRole('row', { name: /November security to web/ }).waitFor();
      assert.equal(await p.getByRole('button', { name: 'Evaluate now' }).count(), 0);
      assert.deepEqual(analyst.problems, []);
    } finally {
      await analyst.context.close();
    }
  });
});
