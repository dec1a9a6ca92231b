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
}
