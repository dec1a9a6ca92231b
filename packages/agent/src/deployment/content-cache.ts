import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { evictionVictims, type Clock } from '@patchday/core';
import { z } from 'zod';
import { readJson, syncFolder, writeJsonAtomically } from '../data-dir/json-file.ts';

const SHA256 = /^[0-9a-f]{64}$/;
const MB = 1024 * 1024;

const CacheIndex = z.object({
  entries: z.record(z.string().regex(SHA256), z.object({ size: z.number().int().nonnegative(), addedAt: z.string(), lastUsedAt: z.string() })),
});
type CacheIndex = z.infer<typeof CacheIndex>;

export interface CacheLimits {
  cacheMaximumMb: number;
  cacheMinimumAgeMinutes: number;
}

/**
 * §6.4/§12 the agent's local content cache: `<data-dir>/cache/files/<sha256>`, only ever
 * files whose sha256 was verified on arrival, with `partial/<sha256>` for downloads under way
 * (kept across a kill, so they resume) and an index of sizes and use times for the LRU.
 */
export class ContentCache {
  private readonly filesDir: string;
  private readonly partialDir: string;
  private readonly indexPath: string;
  private index: CacheIndex;

  constructor(
    dataDir: string,
    private readonly clock: Clock,
  ) {
    const dir = join(dataDir, 'cache');
    this.filesDir = join(dir, 'files');
    this.partialDir = join(dir, 'partial');
    this.indexPath = join(dir, 'index.json');
    mkdirSync(this.filesDir, { recursive: true });
    mkdirSync(this.partialDir, { recursive: true });
    this.index = readJson(this.indexPath, CacheIndex) ?? { entries: {} };
    this.reconcile();
  }

  /**
   * A kill between moving a verified file in and writing the index leaves a file the index
   * lacks (only verified files are ever moved in, so it is adopted); a file removed behind the
   * agent's back leaves an entry without a file (dropped).
   */
  private reconcile(): void {
    let changed = false;
    for (const sha of Object.keys(this.index.entries)) {
      if (!existsSync(this.path(sha))) {
        delete this.index.entries[sha];
        changed = true;
      }
    }
    const now = this.clock.now().toISOString();
    for (const name of readdirSync(this.filesDir)) {
      if (!SHA256.test(name)) continue;
      if (!Object.hasOwn(this.index.entries, name)) {
        this.index.entries[name] = { size: statSync(this.path(name)).size, addedAt: now, lastUsedAt: now };
        changed = true;
      }
    }
    if (changed) this.save();
  }

  path(sha256: string): string {
    return join(this.filesDir, sha256);
  }

  partialPath(sha256: string): string {
    return join(this.partialDir, sha256);
  }

  has(sha256: string, size: number): boolean {
    const entry = this.index.entries[sha256];
    if (!entry || entry.size !== size) return false;
    try {
      return statSync(this.path(sha256)).size === size;
    } catch {
      return false;
    }
  }

  /**
   * Makes room for `incomingBytes` by evicting least recently used content nobody needs, then
   * returns; the download goes ahead even when that was not enough.
   */
  makeRoom(incomingBytes: number, needed: ReadonlySet<string>, limits: CacheLimits): string[] {
    const victims = evictionVictims({
      entries: Object.entries(this.index.entries).map(([sha256, e]) => ({ sha256, size: e.size, addedAt: new Date(e.addedAt), lastUsedAt: new Date(e.lastUsedAt) })),
      incomingBytes,
      maximumBytes: limits.cacheMaximumMb * MB,
      minimumAgeMinutes: limits.cacheMinimumAgeMinutes,
      needed,
      now: this.clock.now(),
    });
    for (const sha of victims) {
      rmSync(this.path(sha), { force: true });
      delete this.index.entries[sha];
    }
    if (victims.length > 0) this.save();
    return victims;
  }

  /** Moves a verified download in. */
  admit(sha256: string, size: number, verifiedFile: string): void {
    renameSync(verifiedFile, this.path(sha256));
    syncFolder(this.filesDir);
    const now = this.clock.now().toISOString();
    this.index.entries[sha256] = { size, addedAt: now, lastUsedAt: now };
    this.save();
  }

  touch(sha256s: readonly string[]): void {
    const now = this.clock.now().toISOString();
    let changed = false;
    for (const sha of sha256s) {
      const entry = this.index.entries[sha];
      if (entry) {
        entry.lastUsedAt = now;
        changed = true;
      }
    }
    if (changed) this.save();
  }

  usage(): { files: number; bytes: number } {
    const entries = Object.values(this.index.entries);
    return { files: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0) };
  }

  private save(): void {
    writeJsonAtomically(this.indexPath, this.index);
  }
}
