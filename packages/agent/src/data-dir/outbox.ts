import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateMessage } from '@patchday/core';
import { z } from 'zod';
import { readJson, syncFolder, writeJsonAtomically } from './json-file.ts';

/** A state message before it has its sequence number. */
export type UnnumberedStateMessage = StateMessage extends infer M ? (M extends unknown ? Omit<M, 'seq'> : never) : never;

const SeqFile = z.object({ nextSeq: z.number().int().positive(), acknowledgedSeq: z.number().int().nonnegative() });
const OutboxFile = z.array(StateMessage);

/**
 * §5: state messages queued on disk until the management point acknowledges them. Each enqueue
 * is one file written atomically, named by its first and last sequence numbers; an acknowledgement
 * removes what it covers. A crash loses nothing that `enqueue` returned for, and resending
 * after a lost acknowledgement is harmless because the site ignores sequence numbers it has.
 */
export class Outbox {
  private readonly folder: string;
  private readonly seqPath: string;
  private nextSeq: number;
  private acknowledgedSeq: number;

  constructor(dataDir: string) {
    this.folder = join(dataDir, 'outbox');
    this.seqPath = join(dataDir, 'seq.json');
    mkdirSync(this.folder, { recursive: true });
    const seq = readJson(this.seqPath, SeqFile) ?? { nextSeq: 1, acknowledgedSeq: 0 };
    // The counter is written with acknowledgements only; the queued files name the numbers in use.
    const highest = this.files().reduce((max, f) => Math.max(max, f.lastSeq), 0);
    this.nextSeq = Math.max(seq.nextSeq, highest + 1, seq.acknowledgedSeq + 1);
    this.acknowledgedSeq = seq.acknowledgedSeq;
  }

  enqueue(messages: readonly UnnumberedStateMessage[]): StateMessage[] {
    if (messages.length === 0) return [];
    const numbered = messages.map((m, i) => ({ ...m, seq: this.nextSeq + i }) as StateMessage);
    const name = `${String(numbered[0].seq).padStart(16, '0')}-${String(numbered[numbered.length - 1].seq).padStart(16, '0')}.json`;
    writeJsonAtomically(join(this.folder, name), numbered);
    // The counter file is only written with acknowledgements: until then the queued files
    // themselves say which numbers are taken.
    this.nextSeq += numbered.length;
    return numbered;
  }

  /** Every message not yet acknowledged, oldest first. */
  pending(limit = Number.POSITIVE_INFINITY): StateMessage[] {
    const out: StateMessage[] = [];
    for (const file of this.files()) {
      for (const m of this.read(file.path)) {
        if (m.seq <= this.acknowledgedSeq) continue;
        out.push(m);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  pendingCount(): number {
    return this.pending().length;
  }

  /** The site stored (or already had) everything up to `seq`: forget it. */
  acknowledge(seq: number): void {
    if (seq <= this.acknowledgedSeq) return;
    this.acknowledgedSeq = seq;
    this.saveSeq();
    for (const file of this.files()) if (file.lastSeq <= seq) rmSync(file.path);
    syncFolder(this.folder);
  }

  /**
   * The site refused these messages as invalid (400): resending them unchanged would block the
   * queue forever. They are set aside in `outbox-refused/` for an administrator, and forgotten.
   */
  setAside(messages: readonly StateMessage[], reason: string): void {
    if (messages.length === 0) return;
    const last = messages[messages.length - 1].seq;
    writeJsonAtomically(join(this.folder, '..', 'outbox-refused', `${String(messages[0].seq).padStart(16, '0')}-${String(last).padStart(16, '0')}.json`), { reason, messages });
    this.acknowledge(last);
  }

  get lastAcknowledgedSeq(): number {
    return this.acknowledgedSeq;
  }

  private saveSeq(): void {
    writeJsonAtomically(this.seqPath, { nextSeq: this.nextSeq, acknowledgedSeq: this.acknowledgedSeq });
  }

  private read(path: string): StateMessage[] {
    return OutboxFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  }

  private files(): Array<{ path: string; lastSeq: number }> {
    return readdirSync(this.folder)
      .filter((name) => /^\d{16}-\d{16}\.json$/.test(name))
      .sort()
      .map((name) => ({ path: join(this.folder, name), lastSeq: Number(name.slice(17, 33)) }));
  }
}
