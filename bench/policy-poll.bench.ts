import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './run.ts';
import { startSiteProcess } from './lib/site-process.ts';

const AGENTS = 1000;

/**
 * Issue 4: 1,000 agents polling their policy at the same moment against a real `patchday
 * server` process (SQLite), first without an ETag (200 with the policy), then with it (304).
 */
export async function policyPollBenchmark(): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchday-bench-poll-'));
  const site = await startSiteProcess(dataDir);
  try {
    const token = (await site.api('POST', '/enrolment-tokens', { name: 'bench', uses: null })).token as string;
    const agents: Array<{ clientId: string; credential: string; etag?: string }> = [];
    for (let i = 0; i < AGENTS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, AGENTS - i) }, async (_, j) => {
          const res = await fetch(`${site.url}/mp/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench-${i + j}`, enrolmentToken: token }) });
          if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
          return (await res.json()) as { clientId: string; credential: string };
        }),
      );
      agents.push(...batch);
    }

    const poll = async (withEtag: boolean) => {
      const latencies = await Promise.all(
        agents.map(async (a) => {
          const t0 = performance.now();
          const res = await fetch(`${site.url}/mp/v1/clients/${a.clientId}/policy`, { headers: { authorization: `Bearer ${a.credential}`, ...(withEtag && a.etag ? { 'if-none-match': a.etag } : {}) } });
          await res.arrayBuffer();
          const expected = withEtag ? 304 : 200;
          if (res.status !== expected) throw new Error(`policy poll: ${res.status}, expected ${expected}`);
          a.etag = res.headers.get('etag') ?? undefined;
          return performance.now() - t0;
        }),
      );
      latencies.sort((x, y) => x - y);
      return { p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)], all: latencies[latencies.length - 1] };
    };
    await poll(false); // warm-up: connections and prepared statements
    const full = await poll(false);
    const cached = await poll(true);
    return [
      { measure: `policy poll, ${AGENTS} agents at once, 200 with policy: p50`, value: full.p50, unit: 'ms' },
      { measure: `policy poll, ${AGENTS} agents at once, 200 with policy: p99`, value: full.p99, unit: 'ms' },
      { measure: `policy poll, ${AGENTS} agents at once, all answered`, value: full.all, unit: 'ms' },
      { measure: `policy poll, ${AGENTS} agents at once, 304 by ETag: p50`, value: cached.p50, unit: 'ms' },
      { measure: `policy poll, ${AGENTS} agents at once, 304 by ETag: p99`, value: cached.p99, unit: 'ms' },
    ];
  } finally {
    await site.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
