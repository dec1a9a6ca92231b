import { CreateDeploymentRequest, DeploymentStatusQuery, UpdateDeploymentRequest, type ClientDeployments, type Deployment, type DeploymentStatus } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { changeDeployment, createDeployment, deleteDeployment } from '../../deployments/deployment-changes.ts';
import { deploymentOr404, recordOf } from '../../deployments/deployment-rows.ts';
import { categorise, memberStatuses, percentCompliant, stateRecords } from '../../deployments/deployment-status.ts';
import { describeDeployments } from '../../deployments/deployment-view.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { notFound, parseInput } from '../../http/http-error.ts';

const id = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());
const DeploymentIdParam = z.strictObject({ deploymentId: id('a deployment id') });
const ClientIdParam = z.strictObject({ clientId: id('a client id') });

/**
 * Deployments (`/api/v1/deployments`, §6.4/§6.5), their monitoring (`…/status`, §9) and each
 * client's assignments (`/api/v1/clients/:clientId/deployments`). Semantics: docs/deployments.md.
 */
export function registerDeploymentRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/deployments', { config: { permission: 'read' } }, async (): Promise<{ deployments: Deployment[] }> => {
    const rows = await db.selectFrom('deployments').selectAll().orderBy('created_at').orderBy('deployment_id').execute();
    return { deployments: await describeDeployments(db, rows.map(recordOf)) };
  });

  app.get('/api/v1/deployments/:deploymentId', { config: { permission: 'read' } }, async (request): Promise<Deployment> => {
    const { deploymentId } = parseInput(DeploymentIdParam, request.params, 'path');
    return (await describeDeployments(db, [await deploymentOr404(db, deploymentId)]))[0];
  });

  app.post('/api/v1/deployments', { config: { permission: 'manage' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(CreateDeploymentRequest, request.body, 'deployment');
    const now = site.clock.now();
    const record = await db.transaction().execute((trx) => createDeployment(trx, input, { actor: actor.username, now }));
    return reply.status(201).send((await describeDeployments(db, [record]))[0]);
  });

  app.patch('/api/v1/deployments/:deploymentId', { config: { permission: 'manage' } }, async (request): Promise<Deployment> => {
    const actor = principalOf(request);
    const { deploymentId } = parseInput(DeploymentIdParam, request.params, 'path');
    const input = parseInput(UpdateDeploymentRequest, request.body, 'deployment change');
    const record = await db.transaction().execute((trx) => changeDeployment(trx, deploymentId, input, { actor: actor.username, now: site.clock.now() }));
    return (await describeDeployments(db, [record]))[0];
  });

  app.delete('/api/v1/deployments/:deploymentId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { deploymentId } = parseInput(DeploymentIdParam, request.params, 'path');
    const removed = await db.transaction().execute((trx) => deleteDeployment(trx, deploymentId, { actor: actor.username, now: site.clock.now() }));
    return { deploymentId, name: removed.name, deleted: true };
  });

  app.get('/api/v1/deployments/:deploymentId/status', { config: { permission: 'read' } }, async (request): Promise<DeploymentStatus> => {
    const { deploymentId } = parseInput(DeploymentIdParam, request.params, 'path');
    const { category, limit, offset } = parseInput(DeploymentStatusQuery, request.query, 'query');
    const deployment = await deploymentOr404(db, deploymentId);
    const { counts, clients } = await memberStatuses(db, deployment, site.clock.now());
    const matching = category ? clients.filter((c) => c.category === category) : clients;
    return {
      deploymentId,
      name: deployment.name,
      enabled: deployment.enabled,
      counts,
      percentCompliant: percentCompliant(counts),
      category: category ?? null,
      total: matching.length,
      limit,
      offset,
      clients: matching.slice(offset, offset + limit),
    };
  });

  app.get('/api/v1/clients/:clientId/deployments', { config: { permission: 'read' } }, async (request): Promise<ClientDeployments> => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const client = await db.selectFrom('clients').select(['client_id', 'name']).where('client_id', '=', clientId).executeTakeFirst();
    if (!client) throw notFound(`client ${clientId}`);
    // Its assignments: what its policy carries (enabled deployments to its collections).
    const rows = await db
      .selectFrom('collection_members as m')
      .innerJoin('deployments as d', 'd.collection_id', 'm.collection_id')
      .innerJoin('collections as c', 'c.collection_id', 'd.collection_id')
      .selectAll('d')
      .select('c.name as collection_name')
      .where('m.client_id', '=', clientId)
      .where('d.enabled', '=', 1)
      .orderBy('d.created_at')
      .orderBy('d.deployment_id')
      .execute();
    const states = rows.length
      ? await db
          .selectFrom('client_deployment_states')
          .selectAll()
          .where('client_id', '=', clientId)
          .where('deployment_id', 'in', rows.map((r) => r.deployment_id))
          .execute()
      : [];
    const now = site.clock.now();
    return {
      clientId,
      name: client.name,
      deployments: rows.map((row) => {
        const { collection_name, ...deploymentRow } = row;
        const d = recordOf(deploymentRow);
        const own = states.filter((s) => s.deployment_id === d.deploymentId);
        return {
          deploymentId: d.deploymentId,
          name: d.name,
          collectionId: d.collectionId,
          collectionName: collection_name,
          purpose: d.definition.purpose,
          timeBasis: d.definition.timeBasis,
          availableAt: d.definition.availableAt,
          deadlineAt: d.definition.deadlineAt,
          ...categorise(own, d.definition, now),
          states: stateRecords(own),
        };
      }),
    };
  });
}
