import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { openStore } from '../src/store/open-store.ts';
import type { Store, StoreKind } from '../src/store/store.ts';
import type { Database } from '../src/store/schema.ts';

export const postgresAdminUrl = process.env.PATCHDAY_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const storeKinds: StoreKind[] = ['sqlite', 'postgres'];

/** A fresh, empty, migrated database of the given kind, and how to throw it away. */
export interface TestDatabase {
  url: string;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'patchday-store-'));
    const url = join(dir, 'patchday.sqlite');
    return { url, open: () => openStore(url), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `patchday_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  try {
    await admin.connect();
  } catch (error) {
    // No skipping: the suite runs on both stores, so a missing PostgreSQL is a failure.
    throw new Error(`PostgreSQL is not reachable at ${postgresAdminUrl} (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): ${(error as Error).message}`);
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = postgresAdminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    open: () => openStore(url),
    async drop() {
      const c = new pg.Client({ connectionString: postgresAdminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Runs `body` once per store kind, as `describe('<name> [sqlite]')` and `[postgres]`. */
export function describeEachStore(name: string, body: (kind: StoreKind) => void): void {
  for (const kind of storeKinds) describe(`${name} [${kind}]`, () => body(kind));
}

// Every table: the compiler refuses a new table until it is listed, so "changed nothing" proofs cover it.
const allTables = {
  users: true, api_tokens: true, audit_log: true, status_messages: true, upstreams: true, site_settings: true, suite_states: true,
  sync_runs: true, updates: true, update_revisions: true, enrolment_tokens: true, clients: true, collections: true,
  collection_direct_members: true, collection_members: true, client_update_states: true, inventories: true, inventory_packages: true,
  update_groups: true, update_group_members: true, deployment_packages: true, content_files: true, package_files: true, distribution_points: true,
  dp_packages: true, maintenance_windows: true, deployments: true, client_deployment_states: true, automatic_deployment_rules: true, alerts: true,
} satisfies Record<keyof Database, true>;
const tables = Object.keys(allTables) as Array<keyof Database>;

/**
 * Every row of every table, in a stable order, as one string: two dumps are equal exactly when
 * the store holds the same data, which is how tests prove a refused input changed nothing.
 */
export async function dumpStore(store: Store, options: { except?: Array<keyof Database> } = {}): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    if (options.except?.includes(table)) continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    out[table] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return JSON.stringify(out);
}

/** Names of the tables whose rows differ between two dumps (readable where a full diff is not). */
export function differingTables(a: string, b: string): string[] {
  const left = JSON.parse(a) as Record<string, string[]>;
  const right = JSON.parse(b) as Record<string, string[]>;
  const names = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...names].filter((t) => JSON.stringify(left[t]) !== JSON.stringify(right[t])).map((t) => `${t} (${left[t]?.length ?? 0} vs ${right[t]?.length ?? 0} rows)`);
}
