/**
 * Issue 6's whole workflow in Debian's Chromium, with a real agent installing what the console
 * deployed. The site is the content fixture (packages/server/test/content-fixture.ts: synced from a
 * signed archive of real .debs; web-1, web-2 and db-1 report their states). A real Agent on a
 * sandbox root, where real dpkg installed foo 1.0-1, enrols into the collection `nodes`, scans and
 * reports foo 1.0-2 Required. In the console an administrator signs in, filters All updates to the
 * Debian 12 Security Updates some client requires, makes a group of them, downloads its content
 * into a new package, distributes it to the site's distribution point and deploys it to `nodes`
 * with a deadline. The test moves the site's (and agent's) virtual clock: the agent downloads,
 * installs with dpkg at the deadline and reports, and the open deployment page turns compliant
 * without a reload. A Read-only Analyst sees no Deploy action, and the API refuses one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment, UpdateGroup } from '@patchday/core';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsole, screenshot, signedInAs, type ConsolePage } from '../../../console/test/browser.ts';
import { startContentFixture, type ContentFixture } from '../../../server/test/content-fixture.ts';
import { describeEachStore } from '../../../server/test/stores.ts';
import { Agent } from '../../../agent/src/agent.ts';
import { fixedRandom, quietLog } from '../agent/agent-harness.ts';
import { DpkgSandbox } from '../agent/support/dpkg-sandbox.ts';

const ANALYST = { username: 'rita', password: 'read-only-analyst-password', role: 'Read-only Analyst' };
const NODE = 'node-1';

describeEachStore('the software-updates workflow in the console, with a real agent', (kind) => {
  let f: ContentFixture;
  let box: DpkgSandbox;
  let agent: Agent | null = null;
  let browser: Browser;
  let admin: ConsolePage;
  let page: Page;
  let deploymentId: string;
  const groupName = 'Security for nodes';

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

  before(async () => {
    browser = await launchChromium();
    f = await startContentFixture(kind);
    box = new DpkgSandbox(NODE);
    // The machine runs foo 1.0-1, installed the way it was before Patchday: plain dpkg.
    box.dpkgInstall([f.debs.get('libfoo1_1.0-1_amd64')!, f.debs.get('foo-tools_1.0-1_amd64')!]);

    const nodes = await f.t.api('POST', '/collections', { name: 'nodes' });
    assert.equal(nodes.status, 201, JSON.stringify(nodes.body));
    const { token } = (await f.t.api('POST', '/enrolment-tokens', { name: 'nodes', collectionId: nodes.body.collectionId })).body;
    agent = new Agent({ dataDir: box.dataDir, root: box.root, server: f.t.url, enrolmentToken: token, architecture: 'amd64', clock: f.clock, random: fixedRandom(0.5), log: quietLog, timeZone: 'UTC', machineRole: 'server' });
    await agent.start();
    const scan = await agent.scanNow();
    assert.equal(scan.result, 'complete', JSON.stringify(scan));
    await agent.sendNow();

    assert.equal((await f.t.api('POST', '/users', { ...ANALYST })).status, 201);
    admin = await openConsole(browser, f.t.url);
    page = admin.page;
  });
  after(async () => {
    agent?.stop();
    await browser?.close();
    await f?.stop();
    box?.dispose();
  });

  test('sign in → filter → group → package → distribution point → deploy with a deadline → the agent installs → compliant, live', async () => {
    const { foo, bar } = f.updates;
    await signedInAs(page, 'admin', f.t.adminPassword);

    // 1. All updates, filtered to the Debian 12 Security Updates at least one client requires.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'All updates' }).click();
    await page.getByRole('heading', { level: 1, name: 'All updates' }).waitFor();
    const filters = page.getByRole('form', { name: 'Filter updates' });
    await filters.getByLabel('Product').selectOption('Debian 12');
    await filters.getByLabel('Classification').selectOption('Security Updates');
    await filters.getByLabel('Required by at least').fill('1');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/requiredByAtLeast=1/);
    await page.getByRole('navigation', { name: 'updates pages' }).getByText('Showing 1–2 of 2 updates').waitFor();
    const updates = page.getByRole('table', { name: 'Updates' });
    const fooRow = updates.getByRole('row').filter({ has: page.getByRole('link', { name: foo.title, exact: true }) });
    const barRow = updates.getByRole('row').filter({ has: page.getByRole('link', { name: bar.title, exact: true }) });
    // Required on web-1, db-1 and the node the agent scanned; bar on web-1, web-2 and db-1 only.
    const requiredCell = (row: typeof fooRow) => row.locator('td').nth(6);
    await requiredCell(fooRow).filter({ hasText: /^3$/ }).waitFor();
    await requiredCell(barRow).filter({ hasText: /^3$/ }).waitFor();
    assert.match((await fooRow.textContent()) ?? '', /no content/);

    // 2. An update group from the filter.
    await page.getByRole('button', { name: 'Create group from filter' }).click();
    const create = page.getByRole('form', { name: 'Create update group' });
    await create.getByText('(2 match)').waitFor();
    await create.getByLabel('Group name').fill(groupName);
    await create.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: groupName }).waitFor();
    await page.getByRole('status').filter({ hasText: `Created update group ${groupName} with 2 updates.` }).waitFor();
    assert.equal(await page.getByTestId('count-without-content').textContent(), '2');

    // 3. Its content downloaded from the upstream into a new package, the progress followed to done.
    await page.getByRole('button', { name: 'Download content' }).click();
    const download = page.getByRole('form', { name: 'Download content' });
    await download.getByLabel('Deployment package').selectOption({ label: 'A new package…' });
    await download.getByLabel('New package name').fill('Node files');
    await download.getByRole('button', { name: 'Start download' }).click();
    await page.getByRole('heading', { level: 1, name: 'Node files' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Downloading 3 files into Node files.' }).waitFor();
    const job = page.getByTestId('content-job');
    await job.getByTestId('job-state').filter({ hasText: 'Done' }).waitFor();
    assert.equal(await job.getByTestId('job-files').textContent(), '3 of 3 files stored');
    assert.equal(await job.getByRole('progressbar', { name: 'Download progress' }).getAttribute('value'), '100');
    await page.getByTestId('content-version').filter({ hasText: 'content version 2' }).waitFor();
    assert.equal(f.library().length, 3);

    // 4. Distributed to the site's distribution point.
    const distribution = page.getByRole('region', { name: 'Distribution' });
    await distribution.getByRole('form', { name: 'Distribute' }).getByLabel('site').check();
    await distribution.getByRole('button', { name: 'Distribute' }).click();
    await distribution.getByRole('row', { name: /^site/ }).getByText('installed').waitFor();

    // 5. The deploy wizard, from the group's page: required, to `nodes`, deadline 13:00 UTC (the site's clock reads 10:00).
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Update groups' }).click();
    await page.getByRole('link', { name: groupName }).click();
    await page.getByTestId('count-without-content').filter({ hasText: /^0$/ }).waitFor();
    await page.getByRole('link', { name: 'Deploy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Deploy software updates' }).waitFor();
    await page.getByRole('form', { name: 'Group and collection' }).getByLabel('Collection').selectOption({ label: 'nodes (1 clients)' });
    await page.getByRole('button', { name: 'Next ›' }).click();
    const schedule = page.getByRole('form', { name: 'Purpose and schedule' });
    await schedule.getByLabel('Deadline', { exact: true }).fill('2026-11-25T13:00');
    for (const step of ['Purpose and schedule', 'Restarts and windows', 'Alerts']) await page.getByRole('form', { name: step }).getByRole('button', { name: 'Next ›' }).click();
    const summary = page.getByTestId('deployment-summary');
    const words = (await summary.textContent()) ?? '';
    for (const expected of [`${groupName} → nodes`, 'nodes (1 clients)', 'Required', 'As soon as it is created', '2026-11-25 13:00 UTC']) assert.ok(words.includes(expected), `the summary says ${expected}: ${words}`);
    await page.getByRole('button', { name: 'Create deployment' }).click();
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);
    deploymentId = page.url().split('/').pop()!;
    const d = (await f.t.api<Deployment>('GET', `/deployments/${deploymentId}`)).body;
    assert.deepEqual([d.purpose, d.collectionName, d.deadlineAt], ['required', 'nodes', '2026-11-25T13:00:00.000Z']);

    // 6. The deployment's page stays open while the clock moves: the agent takes its policy at
    //    11:00, downloads at once, and waits for the deadline.
    await page.getByRole('heading', { level: 1, name: `${groupName} → nodes` }).waitFor();
    const client = page.getByRole('table', { name: 'Clients of the deployment' }).getByRole('row').filter({ has: page.getByRole('link', { name: NODE }) });
    await client.waitFor();
    // A mark on this document: it is still there at the end only if the page never reloaded.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await runUntil(new Date('2026-11-25T12:30:00Z'));
    await client.locator('td').nth(2).filter({ hasText: 'downloaded' }).waitFor();
    assert.equal(await client.locator('td').nth(1).textContent(), 'In progress');
    assert.equal(await page.getByTestId('percent-compliant').textContent(), '0.0 %');
    assert.equal(box.installed().libfoo1, '1.0-1', 'nothing installs before the deadline');

    // 7. The deadline: dpkg installs foo 1.0-2, the agent rescans and reports compliance.
    await runUntil(new Date('2026-11-25T14:00:00Z'));
    assert.deepEqual([box.installed().libfoo1, box.installed()['foo-tools'], box.installed().bar], ['1.0-2', '1.0-2', undefined], 'foo upgraded; bar, not installed here, left alone');
    await page.getByTestId('percent-compliant').filter({ hasText: '100.0 %' }).waitFor();
    assert.equal(await client.locator('td').nth(1).textContent(), 'Compliant');
    assert.match((await page.getByTestId('count-compliant').textContent()) ?? '', /Compliant\s*1/);
    assert.match((await client.locator('td').nth(4).textContent()) ?? '', /300 compliant/);
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'the page followed the client without a reload');
    await screenshot(page, 'deployment-compliant');
    assert.deepEqual(admin.problems, []);
  });

  test('a Read-only Analyst sees the deployment but no Deploy action, and the API refuses one', async () => {
    const analyst = await openConsole(browser, f.t.url);
    try {
      const p = analyst.page;
      await signedInAs(p, ANALYST.username, ANALYST.password);
      await p.goto(`/deployments/${deploymentId}`);
      await p.getByTestId('percent-compliant').filter({ hasText: '100.0 %' }).waitFor();
      for (const name of ['Disable', 'Edit settings', 'Delete deployment']) assert.equal(await p.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);

      await p.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Deployments' }).click();
      await p.getByRole('link', { name: `${groupName} → nodes` }).waitFor();
      assert.equal(await p.getByRole('link', { name: 'New deployment' }).count(), 0);

      await p.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Update groups' }).click();
      // The deployments page stays until the groups page's chunk has loaded: wait for the new page.
      await p.getByRole('heading', { level: 1, name: 'Update groups' }).waitFor();
      await p.getByRole('link', { name: groupName, exact: true }).click();
      await p.getByRole('heading', { level: 1, name: groupName }).waitFor();
      await p.getByRole('table', { name: `Members of ${groupName}` }).locator('tbody tr').first().waitFor();
      assert.equal(await p.getByRole('link', { name: 'Deploy', exact: true }).count(), 0);
      assert.equal(await p.getByRole('button', { name: 'Download content' }).count(), 0);

      const groupId = await groupIdOf(groupName);
      await p.goto(`/deployments/new?groupId=${groupId}`);
      await p.getByText('Your role may look at deployments but not create them.').waitFor();
      assert.equal(await p.getByRole('button', { name: 'Create deployment' }).count(), 0);

      // The analyst's own session, asking the API directly, is refused and nothing is created.
      const before = (await f.t.api<{ deployments: Deployment[] }>('GET', '/deployments')).body.deployments.length;
      const refused = await p.evaluate(
        async ({ groupId, collectionId }) => {
          const { token } = JSON.parse(sessionStorage.getItem('patchday.session')!) as { token: string };
          const response = await fetch('/api/v1/deployments', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'sneaky', groupId, collectionId, deadlineAt: '2026-11-26T12:00:00Z' }),
          });
          return { status: response.status, body: (await response.json()) as { error: string } };
        },
        { groupId, collectionId: (await f.t.api<Deployment>('GET', `/deployments/${deploymentId}`)).body.collectionId },
      );
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.match(refused.body.error, /\S/);
      assert.equal((await f.t.api<{ deployments: Deployment[] }>('GET', '/deployments')).body.deployments.length, before);
      assert.deepEqual(analyst.problems, []);
    } finally {
      await analyst.context.close();
    }
  });

  const groupIdOf = async (name: string) => (await f.t.api<{ groups: UpdateGroup[] }>('GET', '/update-groups')).body.groups.find((g) => g.name === name)!.groupId;
});
