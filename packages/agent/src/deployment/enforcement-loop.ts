import {
  assignmentTimes,
  binariesLeftUnfinished,
  binariesToInstall,
  deploymentComplianceStateIds,
  enforcementStateIds,
  evaluationStateIds,
  isCompliant,
  mayStartNow,
  planAssignment,
  planRestart,
  restartCountdown,
  restartSuppressed,
  type AssignedUpdate,
  type AssignmentTimes,
  type CatalogueEntry,
  type ClientPolicy,
  type Clock,
  type DeploymentAssignment,
  type DetectionState,
  type EnforcementPlan,
  type Inventory,
  type MachineRole,
  type RestartNeed,
  type RestartPlan,
  type ScanTrigger,
  type UpdateBinary,
} from '@patchday/core';
import type { AgentLog } from '../agent.ts';
import type { DeploymentsStatus, InstallSummary, RestartStatus } from '../agent-status.ts';
import type { AgentFiles, CatalogueCache, DeploymentRecord, DeploymentView, EnforcementRecord } from '../data-dir/agent-files.ts';
import type { Outbox, UnnumberedStateMessage } from '../data-dir/outbox.ts';
import { readInventory } from '../machine/read-inventory.ts';
import { ContentCache } from './content-cache.ts';
import { downloadToCache, type ContentFile } from './downloader.ts';
import { finishInterruptedDpkg, installWithDpkg, restartRequiredUnder, type InstallOutcome } from './dpkg-handler.ts';
import type { RestartDriver } from './restart-driver.ts';
import { runInstallScript } from './script-handler.ts';

/** What enforcement needs of the agent: its data, its scans and its timers. */
export interface EnforcementHost {
  readonly root: string;
  readonly architecture?: string;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log: AgentLog;
  readonly files: AgentFiles;
  readonly outbox: Outbox;
  policy(): ClientPolicy | null;
  catalogue(): CatalogueCache | null;
  /** A scan for the trigger, run in the agent's queue; `states` is null when it did not complete. */
  scan(trigger: ScanTrigger): Promise<{ states: ReadonlyMap<string, DetectionState> | null; error: string | null }>;
  /** A timer on the agent's clock whose job runs on the agent's queue. */
  arm(name: string, at: Date | null, job: () => Promise<unknown>): void;
}

export interface EnforcementOptions {
  /** The zone client-local deployment times and windows are read in. */
  timeZone: string;
  machineRole: MachineRole;
  restartDriver: RestartDriver;
}

const MINUTE = 60_000;
/** A failed download is tried again this much later. */
const DOWNLOAD_RETRY_MINUTES = 60;
/** A restart the system refused is tried again this much later. */
const RESTART_RETRY_MINUTES = 60;
const MAX_ERROR = 4000;

const entriesById = new WeakMap<CatalogueCache, Map<string, CatalogueEntry>>();

const stateNames: Record<number, string> = Object.fromEntries(Object.entries(enforcementStateIds).map(([name, id]) => [id, name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)]));

interface UpdateResult {
  updateId: string;
  stateId: number;
  error: string | null;
}

/**
 * §6.4–§6.8 on the client: every assignment in policy is evaluated, downloaded, installed at its
 * deadline inside the maintenance windows, rescanned, reported, and the machine restarted when the
 * installs need it. All of it is planned by core on the injected clock; this class does the I/O
 * and keeps `deployments.json` so that a stopped or killed agent carries on where it was.
 */
export class Enforcement {
  private record: EnforcementRecord;
  readonly cache: ContentCache;
  /** The trigger of the scan the current pass ran, so an install right after need not scan again. */
  private passTrigger: ScanTrigger | null = null;
  /** What the updates of each deployment came to in the current pass (for `patchday agent install`). */
  private passResults = new Map<string, UpdateResult[]>();
  private inventoryCache: Inventory | null = null;

  constructor(
    private readonly host: EnforcementHost,
    private readonly options: EnforcementOptions,
  ) {
    this.record = host.files.readEnforcement();
    this.cache = new ContentCache(host.dataDir, host.clock);
    this.replayJournal();
  }

  /** Updates installed and waiting for a restart: scans report them Required until it happens (§6.5). */
  awaitingRestart(deploymentId?: string): Set<string> {
    const updates = this.record.pendingRestart?.updates ?? [];
    return new Set(updates.filter((u) => deploymentId === undefined || u.deploymentId === deploymentId).map((u) => u.updateId));
  }

  /** The agent (re)started: failed installs get another chance, then everything is looked at. */
  async resume(): Promise<void> {
    for (const d of Object.values(this.record.deployments)) d.failed = {};
    this.save();
    await this.evaluate('beforeDownload');
  }

