import type { FastifyInstance } from 'fastify';
import type { SiteContext } from '../../http/context.ts';
import { registerAdrRoutes } from './adr-routes.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerClientRoutes } from './client-routes.ts';
import { registerComplianceRoutes } from './compliance-routes.ts';
import { registerDeploymentRoutes } from './deployment-routes.ts';
import { registerDistributionPointRoutes } from './distribution-point-routes.ts';
import { registerLogRoutes } from './log-routes.ts';
import { registerPackageRoutes } from './package-routes.ts';
import { registerSyncRoutes } from './sync-routes.ts';
import { registerUpdateGroupRoutes } from './update-group-routes.ts';
import { registerUpdateOverviewRoutes } from './update-overview-routes.ts';
import { registerUpdateRoutes } from './update-routes.ts';
import { registerUpstreamRoutes } from './upstream-routes.ts';
import { registerUserRoutes } from './user-routes.ts';
import { registerWindowRoutes } from './window-routes.ts';

/** The admin API, `/api/v1/…`. Every route but login and health needs a token. */
export function registerApiV1(app: FastifyInstance, site: SiteContext): void {
  registerAuthRoutes(app, site);
  registerUserRoutes(app, site);
  registerUpstreamRoutes(app, site);
  registerSyncRoutes(app, site);
  registerUpdateRoutes(app, site);
  registerLogRoutes(app, site);
  registerClientRoutes(app, site);
  registerComplianceRoutes(app, site);
  registerUpdateGroupRoutes(app, site);
  registerPackageRoutes(app, site);
  registerWindowRoutes(app, site);
  registerDeploymentRoutes(app, site);
  registerAlertRoutes(app, site);
  registerDistributionPointRoutes(app, site);
  registerAdrRoutes(app, site);
  registerUpdateOverviewRoutes(app, site);
}
