import { createHash, randomUUID } from 'node:crypto';
import {
  CatalogueDelta,
  detectionChanges,
  evaluateCatalogue,
  fetchesMetadata,
  filePathsOfRules,
  firstScanAt,
  minutesLater,
  nextScheduledScanAt,
  productOfInventory,
  scanProgressStateIds,
  scanRetryAt,
  scanTriggers,
  type CatalogueEntry,
  type ClientSettings,
  type Clock,
  type DetectionState,
  type Inventory,
  type MachineRole,
  type Random,
  type ScanTrigger,
} from '@patchday/core';
import { AgentFiles, type CatalogueCache, type Identity, type PolicyRecord, type ScanRecord } from './data-dir/agent-files.ts';
import { Outbox, type UnnumberedStateMessage } from './data-dir/outbox.ts';
import { hostnameOf, readInventory } from './machine/read-inventory.ts';
import { SiteConnection, SiteError } from './site/site-connection.ts';
import type { AgentStatus, InstallSummary, ScanSummary, SendSummary } from './agent-status.ts';
import { Enforcement } from './deployment/enforcement-loop.ts';
import { detectMachineRole } from './deployment/machine-role.ts';
import { restartDriverFor, type RestartDriver } from './deployment/restart-driver.ts';

export interface AgentLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface AgentOptions {
  dataDir: string;
  /** The machine's root (`/`, or a sandbox root). */
  root: string;
  /** The site to enrol with; only needed before the agent has registered. */
  server?: string;
  enrolmentToken?: string;
  /** The client's name; by default the root's `/etc/hostname`. */
  name?: string;
  architecture?: string;
  clock: Clock;
  random: Random;
  log: AgentLog;
  /** The zone client-local deployment times and windows are read in; the machine's own by default. */
  timeZone?: string;
  /** Server or workstation, for restart suppression (§6.5); detected under the root by default. */
  machineRole?: MachineRole;
  /** How the machine is restarted; the real reboot only for root `/`, a sandbox driver otherwise. */
  restartDriver?: RestartDriver;
}

/** At most this many messages per request to the management point. */
const BATCH_SIZE = 500;

/**
 * The agent (§5): enrols once, polls its policy, scans on schedule and on demand, and sends
 * state messages in batches. Every piece of work runs one at a time on one queue, every timer
 * reads the injected clock, and everything a restart needs is in the data directory.
 */
export class Agent {
  private readonly files: AgentFiles;
  private readonly outbox: Outbox;
  private identity: Identity | null;
  private policyRecord: PolicyRecord | null;
  private catalogue: CatalogueCache | null;
  private record: ScanRecord;
  private registration: 'unregistered' | 'pending' | 'active' = 'unregistered';
  private readonly site: SiteConnection | null;
  private readonly timers = new Map<string, () => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private stopped = false;
  private lastSend: { at: string; error: string | null } | null = null;
  private lastPolicyPoll: { at: string; error: string | null } | null = null;
  private readonly filePaths = new WeakMap<CatalogueCache, string[]>();
  private readonly enforcement: Enforcement;
  /** Enforcement has looked at the policy since this agent started: later policy changes wake it. */
  private enforcing = false;
  /** Each update's state in the last complete scan, as evaluated (before the pending-restart rule). */
  private lastStates: Map<string, DetectionState> | null = null;

  constructor(private readonly options: AgentOptions) {
    this.files = new AgentFiles(options.dataDir);
    this.outbox = new Outbox(options.dataDir);
    this.identity = this.files.readIdentity();
    this.policyRecord = this.files.readPolicy();
    this.catalogue = this.files.readCatalogue();
    this.record = this.files.readScanRecord();
    const server = this.identity?.server ?? options.server?.replace(/\/+$/, '');
    this.site = server ? new SiteConnection(server, () => this.identity?.credential ?? null) : null;
    if (this.identity && this.policyRecord) this.registration = 'active';
    this.enforcement = new Enforcement(
      {
        root: options.root,
        architecture: options.architecture,
        dataDir: options.dataDir,
        clock: options.clock,
        log: options.log,
        files: this.files,
        outbox: this.outbox,
        policy: () => this.policyRecord?.policy ?? null,
        catalogue: () => this.catalogue,
        scan: async (trigger) => {
          const summary = await this.scan(trigger);
          return summary.result === 'complete' ? { states: this.lastStates, error: null } : { states: null, error: summary.reason };
        },
        arm: (name, at, job) => this.arm(name, at, job),
      },
      {
        timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        machineRole: options.machineRole ?? detectMachineRole(options.root),
        restartDriver: options.restartDriver ?? restartDriverFor(options.root),
      },
    );
  }

