import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DistributionPointWithCredential, PackageDistribution } from '@patchday/core';
import { contentTokenFor } from '../packages/server/src/distribution/policy-distribution.ts';
import { openStore } from '../packages/server/src/store/open-store.ts';
import { addStoredPackage, randomFile } from '../packages/server/test/support/distribution-fixture.ts';
import { startSiteProcess } from './lib/site-process.ts';
import type { BenchRow } from './run.ts';

const FILE_MB = 100;
const DOWNLOADS = 200;
const GOAL = 0.8;
const ROUNDS = 3;
const cli = new URL('../packages/cli/bin/patchday.js', import.meta.url).pathname;

/**
 * Issue 5: one 100 MB file downloaded 200 times at once over 127.0.0.1 — from a `patchday dp`
 * process, from the site's own distribution point (`patchday server`), and from nginx (sendfile
 * on, access log off) serving the very same file in the same run. The client is the same for all
 * three: raw HTTP/1.1 over one socket per download, counting the body and discarding it. Beside
 * the throughput, the CPU time each server spent per GB: on a shared machine that is the steadier
 * figure.
 */
export async function dpServeBenchmark(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'patchday-bench-dp-'));
  const siteDir = join(work, 'site');
  const dpDir = join(work, 'dp');
  const site = await startSiteProcess(siteDir);
  let dp: ChildProcess | null = null;
  let nginx: ChildProcess | null = null;
  try {
    // The file, as a package whose content the site's library holds (rows written as the packages service does).
    const store = await openStore(join(siteDir, 'patchday.sqlite'));
    const file = randomFile(FILE_MB * 1024 * 1024);
    const pkg = await addStoredPackage(store, siteDir, 'bench', [file]);
    const token = await contentTokenFor(store.db, randomUUID(), new Date());
    await store.close();

    const dpPort = await freePort();
    const added: DistributionPointWithCredential = await site.api('POST', '/distribution-points', { name: 'bench-dp', url: `http://127.0.0.1:${dpPort}` });
    const { distributionPoints } = await site.api('GET', '/distribution-points');
    await site.api('POST', `/packages/${pkg.packageId}/distribute`, { dpIds: distributionPoints.map((d: { dpId: string }) => d.dpId) });
    dp = await startProcess(process.execPath, [cli, 'dp', '--site', site.url, '--credential', added.credential, '--data', dpDir, '--port', String(dpPort), '--poll-seconds', '1'], /listening on/);
    for (;;) {
      const d: PackageDistribution = await site.api('GET', `/packages/${pkg.packageId}/distribution`);
      if (d.distributionPoints.every((s) => s.state === 'installed')) break;
      if (d.distributionPoints.some((s) => s.state === 'failed')) throw new Error(`distribution failed: ${JSON.stringify(d.distributionPoints)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const dpLibraryFile = join(dpDir, 'content', 'sha256', file.sha256.slice(0, 2), file.sha256);
    const nginxPort = await freePort();
    nginx = await startNginx(join(work, 'nginx'), nginxPort, dirname(dpLibraryFile));

    const targets = {
      nginx: { port: nginxPort, path: `/dp/v1/content/${file.sha256}` },
      dp: { port: dpPort, path: `/dp/v1/content/${file.sha256}` },
      site: { port: Number(new URL(site.url).port), path: `/dp/v1/content/${file.sha256}` },
    };
    // Each once, checked whole: what is measured is the right file, and it is in the page cache.
    for (const [name, t] of Object.entries(targets)) {
      const sha = await download(t.port, t.path, token, file.size, true);
      if (sha !== file.sha256) throw new Error(`${name} served other bytes (${sha})`);
    }
    const servers = { nginx: nginx.pid!, dp: dp.pid!, site: site.child.pid! };
    const measure = async (name: keyof typeof targets) => {
      const cpuBefore = cpuSeconds(servers[name]);
      const start = performance.now();
      await Promise.all(Array.from({ length: DOWNLOADS }, () => download(targets[name].port, targets[name].path, token, file.size, false)));
      const seconds = (performance.now() - start) / 1000;
      const gigabytes = (DOWNLOADS * FILE_MB) / 1024;
      return { mbPerSecond: (DOWNLOADS * FILE_MB) / seconds, cpuPerGb: (cpuSeconds(servers[name]) - cpuBefore) / gigabytes };
    };
    // The machine is shared: the three take turns, three rounds, and each keeps its median.
    const runs: Record<keyof typeof targets, Array<Awaited<ReturnType<typeof measure>>>> = { nginx: [], dp: [], site: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['nginx', 'dp', 'site'] as const) runs[name].push(await measure(name));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const mbps = (name: keyof typeof targets) => median(runs[name].map((r) => r.mbPerSecond));
    const cpu = (name: keyof typeof targets) => median(runs[name].map((r) => r.cpuPerGb));
    const nginxMbps = mbps('nginx');
    const row = (measure: string, value: number): BenchRow => ({
      measure,
      value,
      unit: 'MB/s',
      reference: 'nginx',
      referenceValue: nginxMbps,
      ratio: value / nginxMbps,
      goal: `≥ ${GOAL}× nginx`,
      met: value / nginxMbps >= GOAL,
    });
    const cpuRow = (measure: string, name: keyof typeof targets): BenchRow => ({ measure, value: cpu(name), unit: 'CPU s/GB', reference: 'nginx', referenceValue: cpu('nginx'), ratio: cpu(name) / cpu('nginx') });
    return [
      row(`${DOWNLOADS} concurrent downloads of one ${FILE_MB} MB file, patchday dp process (median of ${ROUNDS})`, mbps('dp')),
      row(`${DOWNLOADS} concurrent downloads of one ${FILE_MB} MB file, the site's own distribution point (median of ${ROUNDS})`, mbps('site')),
      cpuRow('server CPU time per GB served, patchday dp process (all its processes)', 'dp'),
      cpuRow("server CPU time per GB served, the site's own distribution point", 'site'),
      { measure: 'machine load average (1 min) at the end of the run', value: loadavg()[0], unit: `on ${cpus().length} CPUs` },
    ];
  } finally {
    await stop(nginx, 'SIGQUIT');
    await stop(dp, 'SIGTERM');
    await site.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** CPU time (user + system) a process and its descendants have used so far, in seconds. */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    } catch {
      // gone meanwhile
    }
  };
  visit(pid);
  return ticks / 100;
}