  /** A new policy: look again when what enforcement reads of it changed. */
  policyChanged(before: ClientPolicy | null, after: ClientPolicy): boolean {
    const relevant = (p: ClientPolicy | null) => p && JSON.stringify([p.assignments, p.maintenanceWindows, p.distributionPoints, p.clientSettings.restartCountdownMinutes, p.clientSettings.restartFinalCountdownMinutes, p.clientSettings.deploymentReevaluationDays]);
    return relevant(before) !== relevant(after);
  }

  /** `patchday agent install <deploymentId>`: install it now (from its available time on), whatever the windows. */
  async install(deploymentId: string): Promise<InstallSummary> {
    const policy = this.host.policy();
    const assignment = policy?.assignments.find((a) => a.deploymentId === deploymentId);
    const summary = (result: InstallSummary['result'], message: string | null, updates: InstallSummary['updates'] = []): InstallSummary => ({ deploymentId, name: assignment?.name ?? null, result, message, updates });
    if (!assignment) return summary('not found', `no deployment ${deploymentId} in this client's policy`);
    if (assignment.reportOnly) return summary('report only', 'this deployment only reports compliance; it installs nothing');
    let times: AssignmentTimes;
    try {
      times = assignmentTimes(assignment, this.options.timeZone);
    } catch (error) {
      return summary('failed', (error as Error).message);
    }
    if (this.now() < times.availableAt) return summary('not available yet', `available from ${times.availableAt.toISOString()}`);
    const d = this.activate(assignment);
    d.installRequestedAt = this.now().toISOString();
    d.failed = {};
    this.save();
    await this.evaluate('beforeInstall');
    const results = this.passResults.get(deploymentId) ?? [];
    const titles = new Map((this.host.catalogue()?.updates ?? []).map((e) => [e.updateId, e.title]));
    const updates = results.map((r) => ({ ...r, title: titles.get(r.updateId) ?? null, state: stateNames[r.stateId] ?? String(r.stateId) }));
    const view = this.record.deployments[deploymentId]?.view;
    if (results.length === 0) {
      return view?.compliant ? summary('nothing to install', 'every update of the deployment is installed or not required') : summary('nothing to install', view?.error ?? view?.state ?? null);
    }
    const failed = results.find((r) => r.stateId === enforcementStateIds.failedInstall || r.stateId === enforcementStateIds.failedDownload);
    if (failed) return summary('failed', failed.error, updates);
    if (results.some((r) => r.stateId === enforcementStateIds.pendingRestart)) return summary('pending restart', 'installed; the machine needs a restart to finish', updates);
    return summary('installed', null, updates);
  }

  status(): DeploymentsStatus {
    const policy = this.host.policy();
    const inPolicy = new Set(policy?.assignments.map((a) => a.deploymentId) ?? []);
    const deployments = Object.entries(this.record.deployments)
      .filter(([id, d]) => inPolicy.has(id) && d.view)
      .map(([, d]) => d.view!);
    return {
      machineRole: this.options.machineRole,
      timeZone: this.options.timeZone,
      deployments,
      restart: this.restartStatus(),
      cache: { ...this.cache.usage(), maximumMb: policy?.clientSettings.cacheMaximumMb ?? null },
    };
  }

  // --- the pass ---------------------------------------------------------------------------

  /** One look at every assignment: recover, notice a restart, scan, download, install, report, arm timers. */
  async evaluate(trigger: ScanTrigger): Promise<void> {
    const policy = this.host.policy();
    if (!policy) return;
    this.passResults = new Map();
    this.inventoryCache = null;
    await this.finishInterruptedInstall();
    await this.noticeRestart();
    const assignments = policy.assignments;
    for (const id of Object.keys(this.record.deployments)) {
      if (!assignments.some((a) => a.deploymentId === id)) delete this.record.deployments[id];
    }
    if (this.record.interrupted && !assignments.some((a) => a.deploymentId === this.record.interrupted!.deploymentId)) this.record.interrupted = null;
    this.save();
    if (assignments.length > 0) {
      for (const a of assignments) this.activate(a);
      this.passTrigger = trigger;
      const scan = await this.host.scan(trigger);
      if (scan.states === null) {
        const retryAt = new Date(this.now().getTime() + policy.clientSettings.scanRetryMinutes * MINUTE);
        for (const a of assignments) {
          const d = this.record.deployments[a.deploymentId];
          this.reportOnChange(a, d, '302', { topic: 302, stateId: evaluationStateIds.failed, error: `the evaluation scan failed: ${scan.error}` });
          d.view = { ...(d.view ?? this.emptyView(a)), error: `the evaluation scan failed: ${scan.error}`, nextActionAt: retryAt.toISOString() };
        }
        this.save();
      } else {
        let states = scan.states;
        for (const a of assignments) states = await this.enforce(policy, a, states);
      }
      this.passTrigger = null;
    }
    const restarted = await this.driveRestart();
    this.armTimers(restarted);
  }

