/**
 * `npm run bench`: runs every benchmark in bench/, prints a table per benchmark and writes
 * bench/results/<name>.json. Each figure is measured beside its reference in the same run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentScanBenchmark } from './agent-scan.bench.ts';
import { deploymentCreateBenchmark } from './deployment-create.ts';
import { stateIngestBenchmark } from './state-ingest.bench.ts';
import { policyPollBenchmark } from './policy-poll.bench.ts';
import { fleetEstimateBenchmark } from './fleet-estimate.bench.ts';
import { syncBenchmark } from './sync.bench.ts';
import { dpServeBenchmark } from './dp-serve.bench.ts';
import { consoleBenchmark } from './console.ts';

export interface BenchRow {
  measure: string;
  value: number;
  unit: string;
  reference?: string;
  referenceValue?: number;
  ratio?: number;
  goal?: string;
  met?: boolean;
}

const benchmarks: Array<[string, () => Promise<BenchRow[]>]> = [
  ['sync', syncBenchmark],
  ['agent-scan', agentScanBenchmark],
  ['policy-poll', policyPollBenchmark],
  ['state-ingest', stateIngestBenchmark],
  ['fleet-estimate', fleetEstimateBenchmark],
  ['deployment-create', deploymentCreateBenchmark],
  ['dp-serve', dpServeBenchmark],
  ['console', consoleBenchmark],
];
const only = process.argv[2];

for (const [name, run] of benchmarks) {
  if (only && only !== name) continue;
  process.stderr.write(`bench ${name}…\n`);
  const rows = await run();
  const file = join(new URL('.', import.meta.url).pathname, 'results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: name, at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
  printTable(name, rows);
  process.stdout.write(`(written to ${file})\n\n`);
}

function printTable(name: string, rows: BenchRow[]): void {
  const header = ['measure', 'value', 'reference', 'ratio', 'goal', 'met'];
  const cells = rows.map((r) => [
    r.measure,
    `${fmt(r.value)} ${r.unit}`,
    r.reference ? `${r.reference}: ${fmt(r.referenceValue!)} ${r.unit}` : '',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '',
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(`\n== ${name}\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${cells.map(line).join('\n')}\n`);
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
