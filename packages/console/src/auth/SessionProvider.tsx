import type { LoginResponse } from '@patchday/core';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createApiClient, type ApiClient } from '../api/client.ts';
import { can, type Permission } from './permissions.ts';
import { loadSession, saveSession, sessionOf, type Session } from './session-storage.ts';

interface SessionState {
  session: Session | null;
  /** Why the last session ended, shown on the sign-in form. */
  endedBecause: string | null;
  api: ApiClient;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  can(permission: Permission): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const end = useCallback((reason: string | null) => {
    saveSession(null);
    setSession(null);
    setEndedBecause(reason);
  }, []);

  const api = useMemo(() => createApiClient({ token: session?.token ?? null, onUnauthorized: end }), [session?.token, end]);

  const signIn = useCallback(async (username: string, password: string) => {
    const login = await createApiClient({ token: null }).post<LoginResponse>('/auth/login', { username, password, tokenName: 'console' });
    const next = sessionOf(login);
    saveSession(next);
    setEndedBecause(null);
    setSession(next);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } catch {
      // The token is forgotten here whatever the site says: signing out always works.
    }
    end(null);
  }, [api, end]);

  const value = useMemo<SessionState>(
    () => ({ session, endedBecause, api, signIn, signOut, can: (permission) => (session ? can(session.role, permission) : false) }),
    [session, endedBecause, api, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession is used outside SessionProvider');
  return state;
}

/** The API client of the signed-in administrator. */
export function useApi(): ApiClient {
  return useSession().api;
}

/** Renders its children only for a role with `permission`: actions a role may not take are not shown. */
export function Can({ permission, children }: { permission: Permission; children: ReactNode }) {
  return useSession().can(permission) ? <>{children}</> : null;
}