  /** Registers if needed, then runs: policy polls, scans and batches on their schedules. */
  async start(): Promise<void> {
    await this.enqueue(() => this.register());
    await this.enqueue(() => this.pollPolicy());
    this.armBatchTimer();
    if (this.outbox.pendingCount() > 0) void this.enqueue(() => this.sendQueued());
    void this.enqueue(() => this.resumeEnforcement()).catch((error: unknown) => this.options.log.warn({ err: error }, 'deployment enforcement failed'));
  }

  private async resumeEnforcement(): Promise<void> {
    this.enforcing = true;
    await this.enforcement.resume();
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /** Resolves when no work is queued or running (tests advance virtual time, then wait here). */
  async idle(): Promise<void> {
    while (this.queued > 0) await this.queue;
  }

  /** §5 "scan now": a forced online scan. */
  scanNow(): Promise<ScanSummary> {
    return this.enqueue(() => this.scan('scanNow'));
  }

  /** A scan for one of the §5 triggers (deployments use the others). */
  scanFor(trigger: ScanTrigger): Promise<ScanSummary> {
    return this.enqueue(() => this.scan(trigger));
  }

  sendNow(): Promise<SendSummary> {
    return this.enqueue(() => this.sendQueued());
  }

  pollPolicyNow(): Promise<void> {
    return this.enqueue(() => this.pollPolicy());
  }

  /** `patchday agent install <deploymentId>`: download and install it now (§6.4). */
  installNow(deploymentId: string): Promise<InstallSummary> {
    return this.enqueue(() => this.enforcement.install(deploymentId));
  }

  status(): AgentStatus {
    const policy = this.policyRecord?.policy ?? null;
    return {
      clientId: this.identity?.clientId ?? null,
      name: this.identity?.name ?? null,
      server: this.identity?.server ?? this.site?.server ?? null,
      registration: this.registration,
      policy: policy && { receivedAt: this.policyRecord!.receivedAt, softwareUpdatesEnabled: policy.clientSettings.softwareUpdatesEnabled, updatePoints: policy.updatePoints.map((u) => u.url), settings: policy.clientSettings },
      lastPolicyPoll: this.lastPolicyPoll,
      catalogue: this.catalogue && { product: this.catalogue.product, architecture: this.catalogue.architecture, anchor: this.catalogue.anchor, fetchedAt: this.catalogue.fetchedAt, updates: this.catalogue.updates.length },
      lastScan: this.record.lastScan,
      nextScanAt: this.record.nextScanAt,
      retryAt: this.record.retry?.at ?? null,
      queuedMessages: this.outbox.pendingCount(),
      acknowledgedSeq: this.outbox.lastAcknowledgedSeq,
      lastSend: this.lastSend,
      enforcement: this.enforcement.status(),
    };
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.queued++;
    const run = this.queue.then(job, job);
    // The queue only orders work: a job's failure belongs to whoever awaits its promise.
    this.queue = run.finally(() => this.queued--).catch(() => undefined);
    return run;
  }

  private arm(name: string, at: Date | null, job: () => Promise<unknown>): void {
    this.timers.get(name)?.();
    this.timers.delete(name);
    if (at === null || this.stopped) return;
    this.timers.set(
      name,
      this.options.clock.at(at, () => {
        this.timers.delete(name);
        void this.enqueue(job).catch((error: unknown) => this.options.log.warn({ err: error }, `${name} failed`));
      }),
    );
  }

  private get settings(): ClientSettings | null {
    return this.policyRecord?.policy.clientSettings ?? null;
  }

  private now(): Date {
    return this.options.clock.now();
  }

  // --- enrolment and policy -------------------------------------------------------------

  private async register(): Promise<void> {
    if (this.identity) return;
    if (!this.site) throw new Error('this agent has not registered yet: give --server (and --enrol-token, or wait for approval)');
    const name = this.options.name ?? hostnameOf(this.options.root);
    if (!name) throw new Error(`no client name: give --name, or put one in ${this.options.root}/etc/hostname`);
    const response = await this.site.register(name, this.options.enrolmentToken);
    this.identity = { server: this.site.server, clientId: response.clientId, credential: response.credential, name, registeredAt: this.now().toISOString() };
    this.files.writeIdentity(this.identity);
    this.registration = response.status;
    this.options.log.info({ clientId: response.clientId, status: response.status }, response.status === 'active' ? 'enrolled' : 'registered; waiting for an administrator to approve this client');
  }

  private async pollPolicy(): Promise<void> {
    const identity = this.identity;
    if (!identity || !this.site) return;
    const at = this.now();
    try {
      const answer = await this.site.policy(identity.clientId, this.policyRecord?.etag ?? null);
      this.registration = 'active';
      this.lastPolicyPoll = { at: at.toISOString(), error: null };
      if (answer) this.applyPolicy({ policy: answer.policy, etag: answer.etag, receivedAt: at.toISOString() });
      else this.scheduleScans();
    } catch (error) {
      const message = (error as Error).message;
      this.lastPolicyPoll = { at: at.toISOString(), error: message };
      if (error instanceof SiteError && error.status === 403 && /approve/.test(message)) this.registration = 'pending';
      this.options.log.warn({ error: message }, 'policy poll failed');
      // The policy already held still rules: a restarted agent keeps its schedule while the site is away.
      if (this.policyRecord) this.scheduleScans();
    }
    const minutes = this.settings?.policyPollingMinutes ?? 60;
    this.arm('policy', minutesLater(at, minutes), () => this.pollPolicy());
  }

  private applyPolicy(record: PolicyRecord): void {
    const before = this.settings;
    const beforePolicy = this.policyRecord?.policy ?? null;
    this.policyRecord = record;
    this.files.writePolicy(record);
    const settings = record.policy.clientSettings;
    const enabled = settings.softwareUpdatesEnabled && record.policy.updatePoints.length > 0;
    if (!enabled) {
      this.record = { ...this.record, nextScanAt: null, retry: null };
    } else if (this.record.nextScanAt === null) {
      // §5: the first scan at a random time within 2 h of receiving policy.
      this.record = { ...this.record, nextScanAt: firstScanAt(new Date(record.receivedAt), settings, this.options.random).toISOString() };
    } else if (before && (before.scanScheduleDays !== settings.scanScheduleDays || before.scanRandomisationMinutes !== settings.scanRandomisationMinutes) && this.record.lastScheduledScanAt) {
      this.record = { ...this.record, nextScanAt: nextScheduledScanAt(new Date(this.record.lastScheduledScanAt), settings, this.options.random).toISOString() };
    }
    if (this.updatePointIndexOutOfRange()) this.record = { ...this.record, updatePointIndex: 0, failedAttempts: 0 };
    this.files.writeScanRecord(this.record);
    if (before?.stateMessageBatchMinutes !== settings.stateMessageBatchMinutes) this.armBatchTimer();
    this.scheduleScans();
    if (this.enforcing && this.enforcement.policyChanged(beforePolicy, record.policy)) {
      void this.enqueue(() => this.enforcement.evaluate('beforeDownload')).catch((error: unknown) => this.options.log.warn({ err: error }, 'deployment enforcement failed'));
    }
    this.options.log.info({ softwareUpdatesEnabled: enabled, nextScanAt: this.record.nextScanAt }, 'policy received');
  }

  private updatePointIndexOutOfRange(): boolean {
    const count = this.policyRecord?.policy.updatePoints.length ?? 0;
    return count > 0 && this.record.updatePointIndex >= count;
  }

  private scheduleScans(): void {
    const next = this.record.nextScanAt;
    this.arm('scan', next === null ? null : new Date(next), () => this.scheduledScan());
    const retry = this.record.retry;
    this.arm('retry', retry === null ? null : new Date(retry.at), () => this.scan(retry!.trigger as ScanTrigger, true));
  }

  private async scheduledScan(): Promise<ScanSummary> {
    const settings = this.settings;
    const planned = this.record.nextScanAt ? new Date(this.record.nextScanAt) : this.now();
    if (settings) {
      this.record = { ...this.record, lastScheduledScanAt: planned.toISOString(), nextScanAt: nextScheduledScanAt(planned, settings, this.options.random).toISOString() };
      this.files.writeScanRecord(this.record);
    }
    const summary = await this.scan('schedule');
    this.scheduleScans();
    return summary;
  }

  // --- scanning ---------------------------------------------------------------------------

  private async scan(trigger: ScanTrigger, isRetry = false): Promise<ScanSummary> {
    const kind = scanTriggers[trigger];
    const policy = this.policyRecord?.policy;
    const startedAt = this.now();
    const scanId = randomUUID();
    if (!this.identity || !policy) return { scanId: null, trigger, result: 'skipped', reason: 'no policy yet: the agent has not reached its site', counts: {}, messages: 0 };
    if (!policy.clientSettings.softwareUpdatesEnabled || policy.updatePoints.length === 0) {
      return { scanId: null, trigger, result: 'skipped', reason: 'software updates are disabled for this client', counts: {}, messages: 0 };
    }
    if (!isRetry && this.record.retry) {
      // A scan that runs now replaces the retry that was waiting.
      this.record = { ...this.record, retry: null };
      this.arm('retry', null, async () => undefined);
    }
    const progress = (stateId: number, extra: { product?: string | null; anchor?: number | null; error?: string | null } = {}): UnnumberedStateMessage => ({
      topic: 501,
      stateId,
      scanId,
      time: this.now().toISOString(),
      product: extra.product ?? null,
      anchor: extra.anchor ?? null,
      error: extra.error ?? null,
    });

    let inventory: Inventory;
    let product: string | null;
    try {
      inventory = readInventory({ root: this.options.root, architecture: this.options.architecture });
      product = productOfInventory(inventory);
      if (product === null) throw new Error(`the catalogue has no product for this machine (os-release ID ${inventory.os.family}, VERSION_ID ${inventory.os.versionId ?? 'none'})`);
      if (inventory.os.architecture === null) throw new Error('the machine has no dpkg architecture (no dpkg package in its status); give --architecture');
    } catch (error) {
      return this.finishFailed(scanId, trigger, startedAt, progress, (error as Error).message, false);
    }

    if (kind.online) await this.uploadInventory(inventory);

    const settings = policy.clientSettings;
    const cache = this.catalogue && this.catalogue.product === product && this.catalogue.architecture === inventory.os.architecture ? this.catalogue : null;
    let catalogue = cache;
    if (fetchesMetadata(kind, cache && { fetchedAt: new Date(cache.fetchedAt) }, startedAt, settings.metadataTtlHours)) {
      const updatePoint = policy.updatePoints[this.record.updatePointIndex % policy.updatePoints.length].url;
      try {
        catalogue = await this.fetchCatalogue(updatePoint, product, inventory.os.architecture, cache);
      } catch (error) {
        return this.finishFailed(scanId, trigger, startedAt, progress, `${updatePoint}: ${(error as Error).message}`, true);
      }
    } else if (catalogue === null) {
      return this.finishFailed(scanId, trigger, startedAt, progress, 'an offline scan needs catalogue metadata, and none is cached yet', false);
    }

    const filePaths = this.filePathsOf(catalogue!);
    if (filePaths.length > 0) inventory = readInventory({ root: this.options.root, architecture: this.options.architecture, files: filePaths });
    const evaluated = evaluateCatalogue(catalogue!.updates, inventory);
    this.lastStates = new Map(catalogue!.updates.map((e, i) => [e.updateId, evaluated[i]]));
    // §4/§6.5: an update installed but waiting for its restart is still Required until the restart.
    const awaitingRestart = this.enforcement.awaitingRestart();
    const states = awaitingRestart.size === 0 ? evaluated : evaluated.map((s, i) => (s === 'Installed' && awaitingRestart.has(catalogue!.updates[i].updateId) ? 'Required' : s));
    const previous = new Map(Object.entries(this.record.reported));
    const changes = detectionChanges(previous, catalogue!.updates, states);
    const time = this.now().toISOString();
    const messages: UnnumberedStateMessage[] = [
      { ...progress(scanProgressStateIds.running), time: startedAt.toISOString() },
      ...changes.map((c): UnnumberedStateMessage => ({ topic: 500, stateId: c.stateId, updateId: c.updateId, revision: c.revision, time })),
      progress(scanProgressStateIds.complete, { product, anchor: catalogue!.anchor }),
    ];
    // Queued first: a crash before the record is written only repeats these messages next scan.
    this.outbox.enqueue(messages);
    const reported = { ...this.record.reported };
    for (const c of changes) reported[c.updateId] = { stateId: c.stateId, revision: c.revision };
    const counts = countStates(states);
    this.record = {
      ...this.record,
      reported,
      failedAttempts: 0,
      retry: null,
      lastScan: { scanId, trigger, startedAt: startedAt.toISOString(), finishedAt: time, result: 'complete', anchor: catalogue!.anchor, counts, error: null },
    };
    this.files.writeScanRecord(this.record);
    this.options.log.info({ scanId, trigger, anchor: catalogue!.anchor, counts, changes: changes.length }, 'scan complete');
    return { scanId, trigger, result: 'complete', reason: null, counts, messages: messages.length };
  }

  private finishFailed(
    scanId: string,
    trigger: ScanTrigger,
    startedAt: Date,
    progress: (stateId: number, extra?: { error?: string | null }) => UnnumberedStateMessage,
    error: string,
    retryable: boolean,
  ): ScanSummary {
    const settings = this.settings!;
    const points = this.policyRecord!.policy.updatePoints.length;
    let { failedAttempts, updatePointIndex } = this.record;
    let retry: ScanRecord['retry'] = null;
    let result: 'failed' | 'pending retry' = 'failed';
    if (retryable) {
      failedAttempts++;
      // §12: retry every 30 minutes, at least 4 times, then try the next update point; after the
      // last one, give up until the schedule comes round.
      if (failedAttempts > settings.scanRetries) {
        failedAttempts = 0;
        updatePointIndex++;
      }
      if (updatePointIndex < points) {
        retry = { at: scanRetryAt(this.now(), settings).toISOString(), trigger };
        result = 'pending retry';
      } else {
        updatePointIndex = 0;
      }
    }
    const stateId = result === 'pending retry' ? scanProgressStateIds.pendingRetry : scanProgressStateIds.failed;
    this.outbox.enqueue([{ ...progress(scanProgressStateIds.running), time: startedAt.toISOString() }, progress(stateId, { error })]);
    this.record = {
      ...this.record,
      failedAttempts,
      updatePointIndex,
      retry,
      lastScan: { scanId, trigger, startedAt: startedAt.toISOString(), finishedAt: this.now().toISOString(), result, anchor: null, counts: {}, error },
    };
    this.files.writeScanRecord(this.record);
    this.scheduleScans();
    this.options.log.warn({ scanId, trigger, error, retryAt: retry?.at ?? null }, result === 'pending retry' ? 'scan failed; will retry' : 'scan failed');
    return { scanId, trigger, result, reason: error, counts: {}, messages: 2 };
  }

  private async fetchCatalogue(updatePoint: string, product: string, architecture: string, cache: CatalogueCache | null): Promise<CatalogueCache> {
    const since = cache && cache.source === updatePoint ? cache.anchor : 0;
    const delta: CatalogueDelta = await this.site!.catalogue(updatePoint, { product, architecture, since });
    let updates: CatalogueEntry[];
    if (delta.complete || since === 0 || cache === null) {
      updates = delta.updates;
    } else {
      const byId = new Map(cache.updates.map((u) => [u.updateId, u]));
      for (const u of delta.updates) byId.set(u.updateId, u);
      updates = [...byId.values()];
    }
    const next: CatalogueCache = { product, architecture, source: updatePoint, anchor: delta.anchor, fetchedAt: this.now().toISOString(), updates };
    if (!cache || delta.updates.length > 0 || delta.complete || cache.anchor !== delta.anchor || cache.source !== updatePoint) this.files.writeCatalogue(next);
    else this.files.writeCatalogue({ ...cache, fetchedAt: next.fetchedAt });
    this.catalogue = next;
    return next;
  }

  /** The site estimates compliance from the last inventory; send it when it changed. */
  private async uploadInventory(inventory: Inventory): Promise<void> {
    const sha = createHash('sha256').update(JSON.stringify(inventory)).digest('hex');
    if (sha === this.record.inventorySha256) return;
    try {
      await this.site!.putInventory(this.identity!.clientId, inventory);
      this.record = { ...this.record, inventorySha256: sha };
      this.files.writeScanRecord(this.record);
    } catch (error) {
      this.options.log.warn({ error: (error as Error).message }, 'inventory upload failed; the scan goes on');
    }
  }

  /** Paths `file` conditions ask about, walked once per catalogue version. */
  private filePathsOf(catalogue: CatalogueCache): string[] {
    let paths = this.filePaths.get(catalogue);
    if (paths === undefined) this.filePaths.set(catalogue, (paths = filePathsOfRules(catalogue.updates.map((u) => u.applicability))));
    return paths;
  }

  // --- state messages ---------------------------------------------------------------------

  /** Batches go out on a fixed cadence from `from`, however long each send takes. */
  private armBatchTimer(from = this.now()): void {
    const minutes = this.settings?.stateMessageBatchMinutes ?? 15;
    const at = minutesLater(from, minutes);
    this.arm('batch', at, async () => {
      await this.sendQueued();
      this.armBatchTimer(at);
    });
  }

  private async sendQueued(): Promise<SendSummary> {
    const at = this.now().toISOString();
    let sent = 0;
    let duplicates = 0;
    if (!this.identity || !this.site) return { sent, duplicates, remaining: this.outbox.pendingCount(), error: 'not registered' };
    try {
      for (;;) {
        const batch = this.outbox.pending(BATCH_SIZE);
        if (batch.length === 0) break;
        let ack;
        try {
          ack = await this.site.sendStateMessages(this.identity.clientId, batch);
        } catch (error) {
          if (!(error instanceof SiteError) || (error.status !== 400 && error.status !== 413)) throw error;
          this.outbox.setAside(batch, error.message);
          this.options.log.warn({ error: error.message, messages: batch.length }, 'the site refused a batch of state messages; set aside in outbox-refused/');
          continue;
        }
        this.outbox.acknowledge(ack.acknowledgedSeq);
        sent += ack.stored;
        duplicates += ack.duplicates;
        if (ack.acknowledgedSeq < batch[batch.length - 1].seq) throw new Error(`the site acknowledged only up to ${ack.acknowledgedSeq}`);
      }
      this.lastSend = { at, error: null };
      return { sent, duplicates, remaining: 0, error: null };
    } catch (error) {
      const message = (error as Error).message;
      this.lastSend = { at, error: message };
      this.options.log.warn({ error: message }, 'sending state messages failed; they stay queued');
      return { sent, duplicates, remaining: this.outbox.pendingCount(), error: message };
    }
  }
}

function countStates(states: readonly DetectionState[]): Record<string, number> {
  const counts: Record<string, number> = { Required: 0, Installed: 0, 'Not Required': 0, Unknown: 0 };
  for (const state of states) counts[state]++;
  return counts;
}
