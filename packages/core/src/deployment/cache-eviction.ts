const MINUTE = 60_000;

/** One file in an agent's content cache. */
export interface CachedContent {
  sha256: string;
  size: number;
  /** When it entered the cache. */
  addedAt: Date;
  /** When an install last used it (or it was downloaded). */
  lastUsedAt: Date;
}

export interface EvictionInput {
  entries: readonly CachedContent[];
  /** Bytes about to be added. */
  incomingBytes: number;
  maximumBytes: number;
  minimumAgeMinutes: number;
  /** Content an active assignment still needs. */
  needed: ReadonlySet<string>;
  now: Date;
}

/**
 * §6.4/§12: what to evict so that the cache, with `incomingBytes` added, fits its maximum —
 * least recently used first, never what an active assignment needs and never what entered
 * the cache less than the minimum age ago. When that cannot make room, it evicts what it may
 * and the caller downloads anyway: update files always download, even past the maximum.
 */
export function evictionVictims(input: EvictionInput): string[] {
  let total = input.incomingBytes + input.entries.reduce((sum, e) => sum + e.size, 0);
  if (total <= input.maximumBytes) return [];
  const oldEnough = input.now.getTime() - input.minimumAgeMinutes * MINUTE;
  const candidates = input.entries
    .filter((e) => !input.needed.has(e.sha256) && e.addedAt.getTime() <= oldEnough)
    .sort((a, b) => a.lastUsedAt.getTime() - b.lastUsedAt.getTime() || (a.sha256 < b.sha256 ? -1 : 1));
  const victims: string[] = [];
  for (const e of candidates) {
    if (total <= input.maximumBytes) break;
    victims.push(e.sha256);
    total -= e.size;
  }
  return victims;
}