  private async enforce(policy: ClientPolicy, a: DeploymentAssignment, states: ReadonlyMap<string, DetectionState>): Promise<ReadonlyMap<string, DetectionState>> {
    const d = this.record.deployments[a.deploymentId];
    let times: AssignmentTimes;
    try {
      times = assignmentTimes(a, this.options.timeZone);
    } catch (error) {
      const message = (error as Error).message;
      this.reportOnChange(a, d, '302', { topic: 302, stateId: evaluationStateIds.failed, error: message });
      d.view = { ...this.emptyView(a), state: 'failed', error: message };
      this.save();
      return states;
    }
    this.reportOnChange(a, d, '302', { topic: 302, stateId: evaluationStateIds.succeeded, error: null });
    states = await this.completeInterrupted(a, d, states);

    let plan = this.plan(policy, a, d, times, states);
    let downloadRetryAt: Date | null = null;
    if (plan.download) {
      const downloaded = await this.download(policy, a, d, this.toInstallList(a, d, states));
      if (!downloaded) downloadRetryAt = new Date(this.now().getTime() + DOWNLOAD_RETRY_MINUTES * MINUTE);
    }
    if (plan.install.length > 0) {
      states = await this.installPass(policy, a, d, times, states);
      plan = this.plan(policy, a, d, times, states);
    }
    if (plan.waitingForWindow.length > 0 && plan.install.length === 0) {
      this.reportOnChange(a, d, '301:wait', { topic: 301, stateId: enforcementStateIds.waitingForMaintenanceWindow, updateId: null, error: plan.problem });
    }
    const compliant = isCompliant(a.updates, states, this.notDone(a, states));
    this.reportOnChange(a, d, '300', { topic: 300, stateId: compliant ? deploymentComplianceStateIds.compliant : deploymentComplianceStateIds.nonCompliant, error: null });
    if (d.installRequestedAt !== null && plan.install.length === 0) d.installRequestedAt = null;
    d.view = this.viewOf(a, d, times, states, plan, compliant, downloadRetryAt);
    this.save();
    return states;
  }

  /**
   * Updates of the assignment still to install: Required, or — for dpkg updates — with a binary
   * a failed or interrupted run left half-installed on the machine, which the detection rules
   * cannot see. Not those waiting for a restart, nor those that failed since the last
   * re-evaluation.
   */
  private toInstallList(a: DeploymentAssignment, d: DeploymentRecord, states: ReadonlyMap<string, DetectionState>): AssignedUpdate[] {
    const awaiting = this.awaitingRestart(a.deploymentId);
    const unfinished = this.unfinished(a, states);
    return a.updates.filter((u) => !awaiting.has(u.updateId) && !Object.hasOwn(d.failed, u.updateId) && (states.get(u.updateId) === 'Required' || unfinished.has(u.updateId)));
  }

  /** dpkg updates meant for this machine (not Not Required) with binaries left unfinished. */
  private unfinished(a: DeploymentAssignment, states: ReadonlyMap<string, DetectionState>): Set<string> {
    const inventory = this.inventory();
    const out = new Set<string>();
    for (const u of a.updates) {
      const entry = this.entryOf(u.updateId);
      if (u.handler.kind === 'dpkg' && entry && states.get(u.updateId) !== 'Not Required' && binariesLeftUnfinished(entry.binaries, inventory).length > 0) out.add(u.updateId);
    }
    return out;
  }

  /** Not done: waiting for a restart, or left unfinished by a failed run. */
  private notDone(a: DeploymentAssignment, states: ReadonlyMap<string, DetectionState>): Set<string> {
    return new Set([...this.awaitingRestart(a.deploymentId), ...this.unfinished(a, states)]);
  }

  private plan(policy: ClientPolicy, a: DeploymentAssignment, d: DeploymentRecord, times: AssignmentTimes, states: ReadonlyMap<string, DetectionState>): EnforcementPlan {
    return planAssignment({
      assignment: a,
      times,
      now: this.now(),
      clientTimeZone: this.options.timeZone,
      windows: policy.maintenanceWindows,
      toInstall: new Set(this.toInstallList(a, d, states).map((u) => u.updateId)),
      userRequested: d.installRequestedAt !== null,
    });
  }

  // --- content ----------------------------------------------------------------------------

  private entryOf(updateId: string): CatalogueEntry | null {
    const catalogue = this.host.catalogue();
    if (!catalogue) return null;
    let byId = entriesById.get(catalogue);
    if (!byId) entriesById.set(catalogue, (byId = new Map(catalogue.updates.map((e) => [e.updateId, e]))));
    return byId.get(updateId) ?? null;
  }

