import { DP_CONTENT_PATH, SITE_DISTRIBUTION_POINT_ID } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { SiteContext } from '../http/context.ts';
import { HttpError } from '../http/http-error.ts';
import { authoriseContent } from './content-auth.ts';
import { sendContentFile } from './content-response.ts';
import { contentTokenKey } from './content-token.ts';
import { ensureSiteDistributionPoint } from './site-distribution-point.ts';

/**
 * The site's own distribution point, `/dp/v1/content/:sha256`: files of the packages distributed
 * to it, from the site's content library, to agents with a content token. Same contract as a
 * remote distribution point's.
 */
export function registerSiteDistributionPoint(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.addHook('onReady', async () => {
    await ensureSiteDistributionPoint(db, site.clock.now());
    await contentTokenKey(db);
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: `${DP_CONTENT_PATH}/content/:sha256`,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const sha256 = authoriseContent(request.headers.authorization, (request.params as { sha256: string }).sha256, await contentTokenKey(db), site.clock.now());
      const held = await db
        .selectFrom('package_files as f')
        .innerJoin('dp_packages as t', 't.package_id', 'f.package_id')
        .select('f.sha256')
        .where('t.dp_id', '=', SITE_DISTRIBUTION_POINT_ID)
        .where('f.sha256', '=', sha256)
        .where('f.state', '=', 'stored')
        .limit(1)
        .executeTakeFirst();
      if (!held) throw new HttpError(404, `this distribution point does not hold ${sha256}`);
      return sendContentFile(request, reply, site.content.pathOf(sha256), sha256);
    },
  });
}
