import {
  ChangeDeploymentPackageRequest,
  CreateDeploymentPackageRequest,
  DownloadContentRequest,
  PackageContentQuery,
  RemoveContentRequest,
  type ContentDownloadStarted,
  type ContentRemoval,
  type DeploymentPackage,
  type DeploymentPackageDetail,
  type PackageDeletion,
} from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { parseInput } from '../../http/http-error.ts';
import { packageContent } from '../../packages/package-queries.ts';
import {
  changePackage,
  contentJobsOf,
  createPackage,
  deletePackage,
  listPackages,
  loadPackage,
  removePackageContent,
  startContentDownload,
} from '../../packages/package-service.ts';

const PackageIdParam = z.strictObject({ packageId: z.string().uuid('a package id is a UUID').transform((s) => s.toLowerCase()) });

/** Room for MAX_UPDATE_IDS_PER_REQUEST ids (about 40 bytes each in JSON). */
const UPDATE_LIST_BODY_LIMIT = 1024 * 1024;

/** Deployment packages (`/api/v1/packages`, §6.1). Semantics: docs/deployment-packages.md. */
export function registerPackageRoutes(app: FastifyInstance, site: SiteContext): void {
  const jobs = contentJobsOf(site);
  app.addHook('onClose', () => jobs.close());

  app.get('/api/v1/packages', { config: { permission: 'read' } }, async (): Promise<{ packages: DeploymentPackage[] }> => ({ packages: await listPackages(site) }));

  app.get('/api/v1/packages/:packageId', { config: { permission: 'read' } }, async (request): Promise<DeploymentPackageDetail> => {
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    const { page, pageSize } = parseInput(PackageContentQuery, request.query, 'query');
    const pkg = await loadPackage(site, packageId);
    return { ...pkg, content: await packageContent(site.store.db, packageId, page, pageSize) };
  });

  app.post('/api/v1/packages', { config: { permission: 'manage' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(CreateDeploymentPackageRequest, request.body, 'deployment package');
    return reply.status(201).send(await createPackage(site, input, actor.username));
  });

  app.patch('/api/v1/packages/:packageId', { config: { permission: 'manage' } }, async (request): Promise<DeploymentPackage> => {
    const actor = principalOf(request);
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    const input = parseInput(ChangeDeploymentPackageRequest, request.body, 'deployment package');
    return changePackage(site, packageId, input, actor.username);
  });

  app.post('/api/v1/packages/:packageId/content', { config: { permission: 'manage' }, bodyLimit: UPDATE_LIST_BODY_LIMIT }, async (request, reply) => {
    const actor = principalOf(request);
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    const input = parseInput(DownloadContentRequest, request.body, 'content request');
    const started: ContentDownloadStarted = await startContentDownload(site, packageId, input, actor.username);
    return reply.status(202).send(started);
  });

  app.delete('/api/v1/packages/:packageId/content', { config: { permission: 'manage' }, bodyLimit: UPDATE_LIST_BODY_LIMIT }, async (request): Promise<ContentRemoval> => {
    const actor = principalOf(request);
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    const { updateIds } = parseInput(RemoveContentRequest, request.body, 'content removal');
    return removePackageContent(site, packageId, updateIds, actor.username);
  });

  app.delete('/api/v1/packages/:packageId', { config: { permission: 'manage' } }, async (request): Promise<PackageDeletion> => {
    const actor = principalOf(request);
    const { packageId } = parseInput(PackageIdParam, request.params, 'path');
    return deletePackage(site, packageId, actor.username);
  });
}
