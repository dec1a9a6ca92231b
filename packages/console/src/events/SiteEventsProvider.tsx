import { EventStreamParser, siteEventKinds, type SiteEventKind } from '@patchday/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { API_BASE } from '../api/client.ts';
import { useSession } from '../auth/SessionProvider.tsx';

export type LiveState = 'connecting' | 'live' | 'reconnecting';
type Listener = (kind: SiteEventKind) => void;

interface SiteEventsState {
  state: LiveState;
  listen(listener: Listener): () => void;
}

const SiteEventsContext = createContext<SiteEventsState | null>(null);

const isKind = (value: string): value is SiteEventKind => (siteEventKinds as readonly string[]).includes(value);
/** Waits before connecting again: 1 s, doubling to at most 30 s. */
const backoffMs = (attempt: number) => Math.min(30_000, 1000 * 2 ** attempt);

/**
 * One connection per signed-in tab to the site's event stream (`GET /api/v1/events`): what changed,
 * by kind. Views that listen reload what they show (conditionally, so an unchanged one costs a 304).
 * A broken connection is opened again with backoff; after a break every kind is announced once,
 * since changes may have been missed meanwhile.
 */
export function SiteEventsProvider({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const listeners = useRef(new Set<Listener>());
  const [state, setState] = useState<LiveState>('connecting');
  const token = session?.token ?? null;

  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    let attempt = 0;
    let wasBroken = false;
    const announce = (kind: SiteEventKind) => {
      for (const listener of [...listeners.current]) listener(kind);
    };
    const connect = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          const response = await fetch(`${API_BASE}/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
          // A refused token is the API client's to report (the next request signs out); stop here.
          if (response.status === 401 || response.status === 403) return;
          if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
          setState('live');
          attempt = 0;
          if (wasBroken) for (const kind of siteEventKinds) announce(kind);
          const parser = new EventStreamParser();
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const event of parser.push(value)) {
              if (event.event === 'ended') {
                setState('reconnecting'); // signed out elsewhere: the next API call returns to the sign-in form
                return;
              }
              if (isKind(event.event)) announce(event.event);
            }
          }
        } catch {
          if (controller.signal.aborted) return;
        }
        wasBroken = true;
        setState('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt++)));
      }
    };
    void connect();
    return () => controller.abort();
  }, [token]);

  const listen = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const value = useMemo(() => ({ state, listen }), [state, listen]);
  return <SiteEventsContext.Provider value={value}>{children}</SiteEventsContext.Provider>;
}

/** Calls `onEvent` whenever the site announces one of `kinds` (none: nothing). */
export function useSiteEvents(kinds: readonly SiteEventKind[] | undefined, onEvent: (kind: SiteEventKind) => void): void {
  const context = useContext(SiteEventsContext);
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const key = kinds?.join(',') ?? '';
  useEffect(() => {
    if (!context || !key) return;
    const wanted = new Set(key.split(','));
    return context.listen((kind) => {
      if (wanted.has(kind)) latest.current(kind);
    });
  }, [context?.listen, key]);
}

/** Whether the tab hears the site's changes as they happen. */
export function useLiveState(): LiveState | null {
  return useContext(SiteEventsContext)?.state ?? null;
}
