/**
 * Fleet compliance at 100,000 clients (docs/compliance.md): inventories made by varying the real
 * node image are loaded through the inventory store into a site database, bookworm-security is synced
 * from the snapshot (so its 414 updates are "newly synced": no client has scanned for them), and we time
 *   (a) one update's fleet-wide report (`GET /updates/:id/compliance`: counts, %, first page), and
 *   (b) the fleet summary, which estimates and counts every update of the sync (`GET /compliance/summary`);
 * then half the fleet reports a completed scan with its Required and Installed states (the rows
 * state-message ingest would store) and we time both again, now partly from reported states.
 *
 * Fleets:
 * - realistic: 20 machine images (the node image with 30 random packages older, newer or removed)
 *   × 50 patch levels (each a random share of the security updates installed) = 1,000 distinct
 *   inventories, shared by 100,000 clients (skewed towards the first images), each with its own hostname;
 * - all-distinct (the worst case for the index): every client its own inventory (the node image with
 *   its own 40 random changes and patch level). Its size is PATCHDAY_BENCH_DISTINCT (default 20,000
 *   clients), since 100,000 would take far longer than a few minutes to load; its figures say how the
 *   costs grow with the number of distinct inventories.
 *
 * SQLite always; PostgreSQL too (PATCHDAY_BENCH_PG=0 skips it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock, detectionStateIds, type Inventory, type UpdateMetadata } from '@patchday/core';
import { sql } from 'kysely';
import pino from 'pino';
import { storeInventories } from '../packages/server/src/inventory/inventory-store.ts';
import { startSite, type RunningSite } from '../packages/server/src/site.ts';
import { estimateUpdates, loadUniverse } from '../packages/server/src/compliance/fleet-estimate.ts';
import { nodeImageInventory, seededRandom, snapshotUpdates, varyInventory } from '../packages/server/test/inventories.ts';
import { startArchiveServer } from '../packages/server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot } from '../packages/server/test/site-harness.ts';
import { createTestDatabase } from '../packages/server/test/stores.ts';
import type { BenchRow } from './run.ts';

const CLIENTS = Number(process.env.PATCHDAY_BENCH_CLIENTS ?? 100_000);
const DISTINCT_CLIENTS = Number(process.env.PATCHDAY_BENCH_DISTINCT ?? 20_000);
const GOAL_MS = 5_000;

type Fleet = { name: string; clients: number; inventoryOf: (i: number) => Inventory; distinct: string };

export async function fleetEstimateBenchmark(): Promise<BenchRow[]> {
  const security = snapshotUpdates('debian-security', 'bookworm-security', 'Debian 12');
  const base = nodeImageInventory();
  const rows: BenchRow[] = [];

  // Realistic: 1,000 distinct inventories.
  const random = seededRandom(2026);
  const images = Array.from({ length: 20 }, () => varyInventory(base, random, { changes: 30 }));
  const levels = Array.from({ length: 50 }, () => random());
  const distinct = images.flatMap((image) => levels.map((share) => varyInventory(image, random, { changes: 0, patches: security, patchedShare: share })));
  const pick = seededRandom(7);
  const assignment = Array.from({ length: CLIENTS }, () => Math.floor(pick() ** 2 * images.length) * levels.length + Math.floor(pick() * levels.length));
  const realistic: Fleet = { name: 'realistic', clients: CLIENTS, inventoryOf: (i) => distinct[assignment[i]], distinct: '1,000 distinct inventories' };

  // Worst case: every client its own inventory.
  const own = seededRandom(99);
  const allDistinct: Fleet = {
    name: 'all-distinct',
    clients: DISTINCT_CLIENTS,
    inventoryOf: () => varyInventory(base, own, { changes: 40, patches: security, patchedShare: own() }),
    distinct: `${DISTINCT_CLIENTS.toLocaleString('en')} distinct inventories`,
  };

  const stores: Array<'sqlite' | 'postgres'> = process.env.PATCHDAY_BENCH_PG === '0' ? ['sqlite'] : ['sqlite', 'postgres'];
  for (const fleet of DISTINCT_CLIENTS > 0 ? [realistic, allDistinct] : [realistic]) {
    for (const kind of stores) rows.push(...(await measure(kind, fleet, security)));
  }
  return rows;
}

async function measure(kind: 'sqlite' | 'postgres', fleet: Fleet, security: UpdateMetadata[]): Promise<BenchRow[]> {
  const label = `${fleet.name}, ${fleet.clients.toLocaleString('en')} clients, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`;
  const log = (text: string) => process.stderr.write(`  [${label}] ${text}\n`);
  const mirror = await startArchiveServer(snapshotRoot);
  const dataDir = mkdtempSync(join(tmpdir(), 'patchday-bench-fleet-'));
  const database = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
  const site = await startSite({ dataDir, db: database?.url, port: 0, clock: new VirtualClock('2026-11-25T10:00:00Z'), log: pino({ level: 'warn' }) });
  const db = site.store.db;
  try {
    // Clients, then their inventories through the inventory store.
    const setupStart = performance.now();
    const ids: string[] = [];
    for (let start = 0; start < fleet.clients; start += 2000) {
      const batch = Array.from({ length: Math.min(2000, fleet.clients - start) }, (_, k) => {
        const clientId = randomUUID();
        ids.push(clientId);
        return { client_id: clientId, name: `host-${String(start + k).padStart(6, '0')}`, credential_hash: `bench-${clientId}`, status: 'active', enrolment_token_id: null, enrolled_at: '2026-11-25T09:00:00.000Z', last_policy_at: null, last_inventory_at: null, inventory_sha256: null };
      });
      await db.insertInto('clients').values(batch).execute();
    }
    const loadStart = performance.now();
    const at = new Date('2026-11-25T09:30:00Z');
    const BATCH = fleet.name === 'realistic' ? fleet.clients : 1000;
    for (let start = 0; start < fleet.clients; start += BATCH) {
      const entries = ids.slice(start, start + BATCH).map((clientId, k) => {
        const inventory = fleet.inventoryOf(start + k);
        return { clientId, inventory: { ...inventory, facts: { hostname: `host-${start + k}` } } };
      });
      await storeInventories(db, entries, at);
      if (fleet.name !== 'realistic' && (start / BATCH) % 5 === 4) log(`${start + BATCH} inventories stored (${((performance.now() - loadStart) / 1000).toFixed(0)} s)`);
    }
    const loadMs = performance.now() - loadStart;
    const counts = async () => {
      const inv = await db.selectFrom('inventories').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      const pkg = await db.selectFrom('inventory_packages').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return { inventories: Number(inv.n), packages: Number(pkg.n) };
    };
    const stored = await counts();
    log(`${stored.inventories} distinct inventories, ${stored.packages} index rows, stored in ${(loadMs / 1000).toFixed(1)} s`);

    // Sync bookworm-security through the admin API, as an administrator would.
    const token = await adminToken(site, dataDir);
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${site.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const json = await r.json();
      if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
      return json as any;
    };
    await api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring, allowStale: true });
    const run = await site.sync.run('bench');
    if (run.status !== 'succeeded') throw new Error(`sync failed: ${run.error}`);
    const anchor = Number((await db.selectFrom('site_settings').select('value').where('key', '=', 'catalogue_seq').executeTakeFirstOrThrow()).value);

    // PostgreSQL plans from statistics; after a bulk load autovacuum gathers them within a minute.
    const analyze = async () => {
      if (kind === 'postgres') await sql`analyze`.execute(db);
    };
    await analyze();
    const setupMs = performance.now() - setupStart;
    const openssl = security.find((u) => u.source === 'openssl')!;

    // Right after the sync: no client has scanned for these updates, every state is estimated.
    const one = await best(3, () => api('GET', `/updates/${openssl.updateId}/compliance?limit=100`));
    const summary = await best(3, () => api('GET', '/compliance/summary'));
    const engine = await best(3, async () => estimateUpdates(db, await loadUniverse(db), security));
    log(`setup ${(setupMs / 1000).toFixed(0)} s; one update ${one.ms.toFixed(0)} ms (${JSON.stringify(one.value.counts)}); summary ${summary.ms.toFixed(0)} ms; estimate engine alone ${engine.ms.toFixed(0)} ms`);

    // Then half the fleet reports a completed scan: its Required and Installed updates as state rows.
    const reportStart = performance.now();
    const reported = await reportHalf(site, ids, security, anchor);
    await analyze();
    log(`${reported.clients} clients reported ${reported.rows} states in ${((performance.now() - reportStart) / 1000).toFixed(1)} s`);
    const oneReported = await best(3, () => api('GET', `/updates/${openssl.updateId}/compliance?limit=100`));
    const summaryReported = await best(3, () => api('GET', '/compliance/summary'));
    log(`with reported states: one update ${oneReported.ms.toFixed(0)} ms (${JSON.stringify(oneReported.value.bySource.reported)}); summary ${summaryReported.ms.toFixed(0)} ms`);
    if (kind === 'sqlite') site.store.sqliteHandle?.pragma('wal_checkpoint(TRUNCATE)');
    const size = kind === 'sqlite' ? statSync(join(dataDir, 'patchday.sqlite')).size / 1e6 : undefined;

    return [
      { measure: `${label}: distinct inventories stored`, value: stored.inventories, unit: 'inventories' },
      { measure: `${label}: inventory_packages index rows`, value: stored.packages, unit: 'rows' },
      { measure: `${label}: storing every inventory (storeInventories)`, value: loadMs, unit: 'ms' },
      ...(size !== undefined ? [{ measure: `${label}: database size (with the half fleet's states)`, value: size, unit: 'MB' }] : []),
      { measure: `${label}: (a) one newly synced update over the fleet (GET /updates/:id/compliance), best of 3`, value: one.ms, unit: 'ms', goal: '≤ 5 s', met: one.ms <= GOAL_MS },
      { measure: `${label}: (b) every update of the sync (414) over the fleet (GET /compliance/summary), best of 3`, value: summary.ms, unit: 'ms', goal: '≤ 5 s', met: summary.ms <= GOAL_MS },
      { measure: `${label}: estimate of the 414 updates alone (estimateUpdates), best of 3`, value: engine.ms, unit: 'ms' },
      { measure: `${label}: client_update_states rows once half the fleet reported a scan`, value: reported.rows, unit: 'rows' },
      { measure: `${label}: (a) with half the fleet reported, best of 3`, value: oneReported.ms, unit: 'ms', goal: '≤ 5 s', met: oneReported.ms <= GOAL_MS },
      { measure: `${label}: (b) with half the fleet reported, best of 3`, value: summaryReported.ms, unit: 'ms', goal: '≤ 5 s', met: summaryReported.ms <= GOAL_MS },
    ];
  } finally {
    await site.close();
    await database?.drop();
    await mirror.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Logs in as the first administrator (its one-time password is in the data directory). */
