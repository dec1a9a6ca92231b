import { randomUUID } from 'node:crypto';
import {
  ChangeUpdateGroupRequest,
  CreateUpdateGroupRequest,
  GroupUpdatesRequest,
  UpdateGroupMembersQuery,
  type UpdateFilter,
  type UpdateGroup,
  type UpdateGroupChange,
  type UpdateGroupDetail,
} from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { collectionExists } from '../../compliance/client-compliance.ts';
import {
  addUpdateIds,
  addUpdatesMatching,
  checkDeployable,
  checkKnown,
  noChange,
  removeUpdateIds,
  removeUpdatesMatching,
  type MembershipChange,
} from '../../groups/group-members.ts';
import { groupMembers, groupRow, listUpdateGroups, loadUpdateGroup } from '../../groups/group-queries.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import type { Database } from '../../store/schema.ts';

const GroupIdParam = z.strictObject({ groupId: z.string().uuid('a group id is a UUID').transform((s) => s.toLowerCase()) });

/** Room for MAX_UPDATE_IDS_PER_REQUEST ids (about 40 bytes each in JSON). */
const MEMBERSHIP_BODY_LIMIT = 1024 * 1024;

const sum = (a: MembershipChange, b: MembershipChange): MembershipChange => ({
  added: a.added + b.added,
  alreadyMembers: a.alreadyMembers + b.alreadyMembers,
  skippedExpired: a.skippedExpired + b.skippedExpired,
  removed: a.removed + b.removed,
  notMembers: a.notMembers + b.notMembers,
});

