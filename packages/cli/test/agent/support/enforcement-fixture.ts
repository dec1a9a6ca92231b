import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CatalogueEntry, ClientPolicy, ClientSettings, DeploymentAssignment, MaintenanceWindow, MachineRole, StateMessage } from '@patchday/core';
import { VirtualClock } from '@patchday/core';
import { Agent } from '../../../../agent/src/agent.ts';
import { AgentFiles } from '../../../../agent/src/data-dir/agent-files.ts';
import { Outbox } from '../../../../agent/src/data-dir/outbox.ts';
import { SandboxRestartDriver } from '../../../../agent/src/deployment/restart-driver.ts';
import { ContentServer } from '../../../../agent/test/support/content-server.ts';
import type { BuiltDeb } from '../../../../server/test/support/deb-archive.ts';
import { fixedRandom, quietLog } from '../agent-harness.ts';
import { DpkgSandbox } from './dpkg-sandbox.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** No site is contacted: its address refuses connections, so the agent runs on the policy and catalogue it holds. */
const UNREACHABLE = 'http://127.0.0.1:9';
const UPDATE_POINT = `${UNREACHABLE}/up/v1`;

export const testSettings: ClientSettings = {
  softwareUpdatesEnabled: true,
  policyPollingMinutes: 60,
  firstScanWithinMinutes: 120,
  scanScheduleDays: 7,
  scanRandomisationMinutes: 120,
  deploymentReevaluationDays: 7,
  // The catalogue written by the test stays fresh: non-forced online scans never need the update point.
  metadataTtlHours: 24 * 365 * 10,
  stateMessageBatchMinutes: 15,
  scanRetryMinutes: 30,
  scanRetries: 4,
  cacheMaximumMb: 5120,
  cacheMinimumAgeMinutes: 1440,
  restartCountdownMinutes: 90,
  restartFinalCountdownMinutes: 15,
  restartReminderMinutes: 240,
};

export function assignment(updates: ReadonlyArray<{ updateId: string; maxRunMinutes?: number }>, a: Partial<DeploymentAssignment> = {}): DeploymentAssignment {
  return {
    deploymentId: randomUUID(),
    name: 'December security updates',
    purpose: 'required',
    timeBasis: 'utc',
    availableAt: '2026-12-01T08:00Z',
    deadlineAt: '2026-12-08T22:00Z',
    restartSuppression: 'none',
    installOutsideWindows: false,
    restartOutsideWindows: true,
    reportOnly: false,
    updates: updates.map((u) => ({ updateId: u.updateId, maxRunMinutes: u.maxRunMinutes ?? 60, handler: { kind: 'dpkg' as const } })),
    ...a,
  };
}

/**
 * One managed machine for enforcement tests: a sandbox root with real packages, an agent on a
 * virtual clock holding a policy and a catalogue written by the test, and two distribution
 * points on 127.0.0.1 — the first holds nothing, so every file comes by fallback from the second.
 */
export class EnforcementFixture {
  readonly box = new DpkgSandbox();
  readonly files = new AgentFiles(this.box.dataDir);
  readonly restarts = new SandboxRestartDriver(this.box.root);
  readonly dp1 = new ContentServer('dp-token');
  readonly dp2 = new ContentServer('dp-token');
  agent: Agent | null = null;
  /** With `serveManagementPoint`: the policy its management point hands out, and how often it was asked. */
  servedPolicy: ClientPolicy | null = null;
  policyPolls = 0;
  private managementPoint: Server | null = null;

  constructor(
    readonly clock: VirtualClock,
    readonly options: { timeZone?: string; machineRole?: MachineRole } = {},
  ) {}

  async start(): Promise<this> {
    await this.dp1.start();
    await this.dp2.start();
    this.files.writeIdentity({ server: UNREACHABLE, clientId: randomUUID(), credential: 'pdc_test', name: 'sandbox-1', registeredAt: this.clock.now().toISOString() });
    return this;
  }

