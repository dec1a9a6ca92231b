import { LoginRequest } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../audit/audit-log.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { issueToken, revokeToken } from '../../auth/tokens.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, parseInput } from '../../http/http-error.ts';

/** Session tokens from `login` last this long. */
const SESSION_DAYS = 30;

export function registerAuthRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.post('/api/v1/auth/login', async (request) => {
    const input = parseInput(LoginRequest, request.body, 'login request');
    const user = await db.selectFrom('users').selectAll().where('username', '=', input.username).executeTakeFirst();
    const ok = user && user.disabled === 0 && (await verifyPassword(input.password, user.password_hash));
    if (!user || !ok) throw new HttpError(401, 'wrong username or password');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const issued = await issueToken(trx, user.user_id, input.tokenName ?? 'login', now, SESSION_DAYS);
      await recordAudit(trx, { actor: user.username, action: 'auth.login', target: user.username, details: { tokenId: issued.tokenId } }, now);
      return { token: issued.token, expiresAt: issued.expiresAt, user: { username: user.username, role: user.role } };
    });
  });

  app.post('/api/v1/auth/logout', { config: { permission: 'read' } }, async (request) => {
    const principal = principalOf(request);
    await db.transaction().execute(async (trx) => {
      await revokeToken(trx, principal.tokenId);
      await recordAudit(trx, { actor: principal.username, action: 'auth.logout', target: principal.username }, site.clock.now());
    });
    return { loggedOut: true };
  });

  app.get('/api/v1/auth/whoami', { config: { permission: 'read' } }, async (request) => {
    const principal = principalOf(request);
    return { username: principal.username, role: principal.role };
  });
}
