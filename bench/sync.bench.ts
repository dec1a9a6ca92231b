import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAptSandbox } from '../packages/server/test/support/apt-sandbox.ts';
import { startArchiveServer } from '../packages/server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot } from '../packages/server/test/site-harness.ts';
import { createTestDatabase } from '../packages/server/test/stores.ts';
import type { BenchRow } from './run.ts';
import { startSiteProcess, syncAndWait } from './lib/site-process.ts';

const mainSuites = ['bookworm', 'bookworm-updates', 'trixie', 'trixie-updates'];
const securitySuites = ['bookworm-security', 'trixie-security'];
const ROUNDS = 2;

/**
 * Issue 3's figures: a full first sync of the six suites against `apt-get update` of the same
 * suites from the same local mirror, against plain `xz -dc` of the same indexes; the no-op
 * resync; the server's peak RSS. Best of ROUNDS for every side.
 */
export async function syncBenchmark(): Promise<BenchRow[]> {
  const mirror = await startArchiveServer(snapshotRoot);
  try {
    const aptMs = await best(async () => {
      const sandbox = await createAptSandbox({
        sources: [
          { url: `${mirror.url}/debian`, suites: mainSuites, keyring: debianKeyring },
          { url: `${mirror.url}/debian-security`, suites: securitySuites, keyring: debianKeyring },
        ],
      });
      try {
        return (await sandbox.update()).ms;
      } finally {
        await sandbox.dispose();
      }
    });

    const indexes = [...mainSuites.map((s) => `debian/dists/${s}`), ...securitySuites.map((s) => `debian-security/dists/${s}`)].map((d) => join(snapshotRoot, d, 'main/binary-amd64/Packages.xz'));
    const xzMs = await best(async () => {
      const start = performance.now();
      const r = spawnSync('sh', ['-c', 'xz -dc "$@" > /dev/null', 'xz', ...indexes]);
      if (r.status !== 0) throw new Error(`xz failed: ${r.stderr}`);
      return performance.now() - start;
    });

    const sqlite = await measureSite(mirror.url, undefined);
    const pg = await measureSite(mirror.url, 'postgres');

    return [
      { measure: 'full first sync, 6 suites, SQLite', value: sqlite.firstMs, unit: 'ms', reference: 'apt-get update', referenceValue: aptMs, ratio: sqlite.firstMs / aptMs, goal: '≤ 0.8× apt', met: sqlite.firstMs / aptMs <= 0.8 },
      { measure: 'full first sync, 6 suites, SQLite', value: sqlite.firstMs, unit: 'ms', reference: 'xz -dc of the 6 indexes', referenceValue: xzMs, ratio: sqlite.firstMs / xzMs, goal: '≤ 2× xz -dc', met: sqlite.firstMs / xzMs <= 2 },
      { measure: 'full first sync, 6 suites, PostgreSQL', value: pg.firstMs, unit: 'ms', reference: 'apt-get update', referenceValue: aptMs, ratio: pg.firstMs / aptMs },
      { measure: 'updates in the catalogue after the sync', value: sqlite.updates, unit: 'updates' },
      { measure: 'no-op resync (nothing changed), SQLite, median of 5', value: sqlite.noopMs, unit: 'ms', goal: '≤ 50 ms', met: sqlite.noopMs <= 50 },
      { measure: 'no-op resync (nothing changed), PostgreSQL, median of 5', value: pg.noopMs, unit: 'ms', goal: '≤ 50 ms', met: pg.noopMs <= 50 },
      { measure: 'server peak RSS during the full sync, SQLite', value: sqlite.peakRssMb, unit: 'MB', goal: '≤ 400 MB', met: sqlite.peakRssMb <= 400 },
      { measure: 'server peak RSS during the full sync, PostgreSQL', value: pg.peakRssMb, unit: 'MB', goal: '≤ 400 MB', met: pg.peakRssMb <= 400 },
    ];
  } finally {
    await mirror.close();
  }
}

async function measureSite(mirrorUrl: string, store: 'postgres' | undefined) {
  let firstMs = Infinity;
  let noopMs = Infinity;
  let peakRssMb = 0;
  let updates = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'patchday-bench-'));
    const database = store ? await createTestDatabase(store) : undefined;
    const site = await startSiteProcess(dataDir, database?.url);
    try {
      // Stale metadata accepted so the benchmark gives the same answer after the snapshot's Valid-Until.
      await site.api('POST', '/upstreams', { name: 'debian', url: `${mirrorUrl}/debian`, suites: mainSuites, keyring: debianKeyring, allowStale: true });
      await site.api('POST', '/upstreams', { name: 'security', url: `${mirrorUrl}/debian-security`, suites: securitySuites, keyring: debianKeyring, allowStale: true });
      const first = await syncAndWait(site);
      if (first.run.status !== 'succeeded') throw new Error(`sync failed: ${first.run.error}`);
      firstMs = Math.min(firstMs, first.ms);
      peakRssMb = Math.max(peakRssMb, site.peakRssMb());
      updates = (await site.api('GET', '/updates?pageSize=1')).total;
      const noops: number[] = [];
      for (let i = 0; i < 5; i++) noops.push((await syncAndWait(site)).ms);
      noops.sort((a, b) => a - b);
      noopMs = Math.min(noopMs, noops[2]);
    } finally {
      await site.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { firstMs, noopMs, peakRssMb, updates };
}

async function best(measure: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < ROUNDS; i++) min = Math.min(min, await measure());
  return min;
}
