import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client.ts';
import type { SiteEventKind } from '@patchday/core';
import { useApi } from '../auth/SessionProvider.tsx';
import { useSiteEvents } from '../events/SiteEventsProvider.tsx';
import { usePolling } from './usePolling.ts';

export interface Resource<T> {
  data: T | undefined;
  /** The last load's error, in words. */
  error: string | null;
  /** True until the first answer (or error) for the current path. */
  loading: boolean;
  reload(): void;
}

export interface ResourceOptions<T> {
  /** Reload every this many milliseconds while `liveWhile` says so (default: while mounted). */
  pollMs?: number;
  liveWhile?: (data: T | undefined) => boolean;
  /** While another path loads, keep showing the previous path's data (paging a table without a blank). */
  keepPrevious?: boolean;
  /** Reload (conditionally) as soon as the site announces a change of one of these kinds. */
  refreshOn?: readonly SiteEventKind[];
  /** At most one such reload in this many milliseconds (default 1000): a busy fleet reports all the time. */
  refreshAtMostEveryMs?: number;
}

interface Loaded<T> {
  /** The path `data` and `error` belong to. */
  path: string | null;
  data: T | undefined;
  error: string | null;
}

/**
 * GETs `path` of the admin API (null: nothing to load yet) and keeps the answer. It reloads when the
 * site announces a change of a kind in `refreshOn` (server-sent events), and with `pollMs` on that
 * interval too (the safety net while the event stream is down). A reload sends the last ETag
 * (If-None-Match), so an unchanged answer costs a 304 and no rendering.
 */
export function useResource<T>(path: string | null, options: ResourceOptions<T> = {}): Resource<T> {
  const api = useApi();
  const [loaded, setLoaded] = useState<Loaded<T>>({ path: null, data: undefined, error: null });
  const etag = useRef<{ path: string; value: string } | null>(null);
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(
    (conditional: boolean) => {
      if (path === null) return;
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const headers: Record<string, string> = conditional && etag.current?.path === path ? { 'if-none-match': etag.current.value } : {};
      api
        .request<T>('GET', path, { headers, signal: controller.signal })
        .then((response) => {
          if (controller.signal.aborted) return;
          etag.current = response.etag ? { path, value: response.etag } : null;
          setLoaded((s) => ({ path, data: response.status === 304 && s.path === path ? s.data : response.body, error: null }));
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setLoaded((s) => ({ path, data: s.path === path ? s.data : undefined, error: errorMessage(error) }));
        });
    },
    [api, path],
  );

  useEffect(() => {
    load(false);
    return () => inFlight.current?.abort();
  }, [load]);

  const current = loaded.path === path;
  const data = current || options.keepPrevious ? loaded.data : undefined;
  const live = options.pollMs !== undefined && path !== null && (options.liveWhile ? options.liveWhile(data) : true);
  usePolling(() => load(true), options.pollMs ?? 0, live);
  const throttle = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | undefined }>({ last: 0, timer: undefined });
  const minGap = options.refreshAtMostEveryMs ?? 1000;
  useSiteEvents(path === null ? undefined : options.refreshOn, () => {
    const t = throttle.current;
    if (t.timer !== undefined) return;
    const wait = Math.max(0, t.last + minGap - Date.now());
    t.timer = setTimeout(() => {
      t.timer = undefined;
      t.last = Date.now();
      load(true);
    }, wait);
  });
  useEffect(() => () => clearTimeout(throttle.current.timer), []);

  const reload = useCallback(() => load(false), [load]);
  return { data, error: current ? loaded.error : null, loading: path !== null && !current, reload };
}