  /** The machine's packages, read once and again after anything may have changed them. */
  private inventory(): Inventory {
    this.inventoryCache ??= readInventory({ root: this.host.root, architecture: this.host.architecture });
    return this.inventoryCache;
  }

  /** §6.6 the files an update's install needs on this machine. */
  private binariesOf(update: AssignedUpdate, entry: CatalogueEntry, inventory: Inventory): UpdateBinary[] {
    return update.handler.kind === 'dpkg' ? binariesToInstall(entry.binaries, inventory) : entry.binaries;
  }

  /** Content every active assignment still needs: never evicted (§12). */
  private neededContent(policy: ClientPolicy, inventory: Inventory): Set<string> {
    const needed = new Set<string>();
    for (const a of policy.assignments) {
      if (a.reportOnly) continue;
      for (const u of a.updates) {
        const entry = this.entryOf(u.updateId);
        if (entry) for (const b of this.binariesOf(u, entry, inventory)) needed.add(b.sha256);
      }
    }
    return needed;
  }

  /**
   * Brings the files of `updates` into the cache (§6.4): 7 downloading, then 8 downloaded or
   * 9 failed download with the reason. True when every file is there.
   */
  private async download(policy: ClientPolicy, a: DeploymentAssignment, d: DeploymentRecord, updates: readonly AssignedUpdate[]): Promise<boolean> {
    const inventory = this.inventory();
    const missing: Array<{ update: AssignedUpdate; file: ContentFile }> = [];
    for (const u of updates) {
      const entry = this.entryOf(u.updateId);
      if (!entry) continue;
      for (const b of this.binariesOf(u, entry, inventory)) {
        if (!this.cache.has(b.sha256, b.size) && !missing.some((m) => m.file.sha256 === b.sha256)) missing.push({ update: u, file: { sha256: b.sha256, size: b.size, name: b.filename } });
      }
    }
    if (missing.length === 0) {
      if (updates.length > 0) this.reportOnChange(a, d, '301:download', { topic: 301, stateId: enforcementStateIds.downloaded, updateId: null, error: null });
      return true;
    }
    this.reportOnChange(a, d, '301:download', { topic: 301, stateId: enforcementStateIds.downloading, updateId: null, error: null });
    const needed = this.neededContent(policy, inventory);
    let ok = true;
    for (const { update, file } of missing) {
      this.cache.makeRoom(file.size, needed, policy.clientSettings);
      try {
        await downloadToCache(file, policy.distributionPoints, policy.contentToken, this.cache);
        this.host.log.info({ deploymentId: a.deploymentId, file: file.name }, 'downloaded');
      } catch (error) {
        ok = false;
        const message = (error as Error).message;
        this.host.log.warn({ deploymentId: a.deploymentId, error: message }, 'download failed');
        this.reportOnChange(a, d, '301:download', { topic: 301, stateId: enforcementStateIds.failedDownload, updateId: update.updateId, error: message });
        this.result(a.deploymentId, { updateId: update.updateId, stateId: enforcementStateIds.failedDownload, error: message });
      }
    }
    if (ok) this.reportOnChange(a, d, '301:download', { topic: 301, stateId: enforcementStateIds.downloaded, updateId: null, error: null });
    return ok;
  }

  // --- installing -------------------------------------------------------------------------