/**
 * One download over its own socket (`Connection: close`): the status line is checked, the body
 * counted (and hashed when asked) and discarded.
 */
function download(port: number, path: string, token: string, size: number, hash: boolean): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const digest = hash ? createHash('sha256') : null;
    let head: Buffer | null = Buffer.alloc(0);
    let body = 0;
    const finish = () => {
      socket.destroy();
      if (body !== size) return reject(new Error(`got ${body} of ${size} bytes from port ${port}`));
      resolve(digest ? digest.digest('hex') : null);
    };
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!/^HTTP\/1\.1 200 /.test(status)) return reject(new Error(`port ${port}: ${status}`));
        chunk = head.subarray(end + 4);
        head = null;
      }
      body += chunk.length;
      digest?.update(chunk);
      if (body >= size) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
  });
}

async function startNginx(dir: string, port: number, root: string): Promise<ChildProcess> {
  if (spawnSync('nginx', ['-v']).error) throw new Error('nginx is needed for this benchmark: apt-get install -y nginx');
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const config = join(dir, 'nginx.conf');
  writeFileSync(
    config,
    [
      // The library's directories belong to this user; nginx's workers read as it too.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes auto;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  keepalive_timeout 65;',
      '  default_type application/octet-stream;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, 'temp', t)};`),
      `  server { listen 127.0.0.1:${port}; location /dp/v1/content/ { alias ${root}/; } }`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn('nginx', ['-c', config, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const end = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    if (await portOpen(port)) return child;
    if (Date.now() > end) throw new Error('nginx did not start listening');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function startProcess(command: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PATCHDAY_LOG_LEVEL: process.env.PATCHDAY_BENCH_LOG ?? 'warn' } });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args[1] ?? command} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (ready.test(line)) resolve();
    });
  });
  return child;
}

async function stop(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
