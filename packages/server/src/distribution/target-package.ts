import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-log.ts';
import { notFound } from '../http/http-error.ts';
import type { Database } from '../store/schema.ts';

export interface TargetResult {
  package: { package_id: string; name: string; content_version: number };
  /** Names of the distribution points the package was newly sent to. */
  added: string[];
  /** Names of those it was sent to again (started over). */
  redistributed: string[];
}

/**
 * Sends a deployment package to distribution points: each gets a `pending` row at the package's
 * content version, which a remote distribution point picks up at its next pass. A distribution
 * point that already has the package keeps its state, unless `redistribute` starts it over (how
 * an administrator retries a failed distribution). Audited; 404 for an unknown package or
 * distribution point, changing nothing.
 */
export async function targetPackage(
  db: Kysely<Database>,
  packageId: string,
  dpIds: readonly string[],
  options: { actor: string; now: Date; redistribute?: boolean },
): Promise<TargetResult> {
  if (!db.isTransaction) return db.transaction().execute((trx) => targetPackage(trx, packageId, dpIds, options));
  const wanted = [...new Set(dpIds.map((d) => d.toLowerCase()))];
  const pkg = await db.selectFrom('deployment_packages').select(['package_id', 'name', 'content_version']).where('package_id', '=', packageId).executeTakeFirst();
  if (!pkg) throw notFound(`deployment package ${packageId}`);
  if (wanted.length === 0) return { package: pkg, added: [], redistributed: [] };
  const dps = await db.selectFrom('distribution_points').select(['dp_id', 'name']).where('dp_id', 'in', wanted).execute();
  const unknown = wanted.filter((w) => !dps.some((d) => d.dp_id === w));
  if (unknown.length) throw notFound(`distribution point${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const existing = new Set((await db.selectFrom('dp_packages').select('dp_id').where('package_id', '=', packageId).where('dp_id', 'in', wanted).execute()).map((r) => r.dp_id));
  const fresh = { state: 'pending', content_version: pkg.content_version, bytes_total: 0, bytes_done: 0, error: null, updated_at: options.now.toISOString() };
  const added = wanted.filter((d) => !existing.has(d));
  if (added.length) await db.insertInto('dp_packages').values(added.map((dpId) => ({ dp_id: dpId, package_id: packageId, ...fresh }))).execute();
  const again = options.redistribute ? wanted.filter((d) => existing.has(d)) : [];
  if (again.length) await db.updateTable('dp_packages').set(fresh).where('package_id', '=', packageId).where('dp_id', 'in', again).execute();
  const nameOf = (dpId: string) => dps.find((d) => d.dp_id === dpId)!.name;
  const result = { package: pkg, added: added.map(nameOf), redistributed: again.map(nameOf) };
  if (added.length || again.length) {
    await recordAudit(db, { actor: options.actor, action: 'package.distribute', target: packageId, details: { name: pkg.name, contentVersion: pkg.content_version, added: result.added, redistributed: result.redistributed } }, options.now);
  }
  return result;
}
