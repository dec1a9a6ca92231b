import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startArchiveServer } from '../packages/server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot } from '../packages/server/test/site-harness.ts';
import { createTestDatabase } from '../packages/server/test/stores.ts';
import type { BenchRow } from './run.ts';
import { startSiteProcess, syncAndWait, type SiteProcess } from './lib/site-process.ts';

const AGENTS = 4;
const BATCH = 500;
/** Batches each agent sends in the measured round (after one warm-up batch). */
const BATCHES_PER_AGENT = 50;
const GOAL = 50_000;

/**
 * §5 state message ingest: AGENTS agents post batches of BATCH messages concurrently over real
 * HTTP to a `patchday server` child process (keep-alive connections, as agents would), each batch
 * 499 detection messages for distinct updates plus one scan progress message. Every batch must be
 * acknowledged as stored in full.
 */
export async function stateIngestBenchmark(): Promise<BenchRow[]> {
  const mirror = await startArchiveServer(snapshotRoot);
  try {
    const sqlite = await measureSite(mirror.url, undefined);
    const pg = await measureSite(mirror.url, 'postgres');
    // The figures are CPU-bound on a small machine: what else ran at the same time matters.
    const load = { measure: 'machine load average (1 min) at the end of the run', value: loadavg()[0], unit: `on ${cpus().length} CPUs` };
    const rows = (label: string, r: Awaited<ReturnType<typeof measureSite>>): BenchRow[] => [
      { measure: `state messages stored, ${label}, ${AGENTS} agents × batches of ${BATCH}`, value: r.perSecond, unit: 'messages/s', goal: `≥ ${GOAL.toLocaleString('en')} messages/s`, met: r.perSecond >= GOAL },
      { measure: `batch round trip, ${label}, median`, value: r.medianMs, unit: 'ms' },
      { measure: `batch round trip, ${label}, 95th percentile`, value: r.p95Ms, unit: 'ms' },
      { measure: `resent batch (all duplicates), ${label}, median`, value: r.duplicateMs, unit: 'ms' },
    ];
    return [...rows('SQLite', sqlite), ...rows('PostgreSQL', pg), load];
  } finally {
    await mirror.close();
  }
}

async function measureSite(mirrorUrl: string, store: 'postgres' | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchday-bench-'));
  const database = store ? await createTestDatabase(store) : undefined;
  const site = await startSiteProcess(dataDir, database?.url);
  try {
    // Enough distinct updates that no batch names one twice (stale metadata accepted: the snapshot ages).
    await site.api('POST', '/upstreams', { name: 'debian', url: `${mirrorUrl}/debian`, suites: ['bookworm'], keyring: debianKeyring, allowStale: true });
    await site.api('POST', '/upstreams', { name: 'security', url: `${mirrorUrl}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring, allowStale: true });
    const sync = await syncAndWait(site);
    if (sync.run.status !== 'succeeded') throw new Error(`sync failed: ${sync.run.error}`);
    const anchor: number = sync.run.catalogueSeq;
    const updateIds = await allUpdateIds(site);
    if (updateIds.length < BATCH) throw new Error(`only ${updateIds.length} updates in the catalogue`);

    const { token } = await site.api('POST', '/enrolment-tokens', { name: 'bench' });
    const agents = await Promise.all(
      Array.from({ length: AGENTS }, async (_, a) => {
        const res = await fetch(`${site.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrolmentToken: token, name: `bench-${a}` }) });
        const { clientId, credential } = (await res.json()) as { clientId: string; credential: string };
        // Bodies are built before the clock starts: the benchmark measures the site, not JSON.stringify.
        const bodies = Array.from({ length: BATCHES_PER_AGENT + 1 }, (_, b) => batchBody(b, a, updateIds, anchor));
        return { url: `${site.url}/mp/v1/clients/${clientId}/state-messages`, headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, bodies };
      }),
    );
    const post = async (agent: (typeof agents)[number], body: string, stored: number) => {
      const start = performance.now();
      const res = await fetch(agent.url, { method: 'POST', headers: agent.headers, body });
      const ack = (await res.json()) as { stored: number; error?: string };
      if (res.status !== 200 || ack.stored !== stored) throw new Error(`batch refused or short: ${res.status} ${JSON.stringify(ack)}`);
      return performance.now() - start;
    };

    await Promise.all(agents.map((agent) => post(agent, agent.bodies[0], BATCH)));
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      agents.map(async (agent) => {
        for (let b = 1; b <= BATCHES_PER_AGENT; b++) latencies.push(await post(agent, agent.bodies[b], BATCH));
      }),
    );
    const elapsed = performance.now() - start;
    latencies.sort((x, y) => x - y);

    const duplicates: number[] = [];
    for (let i = 0; i < 9; i++) duplicates.push(await post(agents[0], agents[0].bodies[BATCHES_PER_AGENT], 0));
    duplicates.sort((x, y) => x - y);
    return {
      perSecond: (AGENTS * BATCHES_PER_AGENT * BATCH) / (elapsed / 1000),
      medianMs: latencies[Math.floor(latencies.length / 2)],
      p95Ms: latencies[Math.floor(latencies.length * 0.95)],
      duplicateMs: duplicates[4],
    };
  } finally {
    await site.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Batch `b` of agent `a`: 499 detection messages for distinct updates, then a completed scan. */
function batchBody(b: number, a: number, updateIds: string[], anchor: number): string {
  const messages: unknown[] = [];
  const time = new Date(Date.UTC(2026, 10, 25, 10, 0, b)).toISOString();
  const offset = (a * 7919 + b * (BATCH - 1)) % updateIds.length;
  for (let i = 0; i < BATCH - 1; i++) {
    messages.push({ seq: b * BATCH + i + 1, time, topic: 500, stateId: (i % 3) + 1, updateId: updateIds[(offset + i) % updateIds.length], revision: 1 });
  }
  messages.push({ seq: (b + 1) * BATCH, time, topic: 501, stateId: 3, scanId: randomUUID(), product: 'Debian 12', anchor, error: null });
  return JSON.stringify({ messages });
}

async function allUpdateIds(site: SiteProcess): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const result = await site.api('GET', `/updates?product=Debian%2012&pageSize=1000&page=${page}&sort=title`);
    ids.push(...result.updates.map((u: { updateId: string }) => u.updateId));
    if (ids.length >= result.total || !result.updates.length || ids.length >= 20_000) return ids;
  }
}
