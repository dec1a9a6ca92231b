import { randomUUID } from 'node:crypto';
import { ClientComplianceQuery, CreateEnrolmentTokenRequest, type Client, type EnrolmentToken } from '@patchday/core';
import { estimateClientCompliance } from '../../compliance/client-compliance.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { newSecret, sha256 } from '../../clients/client-credentials.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import type { ClientsTable, EnrolmentTokensTable } from '../../store/schema.ts';

const TokenIdParam = z.object({ tokenId: z.string().uuid('a token id is a UUID') });
const ClientIdParam = z.object({ clientId: z.string().uuid('a client id is a UUID') });

function toEnrolmentToken(row: EnrolmentTokensTable): EnrolmentToken {
  return { tokenId: row.token_id, name: row.name, createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at, usesLeft: row.uses_left, revoked: row.revoked === 1 };
}

function toClient(row: Pick<ClientsTable, 'client_id' | 'name' | 'status' | 'enrolled_at' | 'last_policy_at' | 'last_inventory_at'>): Client {
  return { clientId: row.client_id, name: row.name, status: row.status as Client['status'], enrolledAt: row.enrolled_at, lastPolicyAt: row.last_policy_at, lastInventoryAt: row.last_inventory_at };
}

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
    };
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('enrolment_tokens').values(row).execute();
      await recordAudit(trx, { actor: actor.username, action: 'enrolment-token.create', target: row.token_id, details: { name: input.name, expiresAt: row.expires_at, uses: input.uses } }, now);
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

  const clientColumns = ['client_id', 'name', 'status', 'enrolled_at', 'last_policy_at', 'last_inventory_at'] as const;

  app.get('/api/v1/clients', { config: { permission: 'read' } }, async () => {
    const rows = await db.selectFrom('clients').select(clientColumns).orderBy('name').execute();
    return { clients: rows.map(toClient) };
  });

  app.get('/api/v1/clients/:clientId/compliance', { config: { permission: 'read' } }, async (request) => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const { include } = parseInput(ClientComplianceQuery, request.query, 'query');
    const compliance = await estimateClientCompliance(db, clientId, include);
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
      await trx.updateTable('clients').set({ status: 'active' }).where('client_id', '=', clientId).execute();
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
      await trx.deleteFrom('clients').where('client_id', '=', clientId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'client.remove', target: clientId, details: { name: row.name } }, site.clock.now());
    });
    return { clientId, removed: true };
  });
}