  /**
   * A management point on 127.0.0.1 that answers this client's policy polls with `servedPolicy`
   * (the contract's ETag/304) and refuses everything else, so messages stay queued for the test.
   */
  async serveManagementPoint(): Promise<void> {
    this.managementPoint = createServer((req, res) => {
      const identity = this.files.readIdentity()!;
      if (req.url !== `/mp/v1/clients/${identity.clientId}/policy` || !this.servedPolicy) return void res.writeHead(503).end();
      this.policyPolls++;
      const body = JSON.stringify(this.servedPolicy);
      const etag = `"${body.length}-${[...body].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
    });
    await new Promise<void>((resolve) => this.managementPoint!.listen(0, '127.0.0.1', resolve));
    const identity = this.files.readIdentity()!;
    this.files.writeIdentity({ ...identity, server: `http://127.0.0.1:${(this.managementPoint.address() as AddressInfo).port}` });
  }

  /** The DP serves these packages' files. */
  serve(debs: readonly BuiltDeb[]): void {
    for (const d of debs) this.dp2.holdFile(d.path);
  }

  writePolicy(assignments: DeploymentAssignment[], extra: { maintenanceWindows?: MaintenanceWindow[]; clientSettings?: Partial<ClientSettings> } = {}): void {
    const policy: ClientPolicy = {
      clientId: this.files.readIdentity()!.clientId,
      clientSettings: { ...testSettings, ...extra.clientSettings },
      updatePoints: [{ url: UPDATE_POINT }],
      distributionPoints: [
        { dpId: randomUUID(), name: 'dp-empty', url: this.dp1.url },
        { dpId: randomUUID(), name: 'dp-full', url: this.dp2.url },
      ],
      contentToken: 'dp-token',
      maintenanceWindows: extra.maintenanceWindows ?? [],
      assignments,
    };
    this.servedPolicy = policy;
    if (this.managementPoint) return;
    this.files.writePolicy({ policy, etag: null, receivedAt: this.clock.now().toISOString() });
    // The first scan of the schedule is far off: only enforcement scans in these tests.
    const scan = this.files.readScanRecord();
    this.files.writeScanRecord({ ...scan, nextScanAt: scan.nextScanAt ?? '2027-06-01T00:00:00.000Z' });
  }

  writeCatalogue(entries: CatalogueEntry[]): void {
    this.files.writeCatalogue({ product: 'Debian 12', architecture: 'amd64', source: UPDATE_POINT, anchor: 1, fetchedAt: this.clock.now().toISOString(), updates: entries });
  }

  /** A fresh agent process over the same data directory and root. */
  newAgent(): Agent {
    this.agent?.stop();
    this.agent = new Agent({
      dataDir: this.box.dataDir,
      root: this.box.root,
      architecture: 'amd64',
      clock: this.clock,
      random: fixedRandom(0.5),
      log: quietLog,
      timeZone: this.options.timeZone ?? 'UTC',
      machineRole: this.options.machineRole ?? 'server',
    });
    return this.agent;
  }

  async startAgent(): Promise<Agent> {
    const agent = this.newAgent();
    await agent.start();
    await agent.idle();
    return agent;
  }

  /** Moves virtual time forward, letting the agent finish what each timer started. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(new Date(this.clock.now().getTime() + ms));
  }

  async runUntil(end: Date): Promise<void> {
    for (;;) {
      await this.agent?.idle();
      const next = this.clock.pending().find((d) => d.getTime() <= end.getTime());
      if (!next) break;
      this.clock.advanceTo(next.getTime() < this.clock.now().getTime() ? this.clock.now() : next);
    }
    this.clock.advanceTo(end);
    await this.agent?.idle();
  }

  /** Every message queued so far (nothing is sent: the site is unreachable). */
  messages(): StateMessage[] {
    return new Outbox(this.box.dataDir).pending();
  }

  /** Deployment messages as `topic/state[:update]`, for one deployment, in order. */
  deploymentMessages(deploymentId: string, names: Record<string, string> = {}): string[] {
    return this.messages()
      .filter((m) => (m.topic === 300 || m.topic === 301 || m.topic === 302) && m.deploymentId === deploymentId)
      .map((m) => `${m.topic}/${m.stateId}${m.topic === 301 && m.updateId ? `:${names[m.updateId] ?? m.updateId}` : ''}`);
  }

  /** Topic 500 messages for one update, as state ids. */
  detections(updateId: string): number[] {
    return this.messages()
      .filter((m) => m.topic === 500 && m.updateId === updateId)
      .map((m) => m.stateId);
  }

  async dispose(): Promise<void> {
    this.agent?.stop();
    this.managementPoint?.closeAllConnections();
    this.managementPoint?.close();
    await this.dp1.close();
    await this.dp2.close();
    this.box.dispose();
  }
}
