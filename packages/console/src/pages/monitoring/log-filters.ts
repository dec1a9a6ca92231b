import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

/** A log page's filter, kept in the address so a filtered view can be bookmarked and shared. */
export function useLogFilter<K extends string>(keys: readonly K[]): { filter: Record<K, string>; setFilter(next: Partial<Record<K, string>>): void } {
  const [params, setParams] = useSearchParams();
  // One object per address, so a page can follow it in an effect.
  const filter = useMemo(() => Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>, [params, keys]);
  const setFilter = (next: Partial<Record<K, string>>) => {
    const search = new URLSearchParams();
    for (const k of keys) {
      const value = (k in next ? next[k] : filter[k])?.trim();
      if (value) search.set(k, value);
    }
    setParams(search, { replace: true });
  };
  return { filter, setFilter };
}

export const logLimits = [100, 200, 500, 1000] as const;
