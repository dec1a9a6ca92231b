import { randomUUID } from 'node:crypto';
import {
  ALL_SYSTEMS_COLLECTION_NAME,
  AddCollectionMembersRequest,
  CollectionGraphError,
  CollectionMembersQuery,
  CreateCollectionRequest,
  UpdateCollectionRequest,
  clientSettingNames,
  directDependants,
  planCollections,
  type ClientCollections,
  type Collection,
  type CollectionMembers,
  type EffectiveClientSettings,
} from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { explainClientSettings } from '../../collections/client-settings.ts';
import { loadCollections, memberCounts, recordOf, rowOf, toCollection, type CollectionRecord } from '../../collections/collection-rows.ts';
import { lockMemberships, refreshMemberships } from '../../collections/memberships.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import type { Database } from '../../store/schema.ts';

const id = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());
const CollectionIdParam = z.strictObject({ collectionId: id('a collection id') });
const MemberParam = z.strictObject({ collectionId: id('a collection id'), clientId: id('a client id') });
const ClientIdParam = z.strictObject({ clientId: id('a client id') });

/** Fields of All Systems an administrator may change: it assigns settings like any collection, but its membership is fixed. */
const BUILT_IN_CHANGEABLE = new Set(['description', 'clientSettings', 'settingsPriority']);

/**
 * Collections (`/api/v1/collections`) and what they mean for one client
 * (`/api/v1/clients/:clientId/collections`, `/settings`). Semantics: docs/collections.md.
 */
