import { join } from 'node:path';
import { CatalogueEntry, ClientPolicy } from '@patchday/core';
import { z } from 'zod';
import { readJson, writeJsonAtomically } from './json-file.ts';

/** Who this agent is to its site: written once, at registration. */
export const Identity = z.object({
  server: z.string().url(),
  clientId: z.string().uuid(),
  credential: z.string(),
  name: z.string(),
  registeredAt: z.string(),
});
export type Identity = z.infer<typeof Identity>;

export const PolicyRecord = z.object({ policy: ClientPolicy, etag: z.string().nullable(), receivedAt: z.string() });
export type PolicyRecord = z.infer<typeof PolicyRecord>;

/** The catalogue metadata kept for offline scans, with the anchor the next delta starts from. */
export const CatalogueCache = z.object({
  product: z.string(),
  architecture: z.string(),
  /** The update point it came from. */
  source: z.string(),
  anchor: z.number().int().nonnegative(),
  fetchedAt: z.string(),
  updates: z.array(CatalogueEntry),
});
export type CatalogueCache = z.infer<typeof CatalogueCache>;
const CatalogueCacheFile = CatalogueCache.extend({ updates: z.array(z.object({ updateId: z.string() }).passthrough()) });

/** The last scan the agent ran: what `patchday agent status` shows of it. */
export const LastScan = z.object({
  scanId: z.string(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  result: z.enum(['complete', 'failed', 'pending retry']),
  anchor: z.number().int().nullable(),
  counts: z.record(z.string(), z.number().int()),
  error: z.string().nullable(),
});

/** What the last scans found and what is scheduled; a restarted agent picks up from here. */
export const ScanRecord = z.object({
  /** The state last queued per update: the baseline the next scan's messages are the changes from. */
  reported: z.record(z.string(), z.object({ stateId: z.number().int(), revision: z.number().int() })),
  lastScan: LastScan.nullable(),
  /** When the schedule runs the next scan (absent before the first policy). */
  nextScanAt: z.string().nullable(),
  /** The last scheduled (not retried, not on demand) scan: the schedule counts from it. */
  lastScheduledScanAt: z.string().nullable(),
  /** Failed attempts on the current update point since the last success (§12: retry, then the next one). */
  failedAttempts: z.number().int().nonnegative(),
  /** A retry of a failed scan that is waiting, and the trigger it repeats. */
  retry: z.object({ at: z.string(), trigger: z.string() }).nullable(),
  updatePointIndex: z.number().int().nonnegative(),
  inventorySha256: z.string().nullable(),
});
export type ScanRecord = z.infer<typeof ScanRecord>;

/** What `patchday agent status` shows of one assignment; kept with the enforcement state. */
export const DeploymentView = z.object({
  deploymentId: z.string(),
  name: z.string(),
  purpose: z.enum(['required', 'available']),
  reportOnly: z.boolean(),
  /** The available time and deadline as instants on this client (client-local times resolved). */
  availableAt: z.string().nullable(),
  deadlineAt: z.string().nullable(),
  /** In words: compliant, waiting for the deadline, waiting for a maintenance window, pending restart, failed… */
  state: z.string(),
  compliant: z.boolean().nullable(),
  updates: z.number().int(),
  /** Updates still to install. */
  toInstall: z.number().int(),
  pendingRestart: z.number().int(),
  nextActionAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type DeploymentView = z.infer<typeof DeploymentView>;

const Reported = z.object({ stateId: z.number().int(), error: z.string().nullable(), at: z.string() });

/** One assignment the agent has seen (§6.4): what it reported, what the user asked, what failed. */
export const DeploymentRecord = z.object({
  activatedAt: z.string(),
  /** The last state reported per key (`300`, `302`, `301:download`, `301:wait`, `301:restart`, `301:<updateId>`): nothing is reported twice. */
  reported: z.record(z.string(), Reported),
  /** `patchday agent install` asked for it; cleared once the install ran. */
  installRequestedAt: z.string().nullable(),
  /** Updates whose last install failed: not tried again before the next re-evaluation, agent start or user request. */
  failed: z.record(z.string(), z.object({ at: z.string(), error: z.string() })),
  view: DeploymentView.nullable(),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecord>;

export const PendingRestart = z.object({
  /** The boot the installs happened in: another boot id means the machine has restarted. */
  bootId: z.string(),
  updates: z.array(z.object({ deploymentId: z.string(), updateId: z.string(), installedAt: z.string() })),
  lastAnnouncedAt: z.string().nullable(),
  requestedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type PendingRestart = z.infer<typeof PendingRestart>;

/** Everything enforcement needs to carry on after the agent is stopped or killed. */
export const EnforcementRecord = z.object({
  deployments: z.record(z.string(), DeploymentRecord),
  pendingRestart: PendingRestart.nullable(),
  /** Written before an install handler starts, removed when it ends: present at start means it was interrupted. */
  installing: z.object({ deploymentId: z.string(), updateId: z.string(), handler: z.enum(['dpkg', 'script']), maxRunMinutes: z.number().int(), startedAt: z.string() }).nullable(),
  /** An install that was interrupted and is to be finished or repeated. */
  interrupted: z.object({ deploymentId: z.string(), updateId: z.string() }).nullable(),
  nextReevaluationAt: z.string().nullable(),
  /**
   * Messages being queued: written with the record's new state before they go into the outbox,
   * so a kill in between neither loses them nor queues them twice.
   */
  journal: z.object({ messages: z.array(z.record(z.string(), z.unknown())) }).nullable(),
});
export type EnforcementRecord = z.infer<typeof EnforcementRecord>;

export const emptyEnforcementRecord: EnforcementRecord = { deployments: {}, pendingRestart: null, installing: null, interrupted: null, nextReevaluationAt: null, journal: null };

export const emptyScanRecord: ScanRecord = { reported: {}, lastScan: null, nextScanAt: null, lastScheduledScanAt: null, failedAttempts: 0, retry: null, updatePointIndex: 0, inventorySha256: null };

/** The agent's data directory: one file per concern, each replaced atomically. */
export class AgentFiles {
  constructor(readonly dataDir: string) {}

  path(name: string): string {
    return join(this.dataDir, name);
  }

  readIdentity(): Identity | null {
    return readJson(this.path('identity.json'), Identity);
  }
  writeIdentity(identity: Identity): void {
    writeJsonAtomically(this.path('identity.json'), identity);
  }

  readPolicy(): PolicyRecord | null {
    return readJson(this.path('policy.json'), PolicyRecord);
  }
  writePolicy(record: PolicyRecord): void {
    writeJsonAtomically(this.path('policy.json'), record);
  }

  /** Entries were validated when they arrived from the update point; the file is the agent's own. */
  readCatalogue(): CatalogueCache | null {
    return readJson(this.path('catalogue.json'), CatalogueCacheFile) as CatalogueCache | null;
  }
  writeCatalogue(cache: CatalogueCache): void {
    writeJsonAtomically(this.path('catalogue.json'), cache);
  }

  readScanRecord(): ScanRecord {
    return readJson(this.path('scan.json'), ScanRecord) ?? structuredClone(emptyScanRecord);
  }
  writeScanRecord(record: ScanRecord): void {
    writeJsonAtomically(this.path('scan.json'), record);
  }

  readEnforcement(): EnforcementRecord {
    return readJson(this.path('deployments.json'), EnforcementRecord) ?? structuredClone(emptyEnforcementRecord);
  }
  writeEnforcement(record: EnforcementRecord): void {
    writeJsonAtomically(this.path('deployments.json'), record);
  }
}
