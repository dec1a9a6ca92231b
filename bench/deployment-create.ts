/**
 * Issue 5: a deployment of a 10,000-update group to a 10,000-client collection, against a real
 * `patchday server` process. The catalogue, the clients and the group are written straight into
 * the store first (synthetic Debian 12 updates of one binary each, clients with their own agent
 * credentials); then, over HTTP as an administrator and as the agents would:
 *   - the collection is created and filled (10 requests of 1,000 direct members),
 *   - the deployment is created (goal ≤ 2 s): nothing is written per client,
 *   - clients fetch their policy one at a time, as polls spread over the 60-minute interval arrive
 *     (goal p99 ≤ 50 ms); then every client, CONCURRENCY at a time, and again with its ETag (304).
 * SQLite always; PostgreSQL too (PATCHDAY_BENCH_PG=0 skips it).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianUpdateId } from '@patchday/core';
import { refreshMemberships } from '../packages/server/src/collections/memberships.ts';
import { openStore } from '../packages/server/src/store/open-store.ts';
import type { UpdatesTable } from '../packages/server/src/store/schema.ts';
import { createTestDatabase } from '../packages/server/test/stores.ts';
import { startSiteProcess } from './lib/site-process.ts';
import type { BenchRow } from './run.ts';

const UPDATES = Number(process.env.PATCHDAY_BENCH_UPDATES ?? 10_000);
const CLIENTS = Number(process.env.PATCHDAY_BENCH_CLIENTS ?? 10_000);
/** Policy requests in flight at once: agents poll spread over their 60-minute interval, never all at once. */
const CONCURRENCY = Number(process.env.PATCHDAY_BENCH_POLICY_CONCURRENCY ?? 8);
/** Clients that poll one at a time, before the burst. */
const SINGLE_POLLS = Math.min(CLIENTS, 1000);
const CREATE_GOAL_MS = 2_000;
const P99_GOAL_MS = 50;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const credentialOf = (i: number) => `pdc_bench_${String(i).padStart(8, '0')}_credential`;

export async function deploymentCreateBenchmark(): Promise<BenchRow[]> {
  const stores: Array<'sqlite' | 'postgres'> = process.env.PATCHDAY_BENCH_PG === '0' ? ['sqlite'] : ['sqlite', 'postgres'];
  const rows: BenchRow[] = [];
  for (const kind of stores) rows.push(...(await measure(kind)));
  rows.push({ measure: 'machine load average (1 min) at the end of the run', value: loadavg()[0], unit: `on ${cpus().length} CPUs` });
  return rows;
}

