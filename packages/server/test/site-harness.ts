import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@patchday/core';
import pino from 'pino';
import { startSite, type RunningSite, type SiteConfig } from '../src/site.ts';
import type { StoreKind } from '../src/store/store.ts';
import { createTestDatabase, type TestDatabase } from './stores.ts';

/** The project's shared real data (`../shared/data` beside the checkout, or PATCHDAY_SHARED_DATA). */
const besideCheckout = new URL('../../../../shared/data/', import.meta.url).pathname;
export const sharedData = process.env.PATCHDAY_SHARED_DATA || (existsSync(besideCheckout) ? besideCheckout : '/work/shared/data/');
if (!existsSync(join(sharedData, 'debian-archive-2026-11-24'))) {
  throw new Error(`the shared test data is not at ${sharedData}: check out the project beside ../shared, or set PATCHDAY_SHARED_DATA`);
}
export const snapshotRoot = join(sharedData, 'debian-archive-2026-11-24');
export const debianKeyring = join(sharedData, 'keyrings/debian-archive-keyring.gpg');

export interface TestSite {
  site: RunningSite;
  url: string;
  dataDir: string;
  database: TestDatabase;
  /** The first administrator's token. */
  token: string;
  adminPassword: string;
  /** Logs the administrator in again (after a test moved the clock past the token's life). */
  relogin(): Promise<void>;
  /** Calls the admin API; returns status and parsed body, never throws on 4xx/5xx. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  /** Calls the management point as an agent would: with its own credential, never an admin token. */
  mp<T = any>(method: string, path: string, credential: string | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; etag: string | null; body: T }>;
  stop(): Promise<void>;
}

/** A real site on 127.0.0.1 (ephemeral port) over a fresh database of the given kind. */
export async function startTestSite(kind: StoreKind, options: { clock: Clock } & Partial<SiteConfig>): Promise<TestSite> {
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'patchday-site-'));
  const site = await startSite({ dataDir, db: database.url, port: 0, log: pino({ level: process.env.PATCHDAY_TEST_LOG ?? 'silent' }), ...options });
  const url = site.url;
  const adminPassword = readFileSync(site.initialPasswordFile!, 'utf8').trim();
  const api = async (method: string, path: string, body?: unknown, token?: string | null) => {
    const headers: Record<string, string> = {};
    if (token !== null && (token ?? tokenHolder.token)) headers.authorization = `Bearer ${token ?? tokenHolder.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const mp = async (method: string, path: string, credential: string | null, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}/mp/v1${path}`, {
      method,
      headers: { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null };
  };
  const tokenHolder = { token: '' };
  const relogin = async () => {
    const login = await api('POST', '/auth/login', { username: 'admin', password: adminPassword }, null);
    if (login.status !== 200) throw new Error(`test login failed: ${JSON.stringify(login.body)}`);
    tokenHolder.token = login.body.token;
  };
  await relogin();
  return {
    site,
    url,
    dataDir,
    database,
    get token() {
      return tokenHolder.token;
    },
    adminPassword,
    relogin,
    api,
    mp,
    async stop() {
      await site.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
