import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const SHA256 = /^[0-9a-f]{64}$/;

/** Why a file was refused; nothing of it is left in the library. */
export class ContentRejected extends Error {}

/**
 * §6.1 the content library: single-instance storage addressed by sha256, so a file in five
 * deployment packages is stored once. A file enters only after its bytes were counted and
 * hashed on the way in and matched the signed metadata's size and sha256; until then it is a
 * temporary file that a refusal (or a crash) never turns into content. Which packages hold a
 * file is the site database's business; this is the bytes.
 */
export class ContentLibrary {
  constructor(readonly root: string) {}

  /** Where the file with this sha256 lives (whether or not it is there). */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new ContentRejected(`not a sha256: ${JSON.stringify(sha256)}`);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /**
   * Stores `source` as the file whose sha256 and size the metadata gives. Refuses, storing
   * nothing, a stream that is longer or shorter than `size` or hashes to anything else. Storing
   * a file already there reads the stream to the end and keeps the one copy.
   */
  async put(source: Readable, expected: { sha256: string; size: number }): Promise<{ sha256: string; stored: boolean }> {
    const target = this.pathOf(expected.sha256);
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) throw new ContentRejected(`not a file size: ${expected.size}`);
    await mkdir(join(this.root, 'incoming'), { recursive: true });
    const temporary = join(this.root, 'incoming', `${expected.sha256}.${randomBytes(6).toString('hex')}`);
    const file = await open(temporary, 'wx', 0o644);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of source) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size > expected.size) throw new ContentRejected(`the file is larger than the ${expected.size} bytes its metadata says`);
        hash.update(bytes);
        await file.write(bytes);
      }
      if (size !== expected.size) throw new ContentRejected(`the file has ${size} bytes; its metadata says ${expected.size}`);
      const actual = hash.digest('hex');
      if (actual !== expected.sha256) throw new ContentRejected(`the file's sha256 is ${actual}; its metadata says ${expected.sha256}`);
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      source.destroy();
      throw error;
    }
    await file.close();
    if (await this.has(expected.sha256)) {
      await rm(temporary, { force: true });
      return { sha256: expected.sha256, stored: false };
    }
    await mkdir(join(this.root, 'sha256', expected.sha256.slice(0, 2)), { recursive: true });
    await rename(temporary, target);
    return { sha256: expected.sha256, stored: true };
  }

  /** The stored file's bytes, from `start` (for resumed transfers). */
  read(sha256: string, start = 0): ReadStream {
    return createReadStream(this.pathOf(sha256), { start });
  }

  /** Removes a file no package holds any more. */
  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Temporary files a crash left behind: never content, always safe to delete (at start). */
  async clearIncoming(): Promise<void> {
    await rm(join(this.root, 'incoming'), { recursive: true, force: true });
  }
}