  /**
   * §6.4 at the deadline: scan again (still Required?), check the cache, install each update
   * that may still start, scan again (forced offline), report each update's outcome.
   */
  private async installPass(policy: ClientPolicy, a: DeploymentAssignment, d: DeploymentRecord, times: AssignmentTimes, states: ReadonlyMap<string, DetectionState>): Promise<ReadonlyMap<string, DetectionState>> {
    if (this.passTrigger !== 'beforeInstall') {
      const before = await this.host.scan('beforeInstall');
      if (before.states === null) return states;
      states = before.states;
      this.passTrigger = 'beforeInstall';
    }
    const plan = this.plan(policy, a, d, times, states);
    const results: Array<{ update: AssignedUpdate; outcome: InstallOutcome }> = [];
    for (const update of plan.install) {
      const gate = { assignment: a, now: this.now(), clientTimeZone: this.options.timeZone, windows: policy.maintenanceWindows, userRequested: d.installRequestedAt !== null };
      if (!mayStartNow(gate, update)) continue;
      const entry = this.entryOf(update.updateId);
      if (!entry) continue;
      if (!(await this.download(policy, a, d, [update]))) continue;
      const inventory = this.inventory();
      const binaries = this.binariesOf(update, entry, inventory);
      this.report(a, d, `301:${update.updateId}`, { topic: 301, stateId: enforcementStateIds.installing, updateId: update.updateId, error: null });
      this.record.installing = { deploymentId: a.deploymentId, updateId: update.updateId, handler: update.handler.kind, maxRunMinutes: update.maxRunMinutes, startedAt: this.now().toISOString() };
      this.save();
      this.host.log.info({ deploymentId: a.deploymentId, updateId: update.updateId, title: entry.title, files: binaries.length }, 'installing');
      const outcome = await this.runHandler(update, binaries);
      this.inventoryCache = null;
      this.record.installing = null;
      if (this.record.interrupted?.updateId === update.updateId) this.record.interrupted = null;
      this.cache.touch(binaries.map((b) => b.sha256));
      // §6.5 the update's metadata or Debian's reboot-required file says the machine must restart.
      if (outcome.ok && (outcome.restartNeeded || entry.rebootBehaviour === 'always')) this.addPendingRestart(a.deploymentId, update.updateId);
      this.save();
      results.push({ update, outcome });
    }
    if (results.length === 0) return states;
    delete d.reported['301:wait'];
    const after = await this.host.scan('afterInstall');
    const found = after.states ?? states;
    for (const { update, outcome } of results) this.reportOutcome(a, d, update.updateId, outcome, found.get(update.updateId));
    return found;
  }

  private async runHandler(update: AssignedUpdate, binaries: readonly UpdateBinary[]): Promise<InstallOutcome> {
    const files = binaries.map((b) => ({ path: this.cache.path(b.sha256), sha256: b.sha256, size: b.size, name: b.filename, package: b.package, version: b.version, architecture: b.architecture }));
    if (update.handler.kind === 'dpkg') return installWithDpkg(this.host.root, files, update.maxRunMinutes);
    return runInstallScript(this.host.root, update.handler, files, update.maxRunMinutes);
  }

  /** 4 success, 5 pending restart, or 6 failed install with the handler's error. */
  private reportOutcome(a: DeploymentAssignment, d: DeploymentRecord, updateId: string, outcome: Pick<InstallOutcome, 'ok' | 'error'>, state: DetectionState | undefined): void {
    let stateId: number;
    let error: string | null = null;
    if (outcome.ok && this.awaitingRestart(a.deploymentId).has(updateId)) stateId = enforcementStateIds.pendingRestart;
    else if (outcome.ok && (state === 'Installed' || state === 'Not Required')) stateId = enforcementStateIds.success;
    else {
      stateId = enforcementStateIds.failedInstall;
      error = outcome.error ?? `the install ran, but the update is still ${state ?? 'Unknown'} on this machine`;
      d.failed[updateId] = { at: this.now().toISOString(), error };
    }
    this.report(a, d, `301:${updateId}`, { topic: 301, stateId, updateId, error });
    this.result(a.deploymentId, { updateId, stateId, error });
    this.host.log.info({ deploymentId: a.deploymentId, updateId, state: stateNames[stateId], error }, 'install finished');
  }

  /**
   * An install the agent was killed in the middle of: dpkg finishes what it had unpacked
   * (`--configure -a`); the update is then reported if it made it, and installed again if not.
   */
  private async finishInterruptedInstall(): Promise<void> {
    const marker = this.record.installing;
    if (!marker) return;
    this.host.log.warn({ deploymentId: marker.deploymentId, updateId: marker.updateId, startedAt: marker.startedAt }, 'an install was interrupted; finishing it');
    if (marker.handler === 'dpkg') {
      const finished = await finishInterruptedDpkg(this.host.root, marker.maxRunMinutes);
      if (!finished.ok) this.host.log.warn({ output: finished.output }, 'dpkg --configure -a did not finish cleanly');
    }
    this.inventoryCache = null;
    this.record.installing = null;
    this.record.interrupted = { deploymentId: marker.deploymentId, updateId: marker.updateId };
    this.save();
  }

  private async completeInterrupted(a: DeploymentAssignment, d: DeploymentRecord, states: ReadonlyMap<string, DetectionState>): Promise<ReadonlyMap<string, DetectionState>> {
    const interrupted = this.record.interrupted;
    if (interrupted?.deploymentId !== a.deploymentId) return states;
    const state = states.get(interrupted.updateId);
    if (state !== 'Installed' && state !== 'Not Required') return states;
    // The interrupted run got there: report it as the install it was.
    this.record.interrupted = null;
    if (restartRequiredUnder(this.host.root)) this.addPendingRestart(a.deploymentId, interrupted.updateId);
    this.save();
    const after = await this.host.scan('afterInstall');
    this.reportOutcome(a, d, interrupted.updateId, { ok: true, error: null }, after.states?.get(interrupted.updateId) ?? state);
    return after.states ?? states;
  }

