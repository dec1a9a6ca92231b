import { randomUUID } from 'node:crypto';
import { InventoryReport, RegisterRequest, StateMessageBatch, type RegisterResponse } from '@patchday/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { authenticateClient, newSecret, sha256, type AuthenticatedClient } from '../../clients/client-credentials.ts';
import { deploymentPolicyParts, policyFor } from '../../clients/client-policy.ts';
import { effectiveClientSettings } from '../../collections/client-settings.ts';
import { lockMemberships, refreshMemberships } from '../../collections/memberships.ts';
import type { SiteContext } from '../../http/context.ts';
import { storeInventory } from '../../inventory/inventory-store.ts';
import { HttpError, parseInput } from '../../http/http-error.ts';
import { acceptsGzip } from '../../up/v1/routes.ts';
import { ingestStateMessages, MAX_STATE_MESSAGE_BATCH_BYTES } from './state-messages.ts';

/** An inventory of a large machine (tens of thousands of packages) fits; anything bigger is refused. */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;

const ClientIdParam = z.object({ clientId: z.string().uuid('a client id is a UUID') });

/**
 * The management point, `/mp/v1/…`: what agents talk to. Separate from the admin API: agents
 * authenticate with their own credential and reach only their own client's resources.
 */
export function registerManagementPoint(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  /** The calling agent, which must be the client named in the path. */
  async function ownClient(request: FastifyRequest, allowPending = false): Promise<AuthenticatedClient> {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const client = match ? await authenticateClient(db, match[1]) : null;
    if (!client) throw new HttpError(401, 'agent authentication required: send "Authorization: Bearer <credential>" from registration');
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    if (clientId !== client.clientId) throw new HttpError(403, 'forbidden: an agent may only reach its own client');
    if (client.status !== 'active' && !allowPending) throw new HttpError(403, 'this client is waiting for an administrator to approve it');
    return client;
  }

  app.post('/mp/v1/register', async (request, reply) => {
    const input = parseInput(RegisterRequest, request.body, 'registration');
    const now = site.clock.now();
    const credential = newSecret('pdc');
    const clientId = randomUUID();
    const response = await db.transaction().execute(async (trx): Promise<RegisterResponse> => {
      let status: 'active' | 'pending' = 'pending';
      let tokenId: string | null = null;
      let placedIn: string | null = null;
      if (input.enrolmentToken !== undefined) {
        const token = await trx.selectFrom('enrolment_tokens').selectAll().where('token_hash', '=', sha256(input.enrolmentToken)).executeTakeFirst();
        if (!token || token.revoked === 1) throw new HttpError(401, 'unknown or revoked enrolment token');
        if (Date.parse(token.expires_at) <= now.getTime()) throw new HttpError(401, `the enrolment token expired at ${token.expires_at}`);
        if (token.uses_left !== null && token.uses_left <= 0) throw new HttpError(401, 'the enrolment token has been used up');
        if (token.uses_left !== null) await trx.updateTable('enrolment_tokens').set({ uses_left: token.uses_left - 1 }).where('token_id', '=', token.token_id).execute();
        status = 'active';
        tokenId = token.token_id;
        placedIn = token.collection_id;
      }
      await trx
        .insertInto('clients')
        .values({ client_id: clientId, name: input.name, credential_hash: sha256(credential), status, enrolment_token_id: tokenId, enrolled_at: now.toISOString(), last_policy_at: null, last_inventory_at: null, inventory_sha256: null })
        .execute();
      if (placedIn !== null) {
        // The token's collection, if it still exists: a deleted collection does not refuse the machine.
        const exists = await trx.selectFrom('collections').select('collection_id').where('collection_id', '=', placedIn).executeTakeFirst();
        if (exists) await trx.insertInto('collection_direct_members').values({ collection_id: placedIn, client_id: clientId, added_at: now.toISOString(), added_by: `enrolment-token:${tokenId}` }).execute();
      }
      if (status === 'active') await refreshMemberships(trx, { clientIds: [clientId] });
      await recordAudit(trx, { actor: `agent:${input.name}`, action: status === 'active' ? 'client.enrol' : 'client.request-approval', target: clientId, details: { name: input.name, enrolmentTokenId: tokenId } }, now);
      return { clientId, credential, status };
    });
    return reply.status(response.status === 'active' ? 201 : 202).send(response);
  });

  app.get('/mp/v1/clients/:clientId/policy', async (request, reply) => {
    const client = await ownClient(request);
    const now = site.clock.now();
    const siteUrl = siteUrlOf(request);
    const [settings, parts] = await Promise.all([effectiveClientSettings(db, client.clientId), deploymentPolicyParts(db, client.clientId, siteUrl, now)]);
    const policy = policyFor(client.clientId, siteUrl, settings, parts);
    await db.updateTable('clients').set({ last_policy_at: now.toISOString() }).where('client_id', '=', client.clientId).execute();
    reply.header('etag', policy.etag).header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === policy.etag) return reply.status(304).send();
    const gzipped = acceptsGzip(request.headers['accept-encoding']);
    if (gzipped) reply.header('content-encoding', 'gzip');
    return reply.type('application/json; charset=utf-8').send(policy.body(gzipped));
  });

  app.put('/mp/v1/clients/:clientId/inventory', { bodyLimit: MAX_INVENTORY_BYTES }, async (request, reply) => {
    const client = await ownClient(request);
    const { inventory } = parseInput(InventoryReport, request.body, 'inventory');
    await db.transaction().execute(async (trx) => {
      await lockMemberships(trx);
      await storeInventory(trx, client.clientId, inventory, site.clock.now());
      // Collections whose query rules read the inventory: re-evaluated for this client only.
      await refreshMemberships(trx, { clientIds: [client.clientId] });
    });
    return reply.status(204).send();
  });

  // §5: a batch of the agent's queued state messages; the answer acknowledges them (see state-messages.ts).
  app.post('/mp/v1/clients/:clientId/state-messages', { bodyLimit: MAX_STATE_MESSAGE_BATCH_BYTES }, async (request) => {
    const client = await ownClient(request);
    const { messages } = parseInput(StateMessageBatch, request.body, 'state messages');
    return ingestStateMessages(site.store, client.clientId, messages, site.clock.now());
  });
}

/** The URL the agent reached this site by: update points in policy are given the same way. */
function siteUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
