import { useCallback, useState } from 'react';
import { errorMessage } from '../../api/client.ts';

export interface Action {
  busy: boolean;
  /** The last attempt's error, in words. */
  error: string | null;
  /** Runs one change against the site; undefined when it failed (the error is kept to show). */
  run<T>(change: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
}

/** A button's request to the site: busy while it runs, and its error to show in place. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(change: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await change();
    } catch (e) {
      setError(errorMessage(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}
