import { DpReportBatch, type DpReportResult, type DpTargets } from '@patchday/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { contentTokenKey } from '../../distribution/content-token.ts';
import { sendContentFile } from '../../distribution/content-response.ts';
import { authenticateDp } from '../../distribution/dp-credentials.ts';
import { dpPackageStatuses, packageFiles } from '../../distribution/dp-package-states.ts';
import type { DpRow } from '../../distribution/dp-rows.ts';
import type { SiteContext } from '../../http/context.ts';
import { HttpError, parseInput } from '../../http/http-error.ts';
import { recordStatus } from '../../status/status-messages.ts';

/** Status message ids, as administrators know them from Configuration Manager's distribution manager. */
export const DpStatusMessageId = {
  packageFailed: 2302,
  packageInstalled: 2330,
} as const;

const Sha256Param = z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a file is named by its sha256: 64 lower-case hex digits') });

/**
 * The DP-facing API, `/dpm/v1/…`: what a remote distribution point (`patchday dp`) talks to,
 * with its own credential. It reads what it must hold, fetches the files from the site's
 * library (Range for resuming), and reports how far it has got with each package.
 */
export function registerDistributionPointManagement(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  async function callingDp(request: FastifyRequest): Promise<DpRow> {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const dp = match ? await authenticateDp(db, match[1]) : null;
    if (!dp) throw new HttpError(401, 'distribution point authentication required: send "Authorization: Bearer <credential>" from `patchday dp add`');
    return dp;
  }

  app.get('/dpm/v1/targets', async (request): Promise<DpTargets> => {
    const dp = await callingDp(request);
    await db.updateTable('distribution_points').set({ last_seen_at: site.clock.now().toISOString() }).where('dp_id', '=', dp.dp_id).execute();
    const statuses = await dpPackageStatuses(db, { dpId: dp.dp_id });
    const files = await packageFiles(db, statuses.map((s) => s.packageId));
    return {
      dpId: dp.dp_id,
      name: dp.name,
      contentTokenKey: (await contentTokenKey(db)).toString('base64url'),
      packages: statuses.map((s) => ({
        packageId: s.packageId,
        name: s.packageName,
        contentVersion: s.packageContentVersion,
        ready: files.get(s.packageId)!.ready,
        files: files.get(s.packageId)!.files,
        reported: { state: s.state, contentVersion: s.contentVersion, bytesDone: s.bytesDone },
      })),
    };
  });

  app.post('/dpm/v1/reports', async (request): Promise<DpReportResult> => {
    const dp = await callingDp(request);
    const { reports } = parseInput(DpReportBatch, request.body, 'reports');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      let recorded = 0;
      for (const report of reports) {
        const packageId = report.packageId.toLowerCase();
        const current = await trx
          .selectFrom('dp_packages as t')
          .innerJoin('deployment_packages as p', 'p.package_id', 't.package_id')
          .select(['t.state', 't.content_version', 't.bytes_done', 't.bytes_total', 't.error', 'p.content_version as package_version', 'p.name'])
          .where('t.dp_id', '=', dp.dp_id)
          .where('t.package_id', '=', packageId)
          .executeTakeFirst();
        // No longer targeted, or about a content version the package has left behind: nothing to record.
        if (!current || report.contentVersion !== current.package_version) continue;
        const same =
          current.state === report.state &&
          current.content_version === report.contentVersion &&
          Number(current.bytes_done) === report.bytesDone &&
          Number(current.bytes_total) === report.bytesTotal &&
          current.error === report.error;
        if (same) continue;
        await trx
          .updateTable('dp_packages')
          .set({ state: report.state, content_version: report.contentVersion, bytes_done: report.bytesDone, bytes_total: report.bytesTotal, error: report.error, updated_at: now.toISOString() })
          .where('dp_id', '=', dp.dp_id)
          .where('package_id', '=', packageId)
          .execute();
        recorded += 1;
        const newly = current.state !== report.state || current.content_version !== report.contentVersion;
        if (newly && report.state === 'installed') {
          await recordStatus(trx, { messageId: DpStatusMessageId.packageInstalled, severity: 'info', component: 'distribution point', text: `Distribution point ${dp.name} holds package ${current.name}, content version ${report.contentVersion}.`, details: { dpId: dp.dp_id, packageId } }, now);
        }
        if (newly && report.state === 'failed') {
          await recordStatus(trx, { messageId: DpStatusMessageId.packageFailed, severity: 'error', component: 'distribution point', text: `Distribution point ${dp.name} failed to take package ${current.name}, content version ${report.contentVersion}: ${report.error ?? 'no reason given'}`, details: { dpId: dp.dp_id, packageId } }, now);
        }
      }
      return { recorded, ignored: reports.length - recorded };
    });
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/dpm/v1/content/:sha256',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const dp = await callingDp(request);
      const { sha256 } = parseInput(Sha256Param, request.params, 'path');
      // A distribution point gets the files of the packages it is sent, and nothing else.
      const targeted = await db
        .selectFrom('package_files as f')
        .innerJoin('dp_packages as t', 't.package_id', 'f.package_id')
        .select('f.sha256')
        .where('t.dp_id', '=', dp.dp_id)
        .where('f.sha256', '=', sha256)
        .where('f.state', '=', 'stored')
        .limit(1)
        .executeTakeFirst();
      if (!targeted) throw new HttpError(404, `no package sent to distribution point ${dp.name} holds ${sha256} in the site's library`);
      return sendContentFile(request, reply, site.content.pathOf(sha256), sha256);
    },
  });
}
