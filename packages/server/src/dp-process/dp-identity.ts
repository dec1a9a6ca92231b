import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Identity = z.object({ site: z.string().regex(/^https?:\/\//), credential: z.string().regex(/^pdd_[A-Za-z0-9_-]{20,100}$/, 'a distribution point credential starts with pdd_') });
export type DpIdentity = z.infer<typeof Identity>;

/**
 * What a remote distribution point keeps in its data directory besides content: which site it
 * serves and its credential (so a restart needs only `--data`), and the site's content-token
 * key (so it serves agents while the site is unreachable). Both readable only by its user.
 */
export class DpFiles {
  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }

  get libraryRoot(): string {
    return join(this.dataDir, 'content');
  }

  get partialDir(): string {
    return join(this.dataDir, 'partial');
  }

  /** The identity given now, else the one remembered; given ones are remembered. */
  identity(given: { site?: string; credential?: string }): DpIdentity {
    const stored = this.read('identity.json');
    const remembered = stored ? Identity.partial().parse(JSON.parse(stored)) : {};
    const site = (given.site ?? remembered.site)?.replace(/\/+$/, '');
    const credential = given.credential ?? remembered.credential;
    if (!site || !credential) throw new Error(`no site and credential for this distribution point: give --site and --credential (from \`patchday dp add\`) the first time; ${this.dataDir} remembers them`);
    const identity = Identity.parse({ site, credential });
    if (identity.site !== remembered.site || identity.credential !== remembered.credential) this.write('identity.json', JSON.stringify(identity));
    return identity;
  }

  contentTokenKey(): Buffer | null {
    const text = this.read('content-token-key');
    return text ? Buffer.from(text.trim(), 'base64url') : null;
  }

  saveContentTokenKey(key: string): void {
    this.write('content-token-key', key);
  }

  private read(name: string): string | null {
    try {
      return readFileSync(join(this.dataDir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private write(name: string, text: string): void {
    const temporary = join(this.dataDir, `.${name}.tmp`);
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, join(this.dataDir, name));
  }
}
