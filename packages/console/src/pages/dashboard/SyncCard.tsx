import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import type { SyncStatus } from '../../api/sync-status.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';

/** The update point's last sync (§3) — live while one runs — and "Synchronize now" for those who may. */
export function SyncCard() {
  const api = useApi();
  const status = useResource<SyncStatus>('/sync/status', { pollMs: 2000, liveWhile: (s) => s?.lastRun?.status === 'running', refreshOn: ['sync', 'changes'] });
  const [actionError, setActionError] = useState<string | null>(null);
  const run = status.data?.lastRun ?? null;
  const running = run?.status === 'running';

  const syncNow = async () => {
    setActionError(null);
    try {
      await api.post('/sync/runs', {});
    } catch (error) {
      setActionError(errorMessage(error));
    }
    status.reload();
  };

  return (
    <section className="card stat" aria-labelledby="last-sync" data-testid="last-sync">
      <h2 id="last-sync" className="stat-label">
        Last sync
      </h2>
      {!run ? (
        <span className="muted">{status.loading ? '…' : 'Never synchronised'}</span>
      ) : (
        <>
          <span className={`sync-${run.status}`}>
            {run.status === 'succeeded' ? 'Succeeded' : run.status === 'failed' ? 'Failed' : 'Running'}
            {running && run.progress ? `: ${run.progress.phase} (${run.progress.suitesDone}/${run.progress.suitesTotal} suites)` : ''}
          </span>
          <span className="muted small">
            {running ? `started ${formatTime(run.startedAt)}` : `${formatTime(run.finishedAt)} · ${formatNumber(run.added)} added, ${formatNumber(run.revised)} revised, ${formatNumber(run.superseded)} superseded`}
          </span>
          {run.error && <span className="error-text small">{run.error}</span>}
        </>
      )}
      {status.data?.schedule.nextRunAt && <span className="muted small">Next: {formatTime(status.data.schedule.nextRunAt)}</span>}
      <ErrorNotice error={status.error ?? actionError} />
      <Can permission="manage">
        <button type="button" onClick={() => void syncNow()} disabled={running}>
          {running ? 'Synchronising…' : 'Synchronize now'}
        </button>
      </Can>
    </section>
  );
}
