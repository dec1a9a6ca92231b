import type { LoginResponse, Role } from '@patchday/core';

/** A signed-in administrator. Kept in sessionStorage: it ends with the browser tab. */
export interface Session {
  token: string;
  expiresAt: string | null;
  username: string;
  role: Role;
}

const KEY = 'patchday.session';

export function sessionOf(login: LoginResponse): Session {
  return { token: login.token, expiresAt: login.expiresAt, username: login.user.username, role: login.user.role };
}

export function loadSession(): Session | null {
  try {
    const text = sessionStorage.getItem(KEY);
    if (!text) return null;
    const session = JSON.parse(text) as Session;
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
