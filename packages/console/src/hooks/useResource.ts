import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client.ts';
import { useApi } from '../auth/SessionProvider.tsx';
import { usePolling } from './usePolling.ts';

export interface Resource<T> {
  data: T | undefined;
  /** The last load's error, in words; the previous data stays shown. */
  error: string | null;
  /** True until the first answer (or error) for the current path. */
  loading: boolean;
  reload(): void;
}

export interface ResourceOptions<T> {
  /** Reload every this many milliseconds while `liveWhile` says so (default: while mounted). */
  pollMs?: number;
  liveWhile?: (data: T | undefined) => boolean;
}

/**
 * GETs `path` of the admin API (null: nothing to load yet) and keeps the answer. With `pollMs` it
 * reloads on that interval, sending the last ETag (If-None-Match) so an unchanged answer costs a 304.
 */
export function useResource<T>(path: string | null, options: ResourceOptions<T> = {}): Resource<T> {
  const api = useApi();
  const [state, setState] = useState<{ path: string | null; data: T | undefined; error: string | null; loading: boolean }>({ path, data: undefined, error: null, loading: path !== null });
  const etag = useRef<string | null>(null);
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(
    (conditional: boolean) => {
      if (path === null) return;
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const headers: Record<string, string> = conditional && etag.current ? { 'if-none-match': etag.current } : {};
      api
        .request<T>('GET', path, { headers, signal: controller.signal })
        .then((response) => {
          if (controller.signal.aborted) return;
          etag.current = response.etag;
          setState((s) => ({ path, data: response.status === 304 && s.path === path ? s.data : response.body, error: null, loading: false }));
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setState((s) => ({ path, data: s.path === path ? s.data : undefined, error: errorMessage(error), loading: false }));
        });
    },
    [api, path],
  );

  useEffect(() => {
    etag.current = null;
    setState((s) => (s.path === path ? s : { path, data: undefined, error: null, loading: path !== null }));
    load(false);
    return () => inFlight.current?.abort();
  }, [load, path]);

  const current = state.path === path ? state : { data: undefined, error: null, loading: path !== null };
  const live = options.pollMs !== undefined && path !== null && (options.liveWhile ? options.liveWhile(current.data) : true);
  usePolling(() => load(true), options.pollMs ?? 0, live);

  const reload = useCallback(() => load(false), [load]);
  return { data: current.data, error: current.error, loading: current.loading, reload };
}
