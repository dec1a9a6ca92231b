import { randomUUID } from 'node:crypto';
import { ClientComplianceQuery, CreateEnrolmentTokenRequest, type Client, type EnrolmentToken } from '@patchday/core';
import { clientCompliance } from '../../compliance/client-compliance.ts';
import { releaseInventories } from '../../inventory/inventory-store.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { newSecret, sha256 } from '../../clients/client-credentials.ts';
import { lockMemberships, refreshMemberships } from '../../collections/memberships.ts';
import { registerCollectionRoutes } from './collection-routes.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import type { ClientsTable, EnrolmentTokensTable } from '../../store/schema.ts';

const TokenIdParam = z.object({ tokenId: z.string().uuid('a token id is a UUID') });
const ClientIdParam = z.object({ clientId: z.string().uuid('a client id is a UUID') });

function toEnrolmentToken(row: EnrolmentTokensTable): EnrolmentToken {
  return { tokenId: row.token_id, name: row.name, createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at, usesLeft: row.uses_left, revoked: row.revoked === 1, collectionId: row.collection_id };
}

function toClient(row: Pick<ClientsTable, (typeof clientColumns)[number]>): Client {
  return {
    clientId: row.client_id,
    name: row.name,
    status: row.status as Client['status'],
    enrolledAt: row.enrolled_at,
    lastPolicyAt: row.last_policy_at,
    lastInventoryAt: row.last_inventory_at,
    lastStateMessageAt: row.last_state_message_at,
    lastScan:
      row.last_scan_at === null || row.last_scan_state_id === null
        ? null
        : { at: row.last_scan_at, stateId: row.last_scan_state_id, error: row.last_scan_error, anchor: row.last_scan_anchor, product: row.last_scan_product, completedAt: row.last_scan_completed_at },
  };
}

const clientColumns = [
  'client_id', 'name', 'status', 'enrolled_at', 'last_policy_at', 'last_inventory_at', 'last_state_message_at',
  'last_scan_at', 'last_scan_state_id', 'last_scan_error', 'last_scan_anchor', 'last_scan_product', 'last_scan_completed_at',
] as const;

/** Enrolment tokens and the client registry (`/api/v1/enrolment-tokens`, `/api/v1/clients`). */
export function registerClientRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.post('/api/v1/enrolment-tokens', { config: { permission: 'administer' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(CreateEnrolmentTokenRequest, request.body, 'enrolment token');
    const now = site.clock.now();
    const token = newSecret('pde');
    const row: EnrolmentTokensTable = {
      token_id: randomUUID(),
      token_hash: sha256(token),
      name: input.name,
      created_by: actor.username,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + input.expiresInHours * 3_600_000).toISOString(),
      uses_left: input.uses,
      revoked: 0,
      collection_id: input.collectionId?.toLowerCase() ?? null,
    };
    await db.transaction().execute(async (trx) => {
      if (row.collection_id !== null) {
        const collection = await trx.selectFrom('collections').select(['name', 'built_in']).where('collection_id', '=', row.collection_id).executeTakeFirst();
        if (!collection) throw notFound(`collection ${row.collection_id}`);
        if (collection.built_in) throw new HttpError(400, `${collection.name} holds every active client already; name another collection for the token`);
      }
      await trx.insertInto('enrolment_tokens').values(row).execute();
      await recordAudit(trx, { actor: actor.username, action: 'enrolment-token.create', target: row.token_id, details: { name: input.name, expiresAt: row.expires_at, uses: input.uses, collectionId: row.collection_id } }, now);
    });
    // The token itself is shown this once; the site keeps only its hash.
    return reply.status(201).send({ ...toEnrolmentToken(row), token });
  });

  app.get('/api/v1/enrolment-tokens', { config: { permission: 'administer' } }, async () => {
    const rows = await db.selectFrom('enrolment_tokens').selectAll().orderBy('created_at', 'desc').execute();
    return { tokens: rows.map(toEnrolmentToken) };
  });

  app.delete('/api/v1/enrolment-tokens/:tokenId', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const { tokenId } = parseInput(TokenIdParam, request.params, 'path');
    const row = await db.selectFrom('enrolment_tokens').select('token_id').where('token_id', '=', tokenId).executeTakeFirst();
    if (!row) throw notFound(`enrolment token ${tokenId}`);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('enrolment_tokens').set({ revoked: 1 }).where('token_id', '=', tokenId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'enrolment-token.revoke', target: tokenId }, site.clock.now());
    });
    return { tokenId, revoked: true };
  });

  app.get('/api/v1/clients', { config: { permission: 'read' } }, async () => {
    const rows = await db.selectFrom('clients').select(clientColumns).orderBy('name').execute();
    return { clients: rows.map(toClient) };
  });

  app.get('/api/v1/clients/:clientId', { config: { permission: 'read' } }, async (request) => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const row = await db.selectFrom('clients').select(clientColumns).where('client_id', '=', clientId).executeTakeFirst();
    if (!row) throw notFound(`client ${clientId}`);
    return toClient(row);
  });

  app.get('/api/v1/clients/:clientId/compliance', { config: { permission: 'read' } }, async (request) => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const { include } = parseInput(ClientComplianceQuery, request.query, 'query');
    const compliance = await clientCompliance(db, clientId, include);
    if (!compliance) throw notFound(`client ${clientId}`);
    return compliance;
  });

  app.post('/api/v1/clients/:clientId/approve', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const row = await db.selectFrom('clients').select(clientColumns).where('client_id', '=', clientId).executeTakeFirst();
    if (!row) throw notFound(`client ${clientId}`);
    if (row.status === 'active') throw new HttpError(409, `client ${row.name} is already approved`);
    await db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      await trx.updateTable('clients').set({ status: 'active' }).where('client_id', '=', clientId).execute();
      // An approved client joins All Systems and every collection whose rules it matches.
      await refreshMemberships(trx, { clientIds: [clientId] });
      await recordAudit(trx, { actor: actor.username, action: 'client.approve', target: clientId, details: { name: row.name } }, site.clock.now());
    });
    return toClient({ ...row, status: 'active' });
  });

  app.delete('/api/v1/clients/:clientId', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const row = await db.selectFrom('clients').select(['name']).where('client_id', '=', clientId).executeTakeFirst();
    if (!row) throw notFound(`client ${clientId}`);
    await db.transaction().execute(async (trx) => {
      // Its direct-membership rules and its memberships go with it (collections stay).
      await lockMemberships(trx);
      await trx.deleteFrom('collection_direct_members').where('client_id', '=', clientId).execute();
      await trx.deleteFrom('collection_members').where('client_id', '=', clientId).execute();
      await trx.deleteFrom('client_update_states').where('client_id', '=', clientId).execute();
      await trx.deleteFrom('client_deployment_states').where('client_id', '=', clientId).execute();
      const removed = await trx.deleteFrom('clients').where('client_id', '=', clientId).returning('inventory_sha256').executeTakeFirst();
      // Its inventory goes too, unless another client has the same one.
      if (removed?.inventory_sha256) await releaseInventories(trx, [removed.inventory_sha256]);
      await recordAudit(trx, { actor: actor.username, action: 'client.remove', target: clientId, details: { name: row.name } }, site.clock.now());
    });
    return { clientId, removed: true };
  });

  // Collections are sets of these clients: their routes live beside the client registry.
  registerCollectionRoutes(app, site);
}
