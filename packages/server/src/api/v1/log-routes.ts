import { AuditQuery, StatusMessageQuery, type AuditEntry, type StatusMessage } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { SiteContext } from '../../http/context.ts';
import { parseInput } from '../../http/http-error.ts';

export function registerLogRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/status-messages', { config: { permission: 'read' } }, async (request): Promise<{ messages: StatusMessage[] }> => {
    const q = parseInput(StatusMessageQuery, request.query, 'query');
    let query = db.selectFrom('status_messages').selectAll().orderBy('status_id', 'desc').limit(q.limit);
    if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
    if (q.severity) query = query.where('severity', '=', q.severity);
    if (q.component) query = query.where('component', '=', q.component);
    if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
    const rows = await query.execute();
    return {
      messages: rows.map((r) => ({ id: r.status_id, messageId: r.message_id, severity: r.severity, component: r.component, text: r.text, details: JSON.parse(r.details) as Record<string, unknown>, at: r.at })),
    };
  });

  app.get('/api/v1/audit', { config: { permission: 'read' } }, async (request): Promise<{ entries: AuditEntry[] }> => {
    const q = parseInput(AuditQuery, request.query, 'query');
    let query = db.selectFrom('audit_log').selectAll().orderBy('audit_id', 'desc').limit(q.limit);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
    const rows = await query.execute();
    return { entries: rows.map((r) => ({ id: r.audit_id, at: r.at, actor: r.actor, action: r.action, target: r.target, details: JSON.parse(r.details) as Record<string, unknown> })) };
  });
}
