import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateUserRequest, SetPasswordRequest, type User } from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { INITIAL_ADMIN, INITIAL_PASSWORD_FILE } from '../../auth/bootstrap.ts';
import { hashPassword, verifyPassword } from '../../auth/passwords.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';

const UsernameParam = z.object({ username: z.string().max(64) });

export function registerUserRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  app.get('/api/v1/users', { config: { permission: 'administer' } }, async (): Promise<{ users: User[] }> => {
    const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
    return { users: rows.map((r) => ({ username: r.username, role: r.role as User['role'], createdAt: r.created_at, disabled: r.disabled === 1 })) };
  });

  app.post('/api/v1/users', { config: { permission: 'administer' } }, async (request, reply) => {
    const actor = principalOf(request);
    const input = parseInput(CreateUserRequest, request.body, 'user');
    const taken = await db.selectFrom('users').select('user_id').where('username', '=', input.username).executeTakeFirst();
    if (taken) throw new HttpError(409, `user ${input.username} already exists`);
    const now = site.clock.now();
    const passwordHash = await hashPassword(input.password);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ user_id: randomUUID(), username: input.username, password_hash: passwordHash, role: input.role, created_at: now.toISOString(), disabled: 0 }).execute();
      await recordAudit(trx, { actor: actor.username, action: 'user.create', target: input.username, details: { role: input.role } }, now);
    });
    return reply.status(201).send({ username: input.username, role: input.role, createdAt: now.toISOString(), disabled: false });
  });

  app.put('/api/v1/users/:username/password', { config: { permission: 'read' } }, async (request) => {
    const actor = principalOf(request);
    const { username } = parseInput(UsernameParam, request.params, 'path');
    // Everyone may change their own password; only a Full Administrator someone else's.
    if (username !== actor.username && actor.role !== 'Full Administrator') throw new HttpError(403, 'forbidden: only a Full Administrator may change another user\'s password');
    const input = parseInput(SetPasswordRequest, request.body, 'password change');
    const user = await db.selectFrom('users').select(['user_id', 'password_hash']).where('username', '=', username).executeTakeFirst();
    if (!user) throw notFound(`user ${username}`);
    if (username === actor.username) {
      if (!input.currentPassword) throw new HttpError(400, 'invalid password change: currentPassword: required to change your own password');
      if (!(await verifyPassword(input.currentPassword, user.password_hash))) throw new HttpError(403, 'the current password is wrong');
    }
    const passwordHash = await hashPassword(input.password);
    const now = site.clock.now();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('user_id', '=', user.user_id).execute();
      // Other sessions of that user end: a password change after a leak must lock the leaker out.
      await trx.deleteFrom('api_tokens').where('user_id', '=', user.user_id).where('token_id', '!=', actor.tokenId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'user.password', target: username }, now);
    });
    // The one-time password has served its purpose once the first administrator chose another.
    if (username === INITIAL_ADMIN) rmSync(join(site.dataDir, INITIAL_PASSWORD_FILE), { force: true });
    return { username, passwordChanged: true };
  });

  app.delete('/api/v1/users/:username', { config: { permission: 'administer' } }, async (request) => {
    const actor = principalOf(request);
    const { username } = parseInput(UsernameParam, request.params, 'path');
    if (username === actor.username) throw new HttpError(409, 'you cannot delete your own account');
    const user = await db.selectFrom('users').select(['user_id', 'role']).where('username', '=', username).executeTakeFirst();
    if (!user) throw notFound(`user ${username}`);
    const now = site.clock.now();
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('api_tokens').where('user_id', '=', user.user_id).execute();
      await trx.deleteFrom('users').where('user_id', '=', user.user_id).execute();
      await recordAudit(trx, { actor: actor.username, action: 'user.delete', target: username, details: { role: user.role } }, now);
    });
    return { username, deleted: true };
  });
}