export function registerCollectionRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  async function collectionOr404(trx: Transaction<Database> | typeof db, collectionId: string): Promise<CollectionRecord> {
    const row = await trx.selectFrom('collections').selectAll().where('collection_id', '=', collectionId).executeTakeFirst();
    if (!row) throw notFound(`collection ${collectionId}`);
    return recordOf(row);
  }

  async function withCounts(trx: Transaction<Database> | typeof db, record: CollectionRecord): Promise<Collection> {
    return toCollection(record, (await memberCounts(trx, record.collectionId)).get(record.collectionId) ?? { members: 0, direct: 0 });
  }

  /**
   * Checks a collection as it would be stored against the others (references, name and priority
   * unique, no cycle), answering 4xx without writing anything.
   */
  function checkAgainst(others: readonly CollectionRecord[], proposed: CollectionRecord): void {
    const clash = others.find((c) => c.name.toLowerCase() === proposed.name.toLowerCase());
    if (clash) throw new HttpError(409, `a collection named ${JSON.stringify(clash.name)} already exists (${clash.collectionId})`);
    const byId = new Map(others.map((c) => [c.collectionId, c]));
    const missing = (id: string | null, what: string) => {
      if (id !== null && id !== proposed.collectionId && !byId.has(id)) throw notFound(`${what} collection ${id}`);
    };
    missing(proposed.limitingCollectionId, 'limiting');
    for (const id of proposed.includeCollectionIds) missing(id, 'included');
    for (const id of proposed.excludeCollectionIds) missing(id, 'excluded');
    if (proposed.settingsPriority !== null) {
      const holder = others.find((c) => c.settingsPriority === proposed.settingsPriority);
      if (holder) throw new HttpError(409, `settings priority ${proposed.settingsPriority} is already held by collection ${JSON.stringify(holder.name)}; priorities are unique`);
    }
    try {
      // The changed collection first: a cycle is reported starting from it.
      planCollections([proposed, ...others]);
    } catch (error) {
      if (error instanceof CollectionGraphError) throw new HttpError(400, `invalid collection: ${error.message}`);
      throw error;
    }
  }

  /** A collection without settings holds no priority; one with settings needs one. */
  function settleSettingsPriority(record: CollectionRecord, priorityGiven: boolean): void {
    const hasSettings = Object.keys(record.clientSettings).length > 0;
    if (!hasSettings && record.settingsPriority !== null) {
      if (priorityGiven) throw new HttpError(400, 'invalid collection: settingsPriority: only a collection that assigns clientSettings has a settings priority');
      record.settingsPriority = null;
    }
    if (hasSettings && record.settingsPriority === null) {
      throw new HttpError(400, 'invalid collection: settingsPriority: client settings need a settingsPriority (1 is the highest) to decide between collections');
    }
  }

  app.get('/api/v1/collections', { config: { permission: 'read' } }, async (): Promise<{ collections: Collection[] }> => {
    const [records, counts] = [await loadCollections(db), await memberCounts(db)];
    return { collections: records.map((r) => toCollection(r, counts.get(r.collectionId) ?? { members: 0, direct: 0 })) };
  });

  app.get('/api/v1/collections/:collectionId', { config: { permission: 'read' } }, async (request): Promise<Collection> => {
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    return withCounts(db, await collectionOr404(db, collectionId));
  });

  app.post('/api/v1/collections', { config: { permission: 'manage' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(CreateCollectionRequest, request.body, 'collection');
    const now = site.clock.now();
    const record: CollectionRecord = {
      collectionId: randomUUID(),
      name: input.name,
      description: input.description,
      builtIn: false,
      limitingCollectionId: input.limitingCollectionId.toLowerCase(),
      queryRules: input.queryRules,
      includeCollectionIds: input.includeCollectionIds.map((id) => id.toLowerCase()),
      excludeCollectionIds: input.excludeCollectionIds.map((id) => id.toLowerCase()),
      clientSettings: input.clientSettings,
      settingsPriority: input.settingsPriority,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    settleSettingsPriority(record, input.settingsPriority !== null);
    const created = await db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      checkAgainst(await loadCollections(trx), record);
      await trx.insertInto('collections').values(rowOf(record)).execute();
      const refresh = await refreshMemberships(trx, { collectionIds: [record.collectionId] });
      await recordAudit(trx, { actor: actor.username, action: 'collection.create', target: record.collectionId, details: { name: record.name, ...auditedDefinition(record), members: refresh.added } }, now);
      return withCounts(trx, record);
    });
    return reply.status(201).send(created);
  });

  app.patch('/api/v1/collections/:collectionId', { config: { permission: 'manage' } }, async (request): Promise<Collection> => {
    const actor = principalOf(request);
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const input = parseInput(UpdateCollectionRequest, request.body, 'collection');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      const all = await loadCollections(trx);
      const current = all.find((c) => c.collectionId === collectionId);
      if (!current) throw notFound(`collection ${collectionId}`);
      const given = Object.keys(input);
      if (current.builtIn) {
        const refused = given.filter((k) => !BUILT_IN_CHANGEABLE.has(k));
        if (refused.length) throw new HttpError(400, `${ALL_SYSTEMS_COLLECTION_NAME} is built in: it holds every active client, so ${refused.join(', ')} cannot be changed (only description, clientSettings and settingsPriority)`);
      }
      const next: CollectionRecord = {
        ...current,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        limitingCollectionId: input.limitingCollectionId?.toLowerCase() ?? current.limitingCollectionId,
        queryRules: input.queryRules ?? current.queryRules,
        includeCollectionIds: input.includeCollectionIds?.map((id) => id.toLowerCase()) ?? current.includeCollectionIds,
        excludeCollectionIds: input.excludeCollectionIds?.map((id) => id.toLowerCase()) ?? current.excludeCollectionIds,
        clientSettings: input.clientSettings ?? current.clientSettings,
        settingsPriority: input.settingsPriority !== undefined ? input.settingsPriority : current.settingsPriority,
        updatedAt: now.toISOString(),
      };
      settleSettingsPriority(next, input.settingsPriority !== undefined && input.settingsPriority !== null);
      const both = next.includeCollectionIds.filter((id) => next.excludeCollectionIds.includes(id));
      if (both.length) throw new HttpError(400, `invalid collection: collection ${both[0]} is both included and excluded`);
      checkAgainst(all.filter((c) => c.collectionId !== collectionId), next);
      const row = rowOf(next);
      const { collection_id: _id, created_at: _created, built_in: _builtIn, ...changes } = row;
      await trx.updateTable('collections').set(changes).where('collection_id', '=', collectionId).execute();
      const membershipChanged = ['limitingCollectionId', 'queryRules', 'includeCollectionIds', 'excludeCollectionIds'].some((k) => given.includes(k));
      const refresh = membershipChanged ? await refreshMemberships(trx, { collectionIds: [collectionId] }) : { added: 0, removed: 0 };
      await recordAudit(trx, { actor: actor.username, action: 'collection.update', target: collectionId, details: { name: next.name, changed: given, ...auditedDefinition(next), membersAdded: refresh.added, membersRemoved: refresh.removed } }, now);
      return withCounts(trx, next);
    });
  });

  app.delete('/api/v1/collections/:collectionId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      const all = await loadCollections(trx);
      const current = all.find((c) => c.collectionId === collectionId);
      if (!current) throw notFound(`collection ${collectionId}`);
      if (current.builtIn) throw new HttpError(409, `${current.name} is built in and cannot be deleted`);
      const dependants = directDependants(all, collectionId);
      if (dependants.length) {
        const named = dependants.map((d) => `${JSON.stringify(d.collection.name)} (${d.relation} it)`).join(', ');
        throw new HttpError(409, `collection ${JSON.stringify(current.name)} cannot be deleted: ${named} depend${dependants.length === 1 ? 's' : ''} on it; change ${dependants.length === 1 ? 'that collection' : 'those collections'} first`, {
          dependants: dependants.map((d) => ({ collectionId: d.collection.collectionId, name: d.collection.name, relation: d.relation })),
        });
      }
      // Deployments and rules that target it keep it: an administrator removes them first, knowing what stops.
      const deployments = await trx.selectFrom('deployments').select(['deployment_id', 'name']).where('collection_id', '=', collectionId).orderBy('name').execute();
      const rules = (await trx.selectFrom('automatic_deployment_rules').select(['adr_id', 'name', 'definition']).orderBy('name_key').execute()).filter((r) =>
        (JSON.parse(r.definition) as { deployments: Array<{ collectionId: string }> }).deployments.some((d) => d.collectionId === collectionId),
      );
      if (deployments.length || rules.length) {
        const named = [...deployments.map((d) => `deployment ${JSON.stringify(d.name)}`), ...rules.map((r) => `automatic deployment rule ${JSON.stringify(r.name)}`)].join(', ');
        throw new HttpError(409, `collection ${JSON.stringify(current.name)} cannot be deleted while ${named} deploy${deployments.length + rules.length === 1 ? 's' : ''} to it; delete or change ${deployments.length + rules.length === 1 ? 'it' : 'them'} first`, {
          deployments: deployments.map((d) => ({ deploymentId: d.deployment_id, name: d.name })),
          rules: rules.map((r) => ({ adrId: r.adr_id, name: r.name })),
        });
      }
      const counts = (await memberCounts(trx, collectionId)).get(collectionId) ?? { members: 0, direct: 0 };
      await trx.deleteFrom('collection_members').where('collection_id', '=', collectionId).execute();
      await trx.deleteFrom('collection_direct_members').where('collection_id', '=', collectionId).execute();
      await trx.deleteFrom('collections').where('collection_id', '=', collectionId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'collection.delete', target: collectionId, details: { name: current.name, members: counts.members, directMembers: counts.direct } }, now);
      return { collectionId, deleted: true };
    });
  });

  app.get('/api/v1/collections/:collectionId/members', { config: { permission: 'read' } }, async (request): Promise<CollectionMembers> => {
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const { limit, offset, direct } = parseInput(CollectionMembersQuery, request.query, 'query');
    await collectionOr404(db, collectionId);
    if (direct) {
      const base = db.selectFrom('collection_direct_members as d').innerJoin('clients as c', 'c.client_id', 'd.client_id').where('d.collection_id', '=', collectionId);
      const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await base
        .leftJoin('collection_members as m', (j) => j.onRef('m.collection_id', '=', 'd.collection_id').onRef('m.client_id', '=', 'd.client_id'))
        .select(['c.client_id', 'c.name', 'c.status', 'm.client_id as member_id'])
        .orderBy('c.name')
        .orderBy('c.client_id')
        .limit(limit)
        .offset(offset)
        .execute();
      return { collectionId, listing: 'direct', total, limit, offset, members: rows.map((r) => ({ clientId: r.client_id, name: r.name, status: r.status as 'active' | 'pending', direct: true, member: r.member_id !== null })) };
    }
    const base = db.selectFrom('collection_members as m').innerJoin('clients as c', 'c.client_id', 'm.client_id').where('m.collection_id', '=', collectionId);
    const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await base
      .leftJoin('collection_direct_members as d', (j) => j.onRef('d.collection_id', '=', 'm.collection_id').onRef('d.client_id', '=', 'm.client_id'))
      .select(['c.client_id', 'c.name', 'c.status', 'd.client_id as direct_id'])
      .orderBy('c.name')
      .orderBy('c.client_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return { collectionId, listing: 'members', total, limit, offset, members: rows.map((r) => ({ clientId: r.client_id, name: r.name, status: r.status as 'active' | 'pending', direct: r.direct_id !== null, member: true })) };
  });

  app.post('/api/v1/collections/:collectionId/members', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const { clientIds } = parseInput(AddCollectionMembersRequest, request.body, 'direct members');
    const wanted = [...new Set(clientIds.map((id) => id.toLowerCase()))];
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      const collection = await collectionOr404(trx, collectionId);
      if (collection.builtIn) throw new HttpError(400, `${collection.name} holds every active client; it has no direct members`);
      const known = new Set((await trx.selectFrom('clients').select('client_id').where('client_id', 'in', wanted).execute()).map((r) => r.client_id));
      const unknown = wanted.filter((id) => !known.has(id));
      if (unknown.length) throw notFound(`client${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
      const already = new Set(
        (await trx.selectFrom('collection_direct_members').select('client_id').where('collection_id', '=', collectionId).where('client_id', 'in', wanted).execute()).map((r) => r.client_id),
      );
      const added = wanted.filter((id) => !already.has(id));
      if (added.length) {
        await trx.insertInto('collection_direct_members').values(added.map((clientId) => ({ collection_id: collectionId, client_id: clientId, added_at: now.toISOString(), added_by: actor.username }))).execute();
        await refreshMemberships(trx, { clientIds: added, collectionIds: [collectionId] });
        await recordAudit(trx, { actor: actor.username, action: 'collection.add-members', target: collectionId, details: { name: collection.name, clientIds: added } }, now);
      }
      return { collectionId, added, alreadyDirect: wanted.filter((id) => already.has(id)) };
    });
  });

  app.delete('/api/v1/collections/:collectionId/members/:clientId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { collectionId, clientId } = parseInput(MemberParam, request.params, 'path');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      const collection = await collectionOr404(trx, collectionId);
      const client = await trx.selectFrom('clients').select(['name']).where('client_id', '=', clientId).executeTakeFirst();
      if (!client) throw notFound(`client ${clientId}`);
      const removed = await trx.deleteFrom('collection_direct_members').where('collection_id', '=', collectionId).where('client_id', '=', clientId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) throw notFound(`a direct membership of client ${client.name} in collection ${JSON.stringify(collection.name)}`);
      await refreshMemberships(trx, { clientIds: [clientId], collectionIds: [collectionId] });
      await recordAudit(trx, { actor: actor.username, action: 'collection.remove-member', target: collectionId, details: { name: collection.name, clientId, clientName: client.name } }, now);
      // Still a member when a query rule or an included collection holds it.
      return { collectionId, clientId, removed: true, stillMember: await isMember(trx, collectionId, clientId) };
    });
  });

  async function isMember(trx: Transaction<Database>, collectionId: string, clientId: string): Promise<boolean> {
    return (await trx.selectFrom('collection_members').select('client_id').where('collection_id', '=', collectionId).where('client_id', '=', clientId).executeTakeFirst()) !== undefined;
  }

  app.get('/api/v1/clients/:clientId/collections', { config: { permission: 'read' } }, async (request): Promise<ClientCollections> => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const client = await db.selectFrom('clients').select(['client_id', 'name']).where('client_id', '=', clientId).executeTakeFirst();
    if (!client) throw notFound(`client ${clientId}`);
    const rows = await db
      .selectFrom('collection_members as m')
      .innerJoin('collections as c', 'c.collection_id', 'm.collection_id')
      .leftJoin('collection_direct_members as d', (j) => j.onRef('d.collection_id', '=', 'm.collection_id').onRef('d.client_id', '=', 'm.client_id'))
      .select(['c.collection_id', 'c.name', 'c.name_key', 'c.settings_priority', 'd.client_id as direct_id'])
      .where('m.client_id', '=', clientId)
      .orderBy('c.name_key')
      .execute();
    return { clientId, name: client.name, collections: rows.map((r) => ({ collectionId: r.collection_id, name: r.name, direct: r.direct_id !== null, settingsPriority: r.settings_priority })) };
  });

  app.get('/api/v1/clients/:clientId/settings', { config: { permission: 'read' } }, async (request): Promise<EffectiveClientSettings> => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const client = await db.selectFrom('clients').select(['client_id', 'name']).where('client_id', '=', clientId).executeTakeFirst();
    if (!client) throw notFound(`client ${clientId}`);
    const { settings, origins } = await explainClientSettings(db, clientId);
    return {
      clientId,
      name: client.name,
      clientSettings: settings,
      settings: clientSettingNames.map((setting) => {
        const o = origins[setting];
        return o.source === 'default'
          ? { setting, value: settings[setting], source: 'default' as const, collectionId: null, collectionName: null, settingsPriority: null }
          : { setting, value: settings[setting], source: 'collection' as const, collectionId: o.collectionId, collectionName: o.name, settingsPriority: o.settingsPriority };
      }),
    };
  });
}

/** What the audit log keeps of a definition: everything but the rules' bodies (their names and count). */
function auditedDefinition(r: CollectionRecord): Record<string, unknown> {
  return {
    limitingCollectionId: r.limitingCollectionId,
    queryRules: r.queryRules.map((q) => q.name),
    includeCollectionIds: r.includeCollectionIds,
    excludeCollectionIds: r.excludeCollectionIds,
    clientSettings: r.clientSettings,
    settingsPriority: r.settingsPriority,
  };
}
