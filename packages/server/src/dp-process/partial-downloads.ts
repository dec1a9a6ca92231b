import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DpFile } from '@patchday/core';
import { ContentRejected, type ContentLibrary } from '../content/content-library.ts';
import type { SiteLink } from './site-link.ts';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Files on their way into a distribution point's library. The bytes received so far stay in
 * `<dir>/<sha256>` when the process is killed, and the next attempt asks the site only for the
 * rest (Range). Nothing here is content: a file enters the library only through
 * `ContentLibrary.put`, which hashes it whole again.
 */
export class PartialDownloads {
  constructor(readonly dir: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new ContentRejected(`not a sha256: ${JSON.stringify(sha256)}`);
    return join(this.dir, sha256);
  }

  /** Bytes already received of this file (0 when none). */
  async received(sha256: string): Promise<number> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /**
   * Fetches `file` from the site (resuming what an earlier attempt left) and puts it into the
   * library. `progress` hears the bytes of this file held so far. A file refused by the library
   * is deleted; if it was resumed, it is fetched once more from the start (the kept part may be
   * what was wrong) before the refusal is final.
   */
  async fetchInto(library: ContentLibrary, link: SiteLink, file: DpFile, progress: (bytes: number) => void): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(file.sha256);
    let offset = await this.received(file.sha256);
    if (offset > file.size) {
      await rm(path, { force: true });
      offset = 0;
    }
    const resumed = offset > 0;
    try {
      await this.download(link, file, offset, progress);
      await library.put(createReadStream(path), file);
    } catch (error) {
      if (!(error instanceof ContentRejected)) throw error;
      await rm(path, { force: true });
      if (!resumed) throw error;
      await this.download(link, file, 0, progress);
      try {
        await library.put(createReadStream(path), file);
      } catch (again) {
        await rm(path, { force: true });
        throw again;
      }
    }
    await rm(path, { force: true });
  }

  private async download(link: SiteLink, file: DpFile, offset: number, progress: (bytes: number) => void): Promise<void> {
    progress(offset);
    if (offset === file.size) return;
    const { start, body } = await link.content(file.sha256, offset);
    // A site that ignored the Range sends everything: start the file over.
    const handle = await open(this.pathOf(file.sha256), start === 0 ? 'w' : 'a', 0o644);
    let held = start;
    try {
      for await (const chunk of body) {
        held += (chunk as Buffer).length;
        if (held > file.size) throw new ContentRejected(`the site sent more than the ${file.size} bytes the package lists for ${file.sha256}`);
        await handle.write(chunk as Buffer);
        progress(held);
      }
    } finally {
      await handle.close();
      body.destroy();
    }
    if (held < file.size) throw new Error(`the download of ${file.sha256} ended after ${held} of ${file.size} bytes; it resumes at the next pass`);
  }

  /** Deletes partial files no package needs any more. */
  async keepOnly(needed: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) if (!needed.has(name)) await rm(join(this.dir, name), { force: true });
  }
}