async function adminToken(site: RunningSite, dataDir: string): Promise<string> {
  const { readFileSync } = await import('node:fs');
  const password = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
  const r = await fetch(`${site.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  return ((await r.json()) as { token: string }).token;
}

/**
 * Every other client completes a scan at the current anchor and reports its Required and Installed
 * updates (what an agent's first scan sends), computed here with the estimate engine: the rows are
 * what state-message ingest would have stored.
 */
async function reportHalf(site: RunningSite, ids: string[], security: UpdateMetadata[], anchor: number): Promise<{ clients: number; rows: number }> {
  const db = site.store.db;
  const universe = await loadUniverse(db);
  const estimates = await estimateUpdates(db, universe, security);
  const shaOf = new Map((await db.selectFrom('clients').select(['client_id', 'inventory_sha256']).execute()).map((r) => [r.client_id, r.inventory_sha256!]));
  const scanned = ids.filter((_, i) => i % 2 === 0);
  let rows = 0;
  const at = '2026-11-25T10:30:00.000Z';
  for (let start = 0; start < scanned.length; start += 2000) {
    const batch = scanned.slice(start, start + 2000);
    const states: Array<{ client_id: string; update_id: string; state_id: number; revision: number; state_at: string; received_at: string }> = [];
    for (const clientId of batch) {
      const index = universe.indexOf.get(shaOf.get(clientId)!)!;
      for (const u of security) {
        const e = estimates.get(u.updateId)!;
        if (e.kind !== 'inventory') continue;
        const state = e.byInventory.get(index) ?? e.byOs[universe.osOf[index]];
        if (state === 'Required' || state === 'Installed') states.push({ client_id: clientId, update_id: u.updateId, state_id: detectionStateIds[state], revision: 1, state_at: at, received_at: at });
      }
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < states.length; i += 5000) await trx.insertInto('client_update_states').values(states.slice(i, i + 5000)).execute();
      await trx.updateTable('clients').set({ last_scan_at: at, last_scan_state_id: 3, last_scan_completed_at: at, last_scan_product: 'Debian 12', last_scan_anchor: anchor }).where('client_id', 'in', batch).execute();
    });
    rows += states.length;
  }
  return { clients: scanned.length, rows };
}

async function best<T>(rounds: number, run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let ms = Infinity;
  let value: T | undefined;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    value = await run();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, value: value! };
}