/** Update groups (`/api/v1/update-groups`, §6.2). Semantics: docs/deployment-packages.md. */
export function registerUpdateGroupRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  async function groupOr404(trx: Transaction<Database> | typeof db, groupId: string) {
    const row = await groupRow(trx, groupId);
    if (!row) throw notFound(`update group ${groupId}`);
    return row;
  }

  async function checkNameFree(trx: Transaction<Database>, name: string, except?: string): Promise<void> {
    const clash = await trx.selectFrom('update_groups').select(['group_id', 'name']).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    if (clash && clash.group_id !== except) throw new HttpError(409, `an update group named ${JSON.stringify(clash.name)} already exists (${clash.group_id})`);
  }

  async function checkFilter(filter: UpdateFilter | undefined): Promise<void> {
    if (filter?.collectionId !== undefined && !(await collectionExists(db, filter.collectionId))) throw notFound(`collection ${filter.collectionId}`);
  }

  /** What the audit log keeps of a selection: the filter whole, the ids counted. */
  const auditedSelection = (updateIds: readonly string[] | undefined, filter: UpdateFilter | undefined, change: MembershipChange) => ({
    ...(updateIds ? { updateIds: updateIds.length <= 100 ? updateIds : `${updateIds.length} update ids` } : {}),
    ...(filter ? { filter } : {}),
    ...change,
  });

  app.get('/api/v1/update-groups', { config: { permission: 'read' } }, async (): Promise<{ groups: UpdateGroup[] }> => ({ groups: await listUpdateGroups(db) }));

  app.get('/api/v1/update-groups/:groupId', { config: { permission: 'read' } }, async (request): Promise<UpdateGroupDetail> => {
    const { groupId } = parseInput(GroupIdParam, request.params, 'path');
    const query = parseInput(UpdateGroupMembersQuery, request.query, 'query');
    const group = await loadUpdateGroup(db, groupId);
    if (!group) throw notFound(`update group ${groupId}`);
    return { ...group, members: await groupMembers(db, groupId, query) };
  });

  app.post('/api/v1/update-groups', { config: { permission: 'manage' }, bodyLimit: MEMBERSHIP_BODY_LIMIT }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(CreateUpdateGroupRequest, request.body, 'update group');
    await checkFilter(input.filter);
    const now = site.clock.now();
    const groupId = randomUUID();
    const result = await db.transaction().execute(async (trx): Promise<UpdateGroupChange> => {
      await checkNameFree(trx, input.name);
      if (input.updateIds) await checkDeployable(trx, input.updateIds);
      await trx
        .insertInto('update_groups')
        .values({ group_id: groupId, name: input.name, name_key: input.name.toLowerCase(), description: input.description, created_by: actor.username, created_at: now.toISOString(), updated_at: now.toISOString() })
        .execute();
      let change = noChange();
      if (input.updateIds) change = sum(change, await addUpdateIds(trx, groupId, input.updateIds, now));
      if (input.filter) change = sum(change, await addUpdatesMatching(trx, groupId, input.filter, now));
      await recordAudit(trx, { actor: actor.username, action: 'update-group.create', target: groupId, details: { name: input.name, ...auditedSelection(input.updateIds, input.filter, change) } }, now);
      return { group: (await loadUpdateGroup(trx, groupId))!, ...change };
    });
    return reply.status(201).send(result);
  });

  app.patch('/api/v1/update-groups/:groupId', { config: { permission: 'manage' } }, async (request): Promise<UpdateGroup> => {
    const actor = principalOf(request);
    const { groupId } = parseInput(GroupIdParam, request.params, 'path');
    const input = parseInput(ChangeUpdateGroupRequest, request.body, 'update group');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const current = await groupOr404(trx, groupId);
      if (input.name !== undefined) await checkNameFree(trx, input.name, groupId);
      const name = input.name ?? current.name;
      await trx
        .updateTable('update_groups')
        .set({ name, name_key: name.toLowerCase(), description: input.description ?? current.description, updated_at: now.toISOString() })
        .where('group_id', '=', groupId)
        .execute();
      await recordAudit(trx, { actor: actor.username, action: 'update-group.update', target: groupId, details: { name, changed: Object.keys(input), previousName: current.name } }, now);
      return (await loadUpdateGroup(trx, groupId))!;
    });
  });

  app.post('/api/v1/update-groups/:groupId/updates', { config: { permission: 'manage' }, bodyLimit: MEMBERSHIP_BODY_LIMIT }, async (request): Promise<UpdateGroupChange> => {
    const actor = principalOf(request);
    const { groupId } = parseInput(GroupIdParam, request.params, 'path');
    const input = parseInput(GroupUpdatesRequest, request.body, 'updates');
    await checkFilter(input.filter);
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const group = await groupOr404(trx, groupId);
      if (input.updateIds) await checkDeployable(trx, input.updateIds);
      let change = noChange();
      if (input.updateIds) change = sum(change, await addUpdateIds(trx, groupId, input.updateIds, now));
      if (input.filter) change = sum(change, await addUpdatesMatching(trx, groupId, input.filter, now));
      if (change.added > 0) {
        await trx.updateTable('update_groups').set({ updated_at: now.toISOString() }).where('group_id', '=', groupId).execute();
        await recordAudit(trx, { actor: actor.username, action: 'update-group.add-updates', target: groupId, details: { name: group.name, ...auditedSelection(input.updateIds, input.filter, change) } }, now);
      }
      return { group: (await loadUpdateGroup(trx, groupId))!, ...change };
    });
  });

  app.delete('/api/v1/update-groups/:groupId/updates', { config: { permission: 'manage' }, bodyLimit: MEMBERSHIP_BODY_LIMIT }, async (request): Promise<UpdateGroupChange> => {
    const actor = principalOf(request);
    const { groupId } = parseInput(GroupIdParam, request.params, 'path');
    const input = parseInput(GroupUpdatesRequest, request.body, 'updates');
    await checkFilter(input.filter);
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const group = await groupOr404(trx, groupId);
      if (input.updateIds) await checkKnown(trx, input.updateIds);
      let change = noChange();
      if (input.updateIds) change = sum(change, await removeUpdateIds(trx, groupId, input.updateIds));
      if (input.filter) change = sum(change, await removeUpdatesMatching(trx, groupId, input.filter, now));
      if (change.removed > 0) {
        await trx.updateTable('update_groups').set({ updated_at: now.toISOString() }).where('group_id', '=', groupId).execute();
        await recordAudit(trx, { actor: actor.username, action: 'update-group.remove-updates', target: groupId, details: { name: group.name, ...auditedSelection(input.updateIds, input.filter, change) } }, now);
      }
      return { group: (await loadUpdateGroup(trx, groupId))!, ...change };
    });
  });

  app.delete('/api/v1/update-groups/:groupId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { groupId } = parseInput(GroupIdParam, request.params, 'path');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const group = await groupOr404(trx, groupId);
      const deployments = await trx.selectFrom('deployments').select(['deployment_id', 'name']).where('group_id', '=', groupId).orderBy('name').execute();
      const rules = await trx.selectFrom('automatic_deployment_rules').select(['adr_id', 'name']).where('group_id', '=', groupId).orderBy('name').execute();
      if (deployments.length || rules.length) {
        const users = [...deployments.map((d) => `deployment ${JSON.stringify(d.name)}`), ...rules.map((r) => `automatic deployment rule ${JSON.stringify(r.name)}`)];
        throw new HttpError(409, `update group ${JSON.stringify(group.name)} cannot be deleted while ${users.join(', ')} use${users.length === 1 ? 's' : ''} it; delete ${users.length === 1 ? 'it' : 'them'} first`, {
          deployments: deployments.map((d) => ({ deploymentId: d.deployment_id, name: d.name })),
          rules: rules.map((r) => ({ adrId: r.adr_id, name: r.name })),
        });
      }
      const { n } = await trx.selectFrom('update_group_members').select((eb) => eb.fn.countAll().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
      await trx.deleteFrom('update_group_members').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('update_groups').where('group_id', '=', groupId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'update-group.delete', target: groupId, details: { name: group.name, updates: Number(n) } }, now);
      return { groupId, deleted: true };
    });
  });
}
