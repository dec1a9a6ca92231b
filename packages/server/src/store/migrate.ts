import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './store.ts';
import * as siteAndCatalogue from './migrations/0001-site-and-catalogue.ts';
import * as clients from './migrations/0002-clients.ts';

/** Migrations in order; each receives the engine kind for the few places the DDL differs. */
const migrations = { '0001-site-and-catalogue': siteAndCatalogue, '0002-clients': clients };

export async function migrateToLatest(store: Store): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(migrations)) out[name] = { up: (db) => m.up(db, store.kind) };
      return out;
    },
  };
  const { error, results } = await new Migrator({ db: store.db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
