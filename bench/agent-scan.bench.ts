import { VirtualClock } from '@patchday/core';
import { Agent } from '../packages/agent/src/agent.ts';
import { quietLog, sandboxMachine } from '../packages/cli/test/agent/agent-harness.ts';
import { createAptSandbox } from '../packages/server/test/support/apt-sandbox.ts';
import { startArchiveServer } from '../packages/server/test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite } from '../packages/server/test/site-harness.ts';
import type { BenchRow } from './run.ts';

const ROUNDS = 10;

/**
 * Issue 4: an agent's scan of the real node image against the full Debian 12 catalogue
 * (bookworm, bookworm-updates, bookworm-security), beside `apt-get -s dist-upgrade` on the same
 * status and the same indexes, both warm (apt's package cache built, the agent's metadata cached).
 */
export async function agentScanBenchmark(): Promise<BenchRow[]> {
  const mirror = await startArchiveServer(snapshotRoot);
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const site = await startTestSite('sqlite', { clock });
  const machine = sandboxMachine('bench-node-image');
  const sources = [
    { url: `${mirror.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: debianKeyring },
    { url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring },
  ];
  const apt = await createAptSandbox({ sources, arch: 'amd64', statusFile: machine.statusFile });
  try {
    for (const s of sources) await site.api('POST', '/upstreams', { name: s.url.endsWith('security') ? 'security' : 'debian', url: s.url, suites: s.suites, keyring: s.keyring });
    const run = await site.site.sync.run('bench');
    if (run.status !== 'succeeded') throw new Error(`sync failed: ${run.error}`);
    const token = (await site.api('POST', '/enrolment-tokens', { name: 'bench' })).body.token;

    const agent = new Agent({ dataDir: machine.dataDir, root: machine.root, server: site.url, enrolmentToken: token, clock, random: () => 0, log: quietLog });
    await agent.start();
    let start = performance.now();
    const first = await agent.scanNow();
    const firstMs = performance.now() - start;
    if (first.result !== 'complete') throw new Error(`scan failed: ${first.reason}`);
    const updates = agent.status().catalogue!.updates;

    const warm = await median(async () => {
      const t0 = performance.now();
      await agent.scanFor('afterInstall');
      return performance.now() - t0;
    });
    agent.stop();
    const cold = await median(async () => {
      const t0 = performance.now();
      const fresh = new Agent({ dataDir: machine.dataDir, root: machine.root, clock, random: () => 0, log: quietLog });
      await fresh.scanFor('afterInstall');
      return performance.now() - t0;
    }, 3);

    const update = await apt.update();
    if (update.errors.length) throw new Error(update.stderr);
    await apt.simulateDistUpgrade(); // builds apt's package cache: apt is warm from here on
    const aptMs = await median(async () => (await apt.simulateDistUpgrade()).ms);
    start = performance.now();

    return [
      { measure: `agent scan, warm (metadata in memory), ${updates} updates, node image, median of ${ROUNDS}`, value: warm, unit: 'ms', reference: 'apt-get -s dist-upgrade (warm cache)', referenceValue: aptMs, ratio: aptMs / warm, goal: '≥ 25× faster than apt', met: aptMs / warm >= 25 },
      { measure: 'agent scan, metadata read from its data directory (new process state), median of 3', value: cold, unit: 'ms', reference: 'apt-get -s dist-upgrade (warm cache)', referenceValue: aptMs, ratio: aptMs / cold },
      { measure: 'first online scan: full catalogue download from /up/v1, evaluate, queue', value: firstMs, unit: 'ms' },
    ];
  } finally {
    await apt.dispose();
    await site.stop();
    await mirror.close();
    machine.dispose();
  }
}

async function median(sample: () => Promise<number>, rounds = ROUNDS): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < rounds; i++) values.push(await sample());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}
