import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../scripts/ensure-built.ts';

/**
 * The console's browser test harness: Debian's Chromium (never a downloaded browser) driven by
 * playwright-core, against a real site the test starts on 127.0.0.1. The console is built first
 * when its sources changed, exactly as `npm start` does.
 */

export const chromiumPath = process.env.PATCHDAY_CHROMIUM ?? '/usr/bin/chromium';

/** A laptop screen. */
export const viewport = { width: 1440, height: 900 };

const screenshotDir = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const takeScreenshots = process.env.PATCHDAY_SCREENSHOTS === '1';

export async function launchChromium(): Promise<Browser> {
  // A missing browser fails the test: a skipped browser test would hide a broken console.
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is not at ${chromiumPath}: install Debian's package (apt-get install -y chromium; .ci/run does), or set PATCHDAY_CHROMIUM`);
  await ensureConsoleBuilt({ quiet: true });
  // --no-sandbox: tests may run as root (CI does), where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors and uncaught exceptions: a test ends with none. */
  problems: string[];
}

/** A fresh browser tab (own sessionStorage) on the site's console. */
export async function openConsole(browser: Browser, siteUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL: siteUrl, viewport });
  // Every wait is for something a person would see within seconds.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // The browser's own report of an API error the page shows in words is not a problem of the page.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  await page.goto('/');
  return { context, page, problems };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signedInAs(page: Page, username: string, password: string): Promise<void> {
  await signIn(page, username, password);
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  assert.equal(await page.locator('.username').textContent(), username);
}

/** With PATCHDAY_SCREENSHOTS=1 (`npm run screenshots`), saves the page under docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!takeScreenshots) return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
}
