import { z } from 'zod';

/** §11 roles. */
export const roles = ['Full Administrator', 'Software Update Manager', 'Read-only Analyst'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

const username = z.string().regex(/^[a-z0-9][a-z0-9._@-]{0,63}$/, 'a username is 1–64 characters of a-z, 0-9, ".", "_", "@", "-"');
const password = z.string().min(12, 'a password has at least 12 characters').max(1024);

export const LoginRequest = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), tokenName: z.string().max(100).optional() })
  .strict();

export const LoginResponse = z.object({
  token: z.string(),
  expiresAt: z.string().nullable(),
  user: z.object({ username: z.string(), role: Role }),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const CreateUserRequest = z.object({ username, password, role: Role }).strict();
/** Changing one's own password needs the current one: a stolen session must not lock the owner out. */
export const SetPasswordRequest = z.object({ password, currentPassword: z.string().min(1).max(1024).optional() }).strict();

export const User = z.object({ username: z.string(), role: Role, createdAt: z.string(), disabled: z.boolean() });
export type User = z.infer<typeof User>;
