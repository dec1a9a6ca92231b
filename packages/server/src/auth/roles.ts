import type { Role } from '@patchday/core';

/** What a route needs: `read` any role, `manage` software-update work, `administer` the site itself. */
export type Permission = 'read' | 'manage' | 'administer';

const granted: Record<Role, Permission[]> = {
  'Full Administrator': ['read', 'manage', 'administer'],
  'Software Update Manager': ['read', 'manage'],
  'Read-only Analyst': ['read'],
};

export function allows(role: Role, permission: Permission): boolean {
  return granted[role].includes(permission);
}
