import { AlertsQuery, type Alert, type AlertEvaluation, type AlertList } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { evaluateAlerts, SYNC_ALERT_TARGET } from '../../alerts/evaluate-alerts.ts';
import type { SiteContext } from '../../http/context.ts';
import { parseInput } from '../../http/http-error.ts';

/** §9 alerts: `GET /api/v1/alerts` (open, or all) and `POST /api/v1/alerts/evaluate` (evaluate now). */
export function registerAlertRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/alerts', { config: { permission: 'read' } }, async (request): Promise<AlertList> => {
    const { state, limit } = parseInput(AlertsQuery, request.query, 'query');
    let query = db.selectFrom('alerts').selectAll().orderBy('raised_at', 'desc').orderBy('alert_id', 'desc').limit(limit);
    if (state === 'open') query = query.where('cleared_at', 'is', null);
    const rows = await query.execute();
    const deploymentIds = [...new Set(rows.filter((r) => r.kind === 'deployment-compliance').map((r) => r.target_id))];
    const names = new Map(
      deploymentIds.length ? (await db.selectFrom('deployments').select(['deployment_id', 'name']).where('deployment_id', 'in', deploymentIds).execute()).map((d) => [d.deployment_id, d.name]) : [],
    );
    const nameOf = (kind: string, targetId: string) => (targetId === SYNC_ALERT_TARGET && kind === 'sync-failure' ? 'update point' : (names.get(targetId) ?? `deleted deployment ${targetId}`));
    return {
      alerts: rows.map(
        (r): Alert => ({
          alertId: Number(r.alert_id),
          kind: r.kind as Alert['kind'],
          targetId: r.target_id,
          targetName: nameOf(r.kind, r.target_id),
          severity: r.severity as Alert['severity'],
          text: r.text,
          raisedAt: r.raised_at,
          clearedAt: r.cleared_at,
        }),
      ),
    };
  });

  app.post('/api/v1/alerts/evaluate', { config: { permission: 'manage' } }, async (): Promise<AlertEvaluation> => evaluateAlerts(db, site.clock.now()));
}
