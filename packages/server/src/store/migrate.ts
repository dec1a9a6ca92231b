import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './store.ts';
import * as siteAndCatalogue from './migrations/0001-site-and-catalogue.ts';
import * as clients from './migrations/0002-clients.ts';
import * as collections from './migrations/0003-collections.ts';
import * as stateMessages from './migrations/0004-state-messages.ts';
import * as inventoryIndex from './migrations/0005-inventory-index.ts';
import * as enrolmentTokenCollection from './migrations/0006-enrolment-token-collection.ts';
import * as deployment from './migrations/0007-deployment.ts';
import * as consoleIndexes from './migrations/0008-console-indexes.ts';
import * as updateTextIndex from './migrations/0009-update-text-index.ts';

/**
 * Migrations in order; each receives the engine kind for the few places the DDL differs. Kysely
 * runs them sorted by name. Unordered migrations are allowed: a database that already ran a later
 * migration (0004) before an earlier-numbered one (0003) was added still runs the earlier one;
 * migrations touching different tables do not depend on each other's order.
 */
const migrations = { '0001-site-and-catalogue': siteAndCatalogue, '0002-clients': clients, '0003-collections': collections, '0004-state-messages': stateMessages, '0005-inventory-index': inventoryIndex, '0006-enrolment-token-collection': enrolmentTokenCollection, '0007-deployment': deployment, '0008-console-indexes': consoleIndexes, '0009-update-text-index': updateTextIndex };

export async function migrateToLatest(store: Store): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(migrations)) out[name] = { up: (db) => m.up(db, store.kind) };
      return out;
    },
  };
  const { error, results } = await new Migrator({ db: store.db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