  // --- restarts ---------------------------------------------------------------------------

  private addPendingRestart(deploymentId: string, updateId: string): void {
    const pending = this.record.pendingRestart ?? { bootId: this.options.restartDriver.bootId(), updates: [], lastAnnouncedAt: null, requestedAt: null, error: null };
    pending.updates = [...pending.updates.filter((u) => u.updateId !== updateId || u.deploymentId !== deploymentId), { deploymentId, updateId, installedAt: this.now().toISOString() }];
    this.record.pendingRestart = pending;
  }

  /**
   * The machine restarted since the installs that needed it (the boot id changed, whoever
   * restarted it): scan (forced offline) and report each of those updates.
   */
  private async noticeRestart(): Promise<boolean> {
    const pending = this.record.pendingRestart;
    if (!pending || this.options.restartDriver.bootId() === pending.bootId) return false;
    this.inventoryCache = null;
    this.record.pendingRestart = null;
    this.save();
    this.host.log.info({ updates: pending.updates.length }, 'the machine has restarted; the installs waiting for it are finished');
    const scan = await this.host.scan('afterRestart');
    const policy = this.host.policy();
    for (const p of pending.updates) {
      const a = policy?.assignments.find((x) => x.deploymentId === p.deploymentId);
      const d = this.record.deployments[p.deploymentId];
      if (!a || !d) continue;
      const state = scan.states?.get(p.updateId);
      this.reportOutcome(a, d, p.updateId, { ok: true, error: state === undefined ? 'the scan after the restart did not complete' : null }, state);
    }
    this.save();
    return true;
  }

  private restartNeeds(policy: ClientPolicy): RestartNeed[] {
    const pending = this.record.pendingRestart;
    if (!pending) return [];
    const needs = new Map<string, RestartNeed>();
    for (const u of pending.updates) {
      const a = policy.assignments.find((x) => x.deploymentId === u.deploymentId);
      let deadlineAt: Date | null = null;
      try {
        deadlineAt = a ? assignmentTimes(a, this.options.timeZone).deadlineAt : null;
      } catch {
        // an unreadable deadline was reported when the assignment was evaluated
      }
      const automatic = a !== undefined && a.purpose === 'required' && !restartSuppressed(a.restartSuppression, this.options.machineRole);
      const installedAt = new Date(u.installedAt);
      const seen = needs.get(u.deploymentId);
      if (!seen || installedAt > seen.installedAt) needs.set(u.deploymentId, { deploymentId: u.deploymentId, installedAt, deadlineAt, automatic, restartOutsideWindows: a?.restartOutsideWindows ?? false });
    }
    return [...needs.values()];
  }

  private restartPlan(policy: ClientPolicy): RestartPlan {
    return planRestart(this.restartNeeds(policy), policy.clientSettings, policy.maintenanceWindows, this.options.timeZone);
  }

  /**
   * §6.5 the countdown: announce it when it begins, remind every few hours, announce the final
   * countdown, and restart at its end. True when the machine restarted (the sandbox driver
   * returns; the real one ends this process).
   */
  private async driveRestart(): Promise<boolean> {
    const policy = this.host.policy();
    const pending = this.record.pendingRestart;
    if (!policy || !pending) {
      this.host.arm('restart', null, async () => undefined);
      return false;
    }
    const plan = this.restartPlan(policy);
    const now = this.now();
    const countdown = restartCountdown(plan, policy.clientSettings, now, pending.lastAnnouncedAt ? new Date(pending.lastAnnouncedAt) : null);
    if (countdown.phase === 'due') {
      if (pending.error !== null && pending.requestedAt !== null && now.getTime() - new Date(pending.requestedAt).getTime() < RESTART_RETRY_MINUTES * MINUTE) {
        this.host.arm('restart', new Date(new Date(pending.requestedAt).getTime() + RESTART_RETRY_MINUTES * MINUTE), () => this.restartTick());
        return false;
      }
      await this.options.restartDriver.announce('Patchday is restarting this machine now to finish installing updates.');
      pending.requestedAt = now.toISOString();
      pending.error = null;
      this.save();
      this.host.log.info({ deployments: plan.deploymentIds }, 'restarting the machine');
      try {
        await this.options.restartDriver.restart();
      } catch (error) {
        pending.error = (error as Error).message;
        this.save();
        this.host.log.warn({ error: pending.error }, 'the restart failed');
        this.host.arm('restart', new Date(now.getTime() + RESTART_RETRY_MINUTES * MINUTE), () => this.restartTick());
        return false;
      }
      return this.noticeRestart();
    }
    if (countdown.announce) {
      await this.options.restartDriver.announce(announcement(plan, countdown.phase, countdown.minutesLeft ?? 0));
      pending.lastAnnouncedAt = countdown.announce.toISOString();
      if (countdown.announce.getTime() === plan.countdownFrom?.getTime()) {
        for (const id of plan.deploymentIds) {
          const a = policy.assignments.find((x) => x.deploymentId === id);
          const d = this.record.deployments[id];
          if (a && d) this.reportOnChange(a, d, '301:restart', { topic: 301, stateId: enforcementStateIds.waitingForRestart, updateId: null, error: null });
        }
      }
      this.save();
    }
    this.host.arm('restart', countdown.nextAt, () => this.restartTick());
    return false;
  }

