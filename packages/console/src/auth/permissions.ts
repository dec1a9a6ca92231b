import type { Role } from '@patchday/core';

/**
 * What each role may do, as the site grants it (packages/server/src/auth/roles.ts): the console
 * hides what a role may not do; the API refuses it anyway.
 */
export type Permission = 'read' | 'manage' | 'administer';

const granted: Record<Role, readonly Permission[]> = {
  'Full Administrator': ['read', 'manage', 'administer'],
  'Software Update Manager': ['read', 'manage'],
  'Read-only Analyst': ['read'],
};

export function can(role: Role, permission: Permission): boolean {
  return granted[role].includes(permission);
}
