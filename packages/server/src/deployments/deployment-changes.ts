import { randomUUID } from 'node:crypto';
import { checkDeploymentDefinition, type CreateDeploymentRequest, type DeploymentDefinition, type UpdateDeploymentRequest } from '@patchday/core';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { HttpError, notFound } from '../http/http-error.ts';
import type { Database } from '../store/schema.ts';
import { deploymentOr404, nextUpdatedAt, rowOf, type DeploymentRecord } from './deployment-rows.ts';

/** How many expired updates a refusal names (the details carry them all). */
const NAMED = 10;

export type NewDeployment = z.output<typeof CreateDeploymentRequest>;

/**
 * §6.4 creates a deployment of an update group to a collection, inside the caller's transaction
 * (the admin API, or an automatic deployment rule). Nothing is written per client: each member's
 * policy picks the deployment up from `deployments` when it is next fetched. Refused with 4xx and
 * nothing written: bad times, an unknown group or collection, a group holding expired updates.
 */
export async function createDeployment(trx: Transaction<Database>, input: NewDeployment, options: { actor: string; now: Date; adrId?: string | null }): Promise<DeploymentRecord> {
  const { name, groupId, collectionId, enabled, ...settings } = input;
  const definition = checkedDefinition(
    { ...settings, availableAt: settings.availableAt ?? defaultAvailableAt(options.now, settings.timeBasis) },
  );
  const group = await trx.selectFrom('update_groups').select(['group_id', 'name']).where('group_id', '=', groupId).executeTakeFirst();
  if (!group) throw notFound(`update group ${groupId}`);
  const collection = await trx.selectFrom('collections').select('collection_id').where('collection_id', '=', collectionId).executeTakeFirst();
  if (!collection) throw notFound(`collection ${collectionId}`);
  await refuseExpiredUpdates(trx, groupId, group.name);
  await refuseUnknownUpdates(trx, definition);
  const at = options.now.toISOString();
  const record: DeploymentRecord = { deploymentId: randomUUID(), name, groupId, collectionId, adrId: options.adrId ?? null, definition, enabled, createdBy: options.actor, createdAt: at, updatedAt: at };
  await trx.insertInto('deployments').values(rowOf(record)).execute();
  await recordAudit(trx, { actor: options.actor, action: 'deployment.create', target: record.deploymentId, details: { name, groupId, groupName: group.name, collectionId, enabled, ...definition } }, options.now);
  return record;
}

/**
 * Changes a deployment: each field given replaces the stored one. Making it `available` drops its
 * deadline unless one is given. Enabling and disabling are always allowed; a group that a sync has
 * since expired updates of is flagged, not refused.
 */
export async function changeDeployment(trx: Transaction<Database>, deploymentId: string, input: UpdateDeploymentRequest, options: { actor: string; now: Date }): Promise<DeploymentRecord> {
  const current = await deploymentOr404(trx, deploymentId);
  const { name, enabled, groupId: _group, collectionId: _collection, ...settings } = input;
  const given = Object.keys(input).filter((k) => input[k as keyof UpdateDeploymentRequest] !== undefined);
  const merged: DeploymentDefinition = { ...current.definition, ...stripUndefined(settings) };
  if (settings.purpose === 'available' && settings.deadlineAt === undefined) merged.deadlineAt = null;
  const definition = checkedDefinition(merged);
  await refuseUnknownUpdates(trx, definition);
  const next: DeploymentRecord = { ...current, name: name ?? current.name, enabled: enabled ?? current.enabled, definition, updatedAt: nextUpdatedAt(current.updatedAt, options.now) };
  const { deployment_id: _id, created_at: _created, created_by: _by, ...changes } = rowOf(next);
  await trx.updateTable('deployments').set(changes).where('deployment_id', '=', deploymentId).execute();
  const action = given.length === 1 && given[0] === 'enabled' ? (next.enabled ? 'deployment.enable' : 'deployment.disable') : 'deployment.update';
  await recordAudit(trx, { actor: options.actor, action, target: deploymentId, details: { name: next.name, changed: given, enabled: next.enabled, ...definition } }, options.now);
  return next;
}

/** Deletes a deployment, the states clients reported about it, and clears its open alert. */
export async function deleteDeployment(trx: Transaction<Database>, deploymentId: string, options: { actor: string; now: Date }): Promise<DeploymentRecord> {
  const current = await deploymentOr404(trx, deploymentId);
  const states = await trx.deleteFrom('client_deployment_states').where('deployment_id', '=', deploymentId).executeTakeFirst();
  await trx.updateTable('alerts').set({ cleared_at: options.now.toISOString() }).where('kind', '=', 'deployment-compliance').where('target_id', '=', deploymentId).where('cleared_at', 'is', null).execute();
  await trx.deleteFrom('deployments').where('deployment_id', '=', deploymentId).execute();
  await recordAudit(trx, { actor: options.actor, action: 'deployment.delete', target: deploymentId, details: { name: current.name, groupId: current.groupId, collectionId: current.collectionId, clientStates: Number(states.numDeletedRows) } }, options.now);
  return current;
}

function checkedDefinition(d: DeploymentDefinition): DeploymentDefinition {
  const checked = checkDeploymentDefinition(d);
  if ('problems' in checked) throw new HttpError(400, `invalid deployment: ${checked.problems.join('; ')}`, { issues: checked.problems });
  return checked.definition;
}

/** Now, in the deployment's time basis: for client-local deployments the wall-clock time of UTC now. */
function defaultAvailableAt(now: Date, basis: 'utc' | 'client-local'): string {
  return basis === 'utc' ? now.toISOString() : now.toISOString().slice(0, 19);
}

/** §12: expired updates cannot be deployed. */
async function refuseExpiredUpdates(db: Kysely<Database>, groupId: string, groupName: string): Promise<void> {
  const expired = await db
    .selectFrom('update_group_members as m')
    .innerJoin('updates as u', 'u.update_id', 'm.update_id')
    .select(['u.update_id', 'u.title'])
    .where('m.group_id', '=', groupId)
    .where('u.expired', '=', 1)
    .orderBy('u.title')
    .orderBy('u.update_id')
    .execute();
  if (!expired.length) return;
  const named = expired.slice(0, NAMED).map((u) => `${u.title} (${u.update_id})`).join(', ');
  const more = expired.length > NAMED ? ` and ${expired.length - NAMED} more` : '';
  throw new HttpError(409, `update group ${JSON.stringify(groupName)} holds ${expired.length} expired update${expired.length === 1 ? '' : 's'}, which cannot be deployed: ${named}${more}; remove ${expired.length === 1 ? 'it' : 'them'} from the group first`, {
    expiredUpdates: expired.map((u) => ({ updateId: u.update_id, title: u.title })),
  });
}

/** A run-time override names an update of the catalogue. */
async function refuseUnknownUpdates(db: Kysely<Database>, d: DeploymentDefinition): Promise<void> {
  const ids = Object.keys(d.updateMaxRunMinutes);
  if (!ids.length) return;
  const known = new Set((await db.selectFrom('updates').select('update_id').where('update_id', 'in', ids).execute()).map((r) => r.update_id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new HttpError(400, `invalid deployment: updateMaxRunMinutes: ${unknown.map((id) => `update ${id}`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in this site's catalogue`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