async function measure(kind: 'sqlite' | 'postgres'): Promise<BenchRow[]> {
  const label = `${UPDATES.toLocaleString('en')} updates to ${CLIENTS.toLocaleString('en')} clients, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`;
  const log = (text: string) => process.stderr.write(`  [${label}] ${text}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'patchday-bench-deploy-'));
  const database = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
  try {
    const seedStart = performance.now();
    const { groupId, clientIds } = await seed(database?.url ?? join(dataDir, 'patchday.sqlite'));
    log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    const site = await startSiteProcess(dataDir, database?.url);
    try {
      const { collectionId } = await site.api('POST', '/collections', { name: 'Bench fleet' });
      for (let i = 0; i < clientIds.length; i += 1000) await site.api('POST', `/collections/${collectionId}/members`, { clientIds: clientIds.slice(i, i + 1000) });

      const createStart = performance.now();
      const deployment = await site.api('POST', '/deployments', {
        name: 'Bench deployment',
        groupId,
        collectionId,
        availableAt: '2026-12-08T18:00Z',
        deadlineAt: '2026-12-15T18:00Z',
        alerts: { belowPercent: 90, afterDays: 7 },
      });
      const createMs = performance.now() - createStart;
      if (deployment.updateCount !== UPDATES) throw new Error(`the deployment holds ${deployment.updateCount} updates`);
      log(`deployment created in ${createMs.toFixed(0)} ms`);

      const agents = clientIds.map((clientId, i) => ({ clientId, credential: credentialOf(i), etag: '' }));
      // Raw HTTP, as gzip goes over the wire: the figures are the site's, not this process's gunzip.
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      const fetchPolicy = (agent: (typeof agents)[number], withEtag: boolean) =>
        new Promise<{ ms: number; bytes: number; body: Buffer; gzipped: boolean }>((resolve, reject) => {
          const start = performance.now();
          const headers = { authorization: `Bearer ${agent.credential}`, 'accept-encoding': 'gzip', ...(withEtag ? { 'if-none-match': agent.etag } : {}) };
          const request = http.get(`${site.url}/mp/v1/clients/${agent.clientId}/policy`, { agent: keepAlive, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const ms = performance.now() - start;
              if (res.statusCode !== (withEtag ? 304 : 200)) return reject(new Error(`policy: ${res.statusCode}`));
              agent.etag = String(res.headers.etag ?? '');
              const body = Buffer.concat(chunks);
              resolve({ ms, bytes: body.length, body, gzipped: res.headers['content-encoding'] === 'gzip' });
            });
          });
          request.on('error', reject);
        });
      // The first poll after the deployment builds its assignment once; every other poll reuses it.
      const first = await fetchPolicy(agents[0], false);
      const policyJson = first.gzipped ? gunzipSync(first.body) : first.body;
      if (!policyJson.includes(deployment.deploymentId)) throw new Error('the policy does not carry the deployment');
      const round = async (withEtag: boolean, concurrency: number, polling: typeof agents) => {
        const latencies: number[] = [];
        let bytes = 0;
        let next = 0;
        const start = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < polling.length) {
              const r = await fetchPolicy(polling[next++], withEtag);
              latencies.push(r.ms);
              bytes = r.bytes;
            }
          }),
        );
        latencies.sort((a, b) => a - b);
        const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
        return { p50: pick(0.5), p99: pick(0.99), bytes, perSecond: polling.length / ((performance.now() - start) / 1000) };
      };
      // 10,000 agents polling every 60 minutes arrive about 3 a second: one at a time…
      const single = await round(false, 1, agents.slice(0, SINGLE_POLLS));
      // …and a burst, CONCURRENCY at a time, of every client (a site back after an outage).
      const full = await round(false, CONCURRENCY, agents);
      const cached = await round(true, CONCURRENCY, agents);
      keepAlive.destroy();
      log(`policy ${(full.bytes / 1024).toFixed(0)} KiB gzipped, ${(policyJson.length / 1024).toFixed(0)} KiB of JSON: p50 ${full.p50.toFixed(1)} ms, p99 ${full.p99.toFixed(1)} ms; 304: p50 ${cached.p50.toFixed(1)} ms, p99 ${cached.p99.toFixed(1)} ms`);
      return [
        { measure: `${label}: create the deployment (POST /deployments)`, value: createMs, unit: 'ms', goal: '≤ 2 s', met: createMs <= CREATE_GOAL_MS },
        { measure: `${label}: policy size per client, gzipped (as agents get it)`, value: full.bytes / 1024, unit: 'KiB' },
        { measure: `${label}: policy size per client, JSON`, value: policyJson.length / 1024, unit: 'KiB' },
        { measure: `${label}: first policy after the deployment (builds its assignment)`, value: first.ms, unit: 'ms' },
        { measure: `${label}: policy fetch, one at a time (${SINGLE_POLLS} clients): p50`, value: single.p50, unit: 'ms' },
        { measure: `${label}: policy fetch, one at a time (${SINGLE_POLLS} clients): p99`, value: single.p99, unit: 'ms', goal: '≤ 50 ms', met: single.p99 <= P99_GOAL_MS },
        { measure: `${label}: policy fetch, ${CONCURRENCY} at a time, 200 with policy: p50`, value: full.p50, unit: 'ms' },
        { measure: `${label}: policy fetch, ${CONCURRENCY} at a time, 200 with policy: p99`, value: full.p99, unit: 'ms', goal: '≤ 50 ms', met: full.p99 <= P99_GOAL_MS },
        { measure: `${label}: policies served`, value: full.perSecond, unit: 'policies/s' },
        { measure: `${label}: policy fetch, ${CONCURRENCY} at a time, 304 by ETag: p50`, value: cached.p50, unit: 'ms' },
        { measure: `${label}: policy fetch, ${CONCURRENCY} at a time, 304 by ETag: p99`, value: cached.p99, unit: 'ms' },
      ];
    } finally {
      await site.stop();
    }
  } finally {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The catalogue, the clients and the update group, written straight into a fresh store. */
async function seed(url: string): Promise<{ groupId: string; clientIds: string[] }> {
  const store = await openStore(url);
  try {
    const at = '2026-11-24T12:00:00.000Z';
    const updates: UpdatesTable[] = Array.from({ length: UPDATES }, (_, i) => {
      const source = `benchpkg${i}`;
      const version = `1.${i}-1+deb12u1`;
      const filename = `pool/updates/main/b/${source}/${source}_${version}_amd64.deb`;
      return {
        update_id: debianUpdateId('Debian 12', 'bookworm-security', source, version),
        revision: 1, upstream: 'bench', product: 'Debian 12', suite: 'bookworm-security', source, version,
        title: `${source} ${version} (Debian 12 security update)`, description: `Security update of ${source}.`, vendor: 'Debian',
        classification: 'Security Updates', severity: 'Important', release_date: at, advisory_id: `DSA-${9000 + i}-1`, cve_ids: '[]', reference_urls: '[]',
        language: 'en', reboot_behaviour: 'never', eula: 0, present: 1, superseded: 0, superseded_by: null, superseded_at: null, expired: 0,
        metadata_sha256: sha256(`${source}${version}`), first_seen_at: at, last_changed_at: at, change_seq: 1, created_seq: 1,
        binaries: JSON.stringify([{ package: source, version, architecture: 'amd64', filename, size: 100_000 + i, sha256: sha256(filename), section: 'misc', priority: 'optional', summary: null }]),
      };
    });
    const groupId = '6b0f3f4e-8e51-4c55-9a43-2f4d3c8a0b10';
    const clientIds = Array.from({ length: CLIENTS }, (_, i) => `0000bec4-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await store.db.transaction().execute(async (trx) => {
      await store.insertMany(trx, 'updates', updates);
      await trx.insertInto('site_settings').values({ key: 'catalogue_seq', value: '1' }).execute();
      await trx.insertInto('update_groups').values({ group_id: groupId, name: 'Bench group', name_key: 'bench group', description: '', created_by: 'bench', created_at: at, updated_at: at }).execute();
      for (let i = 0; i < UPDATES; i += 1000) {
        await trx.insertInto('update_group_members').values(updates.slice(i, i + 1000).map((u) => ({ group_id: groupId, update_id: u.update_id, added_at: at }))).execute();
      }
      for (let i = 0; i < CLIENTS; i += 1000) {
        await trx
          .insertInto('clients')
          .values(
            clientIds.slice(i, i + 1000).map((clientId, k) => ({
              client_id: clientId, name: `host-${String(i + k).padStart(5, '0')}`, credential_hash: sha256(credentialOf(i + k)), status: 'active',
              enrolment_token_id: null, enrolled_at: at, last_policy_at: null, last_inventory_at: null, inventory_sha256: null,
            })),
          )
          .execute();
      }
      // Every active client is in All Systems, which limits every other collection.
      await refreshMemberships(trx);
    });
    return { groupId, clientIds };
  } finally {
    await store.close();
  }
}