  private async restartTick(): Promise<void> {
    const restarted = (await this.noticeRestart()) || (await this.driveRestart());
    if (restarted) await this.evaluate('beforeDownload');
  }

  private restartStatus(): RestartStatus | null {
    const policy = this.host.policy();
    const pending = this.record.pendingRestart;
    if (!policy || !pending) return null;
    const plan = this.restartPlan(policy);
    const countdown = restartCountdown(plan, policy.clientSettings, this.now(), pending.lastAnnouncedAt ? new Date(pending.lastAnnouncedAt) : null);
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    return {
      phase: countdown.phase,
      restartAt: iso(plan.restartAt),
      countdownFrom: iso(plan.countdownFrom),
      finalCountdownFrom: iso(plan.finalCountdownFrom),
      dismissable: countdown.dismissable,
      minutesLeft: countdown.minutesLeft,
      heldForWindow: plan.heldForWindow,
      updates: pending.updates.length,
      deploymentIds: [...new Set(pending.updates.map((u) => u.deploymentId))],
      error: pending.error,
    };
  }

  // --- timers -----------------------------------------------------------------------------

  private armTimers(runAgainNow: boolean): void {
    const policy = this.host.policy();
    const active = policy !== null && policy.assignments.length > 0;
    let next: Date | null = runAgainNow ? this.now() : null;
    for (const d of Object.values(this.record.deployments)) {
      const at = d.view?.nextActionAt ? new Date(d.view.nextActionAt) : null;
      if (at && (next === null || at < next)) next = at;
    }
    this.host.arm('deployments', next, () => this.evaluate('beforeInstall'));
    if (!active) {
      this.host.arm('reevaluation', null, async () => undefined);
      return;
    }
    // §6.7 every deploymentReevaluationDays.
    if (this.record.nextReevaluationAt === null) {
      this.record.nextReevaluationAt = new Date(this.now().getTime() + Math.max(1, policy.clientSettings.deploymentReevaluationDays) * 24 * 60 * MINUTE).toISOString();
      this.save();
    }
    this.host.arm('reevaluation', new Date(this.record.nextReevaluationAt), () => this.reevaluate());
  }

  /** §6.7: failed installs get another chance, and an update removed since is installed again. */
  private async reevaluate(): Promise<void> {
    const days = Math.max(1, this.host.policy()?.clientSettings.deploymentReevaluationDays ?? 7);
    const planned = this.record.nextReevaluationAt ? new Date(this.record.nextReevaluationAt) : this.now();
    this.record.nextReevaluationAt = new Date(planned.getTime() + days * 24 * 60 * MINUTE).toISOString();
    for (const d of Object.values(this.record.deployments)) d.failed = {};
    this.save();
    await this.evaluate('deploymentReevaluation');
  }

  // --- reporting --------------------------------------------------------------------------

  /** The assignment's record, created — and 302 activated reported — when first seen. */
  private activate(a: DeploymentAssignment): DeploymentRecord {
    let d = this.record.deployments[a.deploymentId];
    if (d) return d;
    d = { activatedAt: this.now().toISOString(), reported: {}, installRequestedAt: null, failed: {}, view: null };
    this.record.deployments[a.deploymentId] = d;
    this.host.log.info({ deploymentId: a.deploymentId, name: a.name, purpose: a.purpose }, 'new deployment');
    this.report(a, d, '302', { topic: 302, stateId: evaluationStateIds.activated, error: null });
    return d;
  }

  /** Reports unless the last message under `key` said the same. */
  private reportOnChange(a: DeploymentAssignment, d: DeploymentRecord, key: string, message: MessageBody): void {
    const last = d.reported[key];
    if (last && last.stateId === message.stateId && last.error === clip(message.error)) return;
    this.report(a, d, key, message);
  }

  private report(a: DeploymentAssignment, d: DeploymentRecord, key: string, message: MessageBody): void {
    const time = this.now().toISOString();
    const full = { ...message, deploymentId: a.deploymentId, time, error: clip(message.error) } as UnnumberedStateMessage;
    d.reported[key] = { stateId: message.stateId, error: clip(message.error), at: time };
    this.enqueue([full]);
  }

