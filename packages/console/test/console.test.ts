/**
 * The web console in Debian's Chromium against a real site on 127.0.0.1 with real data: the shared
 * Debian snapshot's bookworm-security synced, and clients enrolled through the management point
 * with the node image's real dpkg status (packages/server/test/compliance-fixture.ts): node-a and
 * node-d need openssl (estimated from their inventories), node-b reported it Installed, node-c has
 * told nothing. One deployment of openssl to the `web` collection fails on node-a.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ComplianceSummary } from '@patchday/core';
import type { Browser, Page } from 'playwright-core';
import { startComplianceFixture, type ComplianceFixture } from '../../server/test/compliance-fixture.ts';
import { launchChromium, openConsole, screenshot, signIn, signedInAs, type ConsolePage } from './browser.ts';

const ANALYST = { username: 'ada', password: 'read-only-analyst-password', role: 'Read-only Analyst' };
const FIRST_PAGE_JS_BUDGET = 500 * 1024;

describe('web console in Chromium', () => {
  let f: ComplianceFixture;
  let browser: Browser;
  let admin: ConsolePage;
  let page: Page;
  let deploymentId: string;

  before(async () => {
    browser = await launchChromium();
    f = await startComplianceFixture('sqlite');
    const { t } = f;
    const group = await t.api('POST', '/update-groups', { name: 'November security', updateIds: [f.openssl.updateId] });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const deployment = await t.api('POST', '/deployments', {
      name: 'November security to web',
      groupId: group.body.group.groupId,
      collectionId: f.collectionId,
      deadlineAt: '2026-11-26T22:00:00Z',
      alerts: { belowPercent: 90, afterDays: 0 },
    });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    deploymentId = deployment.body.deploymentId;
    const a = f.clients.a;
    const failed = { seq: 1, time: '2026-11-25T10:40:00Z', topic: 301, stateId: 6, deploymentId, updateId: f.openssl.updateId, error: 'dpkg: error processing package libssl3 (--configure)' };
    assert.equal((await t.mp('POST', `/clients/${a.clientId}/state-messages`, a.credential, { messages: [failed] })).status, 200);
    assert.equal((await t.api('POST', '/alerts/evaluate')).body.open, 1);
    const analyst = await t.api('POST', '/users', { username: ANALYST.username, password: ANALYST.password, role: ANALYST.role });
    assert.equal(analyst.status, 201, JSON.stringify(analyst.body));
    admin = await openConsole(browser, t.url);
    page = admin.page;
  });
  after(async () => {
    await browser?.close();
    await f?.stop();
  });

  test('sign in: a wrong password is refused in words; the right one opens the dashboard with the role shown', async () => {
    await page.getByRole('heading', { name: 'Patchday' }).waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, 'admin', 'not-the-password');
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);

    const started = Date.now();
    await signedInAs(page, 'admin', f.t.adminPassword);
    assert.equal(await page.getByTestId('role').textContent(), 'Full Administrator');
    await page.getByRole('heading', { name: 'Most required updates' }).waitFor();
    console.log(`dashboard shown ${Date.now() - started} ms after signing in`);
    const stored = await page.evaluate(() => sessionStorage.getItem('patchday.session'));
    assert.match(stored ?? '', /"role":"Full Administrator"/);
  });

  test('the first page ships at most 500 kB of JavaScript, gzipped', async () => {
    const scripts = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
        .map((r) => ({ name: r.name, transferred: r.encodedBodySize, decoded: r.decodedBodySize })),
    );
    const navigation = await page.evaluate(() => ({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null }));
    const transferred = scripts.reduce((sum, s) => sum + s.transferred, 0);
    console.log(`first page: ${scripts.length} scripts, ${(transferred / 1024).toFixed(1)} kB gzipped (${(scripts.reduce((s, x) => s + x.decoded, 0) / 1024).toFixed(1)} kB); first contentful paint ${navigation.fcp?.toFixed(0)} ms`);
    assert.ok(scripts.length >= 2, 'the shell and the dashboard chunk');
    assert.ok(scripts.every((s) => s.transferred < s.decoded), 'scripts travel gzipped');
    assert.ok(transferred <= FIRST_PAGE_JS_BUDGET, `${transferred} bytes of JavaScript for the first page`);
  });

  test('the dashboard shows compliance by classification and severity, the most required updates, the last sync, deployments and alerts', async () => {
    const summary = (await f.t.api<ComplianceSummary>('GET', '/compliance/summary?superseded=false')).body;
    const security = summary.byClassification.find((g) => g.classification === 'Security Updates')!;
    assert.ok(security.updatesRequired > 0 && security.counts.Required > 0);
    const byClassification = page.getByRole('region', { name: 'Compliance by classification' });
    await byClassification.locator('.recharts-bar-rectangle').first().waitFor();
    assert.deepEqual(await byClassification.getByRole('row', { name: /^Security Updates/ }).locator('th, td').allTextContents(), [
      'Security Updates',
      String(security.updates),
      String(security.updatesRequired),
      `${security.percentCompliant!.toFixed(1)} %`,
    ]);
    const bySeverity = page.getByRole('region', { name: 'Compliance by severity' });
    assert.equal(await bySeverity.getByRole('row', { name: /^Unspecified/ }).locator('td').first().textContent(), String(summary.bySeverity[0].updates));
    assert.ok((await byClassification.locator('.recharts-bar-rectangle').count()) >= 3, 'Required, Installed and Unknown bars');
    assert.equal(await page.getByTestId('overall-compliance').textContent(), `${summary.overall.percentCompliant!.toFixed(1)} %`);

    const most = page.getByRole('region', { name: 'Most required updates' });
    const top = summary.mostRequired[0];
    const topRow = most.getByRole('row').filter({ has: page.getByRole('link', { name: top.title, exact: true }) });
    assert.match((await topRow.textContent()) ?? '', new RegExp(`${top.required} of ${summary.clientsCounted}`));
    assert.equal(await most.locator('tbody tr').count(), summary.mostRequired.length);

    const sync = page.getByTestId('last-sync');
    assert.match((await sync.textContent()) ?? '', /Succeeded/);
    assert.equal(await sync.getByRole('button', { name: 'Synchronize now' }).count(), 1, 'an administrator may synchronise');

    const deployments = page.getByRole('region', { name: 'Deployments in progress and failing' });
    const row = deployments.getByRole('row', { name: /November security to web/ });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /0 of 2.*1/);
    assert.equal(await row.getAttribute('class'), 'row-error');

    const alerts = page.getByRole('region', { name: /Open alerts/ });
    await alerts.getByText(/November security to web/).waitFor();
    await screenshot(page, 'dashboard');
  });

  test('live: a sync that runs on the site shows on the open dashboard at once, with no reload and no polling', async () => {
    await page.getByTestId('live').filter({ hasText: 'Live' }).waitFor();
    const sync = page.getByTestId('last-sync');
    assert.doesNotMatch((await sync.textContent()) ?? '', /· 0 added/, 'the first sync added the catalogue');
    // The card polls only while a sync runs, and it shows none running: only the event stream can tell it.
    const statusRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/sync/status')) statusRequests.push(r.url());
    });
    const run = await f.t.site.sync.run('scheduled elsewhere');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.added, 0);
    await sync.getByText(/· 0 added, 0 revised, 0 superseded/).waitFor({ timeout: 5000 });
    assert.ok(statusRequests.length >= 1 && statusRequests.length <= 4, `the card asked again because it was told: ${statusRequests.length} requests`);
    await page.getByRole('navigation', { name: 'Console' }).waitFor(); // still the same page, never reloaded
  });

  test('all updates: Debian 12 Security Updates, paged by the server 50 at a time, with per-update counts', async () => {
    await page.getByRole('link', { name: 'All updates' }).click();
    await page.getByRole('heading', { name: 'All updates' }).waitFor();
    const filters = page.getByRole('form', { name: 'Filter updates' });
    await filters.getByLabel('Product').selectOption('Debian 12');
    await page.waitForURL(/product=Debian\+12/);
    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/updates?') && r.url().includes('classification=Security+Updates'));
    await filters.getByLabel('Classification').selectOption('Security Updates');
    const first = await listed;
    assert.match(first.url(), /product=Debian\+12/);
    assert.match(first.url(), /page=1&pageSize=50/);
    const range = page.getByRole('navigation', { name: 'updates pages' });
    await range.getByText('Showing 1–50 of 414 updates').waitFor();
    const rows = page.locator('table.data-table tbody tr');
    assert.equal(await rows.count(), 50, 'only one page travels to the browser');
    await page.locator('table.data-table tbody td.num').first().filter({ hasNotText: '…' }).waitFor();
    await screenshot(page, 'all-updates');

    const firstTitle = await rows.first().locator('td').nth(1).textContent();
    const second = page.waitForResponse((r) => r.url().includes('/api/v1/updates?') && r.url().includes('page=2'));
    await range.getByRole('button', { name: 'Next ›' }).click();
    await second;
    await range.getByText('Showing 51–100 of 414 updates').waitFor();
    assert.notEqual(await rows.first().locator('td').nth(1).textContent(), firstTitle);
    assert.match(page.url(), /page=2/);

    await page.getByRole('button', { name: 'Title' }).click();
    await page.waitForURL(/sort=title/);
    await range.getByText('Showing 1–50 of 414 updates').waitFor();
    const titles = await rows.locator('td:nth-child(2) a').allTextContents();
    assert.deepEqual(titles, [...titles].sort());
    assert.equal(await page.locator('th[aria-sort="ascending"]').textContent(), 'Title ▲');

    await filters.getByLabel('Text').fill('openssl');
    await filters.getByLabel('Text').press('Enter');
    const openssl = rows.filter({ has: page.getByRole('link', { name: f.openssl.title, exact: true }) });
    await openssl.waitFor();
    await openssl.locator('td.num').first().filter({ hasNotText: '…' }).waitFor();
    // Required, Installed, Not Required, Unknown over the four active clients.
    assert.deepEqual(await openssl.locator('td.num').allTextContents().then((c) => c.slice(0, 4)), ['2', '1', '0', '1']);
    assert.match((await openssl.textContent()) ?? '', /no content/);

    await openssl.getByRole('checkbox').check();
    await page.getByTestId('selection-count').filter({ hasText: '1 selected' }).waitFor();

    await filters.getByLabel('CVE').fill('CVE-12');
    await filters.getByLabel('CVE').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Invalid query: cve: a CVE id looks like CVE-2026-12345' }).waitFor();
  });

  test('an update\'s page: its metadata, supersedence, revisions, content in red, and the clients that need it', async () => {
    await page.goto('/software-updates/all-updates?text=openssl');
    await page.getByRole('link', { name: f.openssl.title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: f.openssl.title }).waitFor();
    assert.match(page.url(), new RegExp(`/software-updates/all-updates/${f.openssl.updateId}$`));
    const metadata = page.getByRole('region', { name: 'Metadata' });
    for (const text of [f.openssl.updateId, 'Debian 12', 'bookworm-security', 'openssl 3.0.']) await metadata.getByText(text, { exact: false }).first().waitFor();
    await page.locator('.page-header').getByText('Security Updates').waitFor();
    await page.getByRole('region', { name: 'Supersedence' }).getByText(/Not superseded/).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Revisions' }).getByRole('row', { name: /created/ }).count(), 1);

    const content = page.getByTestId('content-status');
    await content.getByText(/in no deployment package/).waitFor();
    assert.match((await content.getAttribute('class')) ?? '', /card-red/);
    assert.equal(await content.evaluate((el) => getComputedStyle(el).borderTopColor), 'rgb(198, 40, 40)');

    const clients = page.getByRole('region', { name: 'Clients' });
    await clients.getByTestId('update-counts').getByText('Required: 2').waitFor();
    assert.deepEqual((await clients.locator('tbody tr td:first-child').allTextContents()).sort(), ['node-a', 'node-d']);
    await clients.getByLabel('Show clients').selectOption('Installed');
    await clients.locator('tbody tr td:first-child').filter({ hasText: 'node-b' }).waitFor();
    assert.equal(await clients.locator('tbody tr').count(), 1);
    await clients.getByLabel('Show clients').selectOption('Required');
    await clients.locator('tbody tr td:first-child').filter({ hasText: 'node-d' }).waitFor();
    await page.getByRole('region', { name: /Files/ }).getByText('libssl3', { exact: true }).waitFor();
    await screenshot(page, 'update');
  });

  test('errors from the API read as messages; the navigation works from the keyboard; an unknown address says so', async () => {
    await page.goto('/software-updates/all-updates/8c4b4d6e-0000-5000-8000-000000000000');
    await page.getByRole('alert').filter({ hasText: 'Update 8c4b4d6e-0000-5000-8000-000000000000 does not exist' }).waitFor();
    await page.getByRole('link', { name: 'Back to all updates' }).waitFor();

    // Keyboard only: the navigation's links are reachable and followed with Enter.
    await page.getByRole('link', { name: 'Update groups' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Update groups' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Update groups' }).getAttribute('aria-current'), 'page');

    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'No such page' }).waitFor();
    assert.deepEqual(admin.problems, []);
  });

  test('a Read-only Analyst sees the fleet but no manage action, and the API refuses one anyway', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('patchday.session')), null);

    const analyst = await openConsole(browser, f.t.url);
    try {
      await signedInAs(analyst.page, ANALYST.username, ANALYST.password);
      assert.equal(await analyst.page.getByTestId('role').textContent(), ANALYST.role);
      await analyst.page.getByRole('heading', { name: 'Most required updates' }).waitFor();
      await analyst.page.getByTestId('last-sync').getByText('Succeeded').waitFor();
      assert.equal(await analyst.page.getByRole('button', { name: 'Synchronize now' }).count(), 0);
      await screenshot(analyst.page, 'dashboard-read-only-analyst');

      const token = JSON.parse((await analyst.page.evaluate(() => sessionStorage.getItem('patchday.session'))) ?? '{}').token as string;
      const refused = await f.t.api('POST', '/sync/runs', {}, token);
      assert.equal(refused.status, 403);
      assert.match(refused.body.error, /the Read-only Analyst role may not do this/);
      assert.deepEqual(analyst.problems, []);
    } finally {
      await analyst.context.close();
    }
  });

  test('a session the site ended sends the administrator back to sign in, saying why', async () => {
    const tab = await openConsole(browser, f.t.url);
    try {
      await signedInAs(tab.page, 'admin', f.t.adminPassword);
      const token = JSON.parse((await tab.page.evaluate(() => sessionStorage.getItem('patchday.session'))) ?? '{}').token as string;
      assert.equal((await f.t.api('POST', '/auth/logout', undefined, token)).status, 200);
      // The tab still holds the revoked token: its next request is refused.
      await tab.page.goto('/software-updates/all-updates');
      await tab.page.getByText('Your session has ended: sign in again.').waitFor();
      assert.equal(await tab.page.evaluate(() => sessionStorage.getItem('patchday.session')), null);
      await tab.page.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await tab.context.close();
    }
  });
});
