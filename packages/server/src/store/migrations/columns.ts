import type { CreateTableBuilder } from 'kysely';
import type { StoreKind } from '../store.ts';

/** An auto-incrementing integer primary key, spelled the way each engine wants it. */
export function autoId<T extends string>(table: CreateTableBuilder<T, never>, column: string, kind: StoreKind) {
  return kind === 'postgres'
    ? table.addColumn(column, 'serial', (c) => c.primaryKey())
    : table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
}