  /**
   * Queues through the journal: the record's new state and the messages are written together
   * first, so a kill before the outbox has them neither loses them nor (see replayJournal)
   * queues them twice.
   */
  private enqueue(messages: UnnumberedStateMessage[]): void {
    this.record.journal = { messages: messages as unknown as Array<Record<string, unknown>> };
    this.save();
    this.host.outbox.enqueue(messages);
    this.record.journal = null;
    this.save();
  }

  /**
   * A journal left by a kill: its messages went into the outbox if an unacknowledged message
   * there is one of them (one outbox write holds them all, and nothing is sent before this runs).
   */
  private replayJournal(): void {
    const journal = this.record.journal;
    if (!journal) return;
    const key = (m: object) => JSON.stringify(Object.entries(m).filter(([k]) => k !== 'seq').sort(([a], [b]) => (a < b ? -1 : 1)));
    const queued = new Set(this.host.outbox.pending().map(key));
    if (!journal.messages.some((m) => queued.has(key(m)))) this.host.outbox.enqueue(journal.messages as unknown as UnnumberedStateMessage[]);
    this.record.journal = null;
    this.save();
  }

  private result(deploymentId: string, result: UpdateResult): void {
    const list = this.passResults.get(deploymentId) ?? [];
    this.passResults.set(deploymentId, [...list.filter((r) => r.updateId !== result.updateId), result]);
  }

  // --- status -----------------------------------------------------------------------------

  private emptyView(a: DeploymentAssignment): DeploymentView {
    return { deploymentId: a.deploymentId, name: a.name, purpose: a.purpose, reportOnly: a.reportOnly, availableAt: null, deadlineAt: null, state: 'not evaluated yet', compliant: null, updates: a.updates.length, toInstall: 0, pendingRestart: 0, nextActionAt: null, error: null };
  }

  private viewOf(a: DeploymentAssignment, d: DeploymentRecord, times: AssignmentTimes, states: ReadonlyMap<string, DetectionState>, plan: EnforcementPlan, compliant: boolean, downloadRetryAt: Date | null): DeploymentView {
    const awaiting = this.awaitingRestart(a.deploymentId);
    const failures = Object.values(d.failed);
    const toInstall = this.toInstallList(a, d, states).length;
    let state: string;
    if (compliant) state = 'compliant';
    else if (a.reportOnly) state = 'non-compliant (report only)';
    else if (failures.length > 0) state = 'failed install';
    else if (downloadRetryAt) state = 'failed download';
    else if (toInstall === 0 && awaiting.size > 0) state = 'pending restart';
    else if (plan.waitingFor === 'user') state = 'available: waiting for the user to install it';
    else if (plan.waitingFor === 'available time' || plan.waitingFor === 'deadline') state = `waiting for the deadline`;
    else if (plan.waitingFor === 'maintenance window') state = 'waiting for a maintenance window';
    else if (toInstall === 0) state = 'non-compliant: updates the catalogue does not know';
    else state = 'in progress';
    const next = [plan.wakeAt, downloadRetryAt].filter((x): x is Date => x !== null).sort((x, y) => x.getTime() - y.getTime())[0] ?? null;
    const lastError = Object.values(d.reported).sort((x, y) => (x.at < y.at ? 1 : -1)).find((r) => r.error !== null)?.error ?? null;
    return {
      ...this.emptyView(a),
      availableAt: times.availableAt.toISOString(),
      deadlineAt: times.deadlineAt?.toISOString() ?? null,
      state,
      compliant,
      toInstall,
      pendingRestart: awaiting.size,
      nextActionAt: next?.toISOString() ?? null,
      error: compliant ? null : (failures[0]?.error ?? plan.problem ?? lastError),
    };
  }

  private now(): Date {
    return this.host.clock.now();
  }

  private save(): void {
    this.host.files.writeEnforcement(this.record);
  }
}

/** A deployment state message before the deployment id and time are added. */
type MessageBody = { topic: 300 | 302; stateId: number; error: string | null } | { topic: 301; stateId: number; updateId: string | null; error: string | null };

function clip(error: string | null): string | null {
  return error === null ? null : error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR - 1)}…` : error;
}

function announcement(plan: RestartPlan, phase: string, minutesLeft: number): string {
  const at = plan.restartAt!.toISOString().slice(0, 16).replace('T', ' ');
  if (phase === 'final countdown') return `Patchday restarts this machine in ${minutesLeft} minutes (${at} UTC) to finish installing updates. Save your work now; this can no longer be postponed.`;
  return `Patchday will restart this machine in ${minutesLeft} minutes (${at} UTC) to finish installing updates. Save your work before then.`;
}
