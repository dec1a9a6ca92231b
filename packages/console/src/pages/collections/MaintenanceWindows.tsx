import type { CollectionMaintenanceWindow, MaintenanceWindowChange, MaintenanceWindowList, UpcomingWindows } from '@patchday/core';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';
import { CalendarStrip } from './CalendarStrip.tsx';
import { WindowForm } from './WindowForm.tsx';
import { windowText } from './window-text.ts';

const STRIP_DAYS = 14;

/**
 * §6.8 a collection's maintenance windows: the list, the merged service windows of the next two
 * weeks on a calendar strip, and adding, editing and deleting windows for those who may.
 */
export function MaintenanceWindows({ collectionId }: { collectionId: string }) {
  const api = useApi();
  const base = `/collections/${collectionId}/maintenance-windows`;
  const list = useResource<MaintenanceWindowList>(base);
  // Windows of 5 minutes every day of two weeks stay well under the 100 the site answers at most.
  const next = useResource<UpcomingWindows>(`${base}/next?count=100`);
  const [form, setForm] = useState<{ editing: CollectionMaintenanceWindow | null } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = new Date();
  const horizon = now.getTime() + STRIP_DAYS * 86_400_000;

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setForm(null);
      setConfirming(null);
      list.reload();
      next.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const save = (change: MaintenanceWindowChange) =>
    act(() => (form?.editing ? api.patch(`${base}/${form.editing.windowId}`, change) : api.post(base, change)));

  const windows = list.data?.windows ?? [];
  const upcoming = (next.data?.windows ?? []).filter((w) => new Date(w.start).getTime() < horizon);
  return (
    <section className="card" aria-labelledby="maintenance-windows">
      <h2 id="maintenance-windows">Maintenance windows</h2>
      <p className="muted small">
        Required installs and restarts of the members wait for a window, unless a deployment allows them outside. A client with no window has no restriction; a client in
        several collections gets all their windows.
      </p>
      <ErrorNotice error={list.error ?? next.error} onRetry={() => (list.reload(), next.reload())} />
      {next.data && (
        <>
          <CalendarStrip windows={next.data.windows} now={now} days={STRIP_DAYS} />
          <p className="strip-legend">
            <span>Times in UTC; windows in client local time are shown as for a client in UTC.</span>
            <span>
              {upcoming.length === 0
                ? 'No window in the next 14 days.'
                : `Next: ${formatTime(upcoming[0].start)} to ${formatTime(upcoming[0].end)} (${upcoming[0].durationMinutes} min)`}
            </span>
          </p>
        </>
      )}
      {list.data && windows.length === 0 && <p className="muted">No maintenance windows: the members install at any time.</p>}
      {windows.length > 0 && (
        <table className="compact">
          <caption className="visually-hidden">Maintenance windows of the collection</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">When</th>
              <th scope="col">Enabled</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {windows.map((w) => (
              <tr key={w.windowId}>
                <td>{w.name}</td>
                <td>{windowText(w)}</td>
                <td>{w.enabled ? 'Yes' : <span className="tag tag-warn">disabled</span>}</td>
                <td>
                  <Can permission="manage">
                    {confirming === w.windowId ? (
                      <span className="confirm">
                        Delete {w.name}?
                        <button type="button" disabled={busy} onClick={() => void act(() => api.delete(`${base}/${w.windowId}`))}>
                          Delete
                        </button>
                        <button type="button" onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </span>
                    ) : (
                      <>
                        <button type="button" className="link-button" aria-label={`Edit ${w.name}`} onClick={() => (setError(null), setForm({ editing: w }))}>
                          Edit
                        </button>
                        <button type="button" className="link-button" aria-label={`Delete ${w.name}`} onClick={() => setConfirming(w.windowId)}>
                          Delete
                        </button>
                      </>
                    )}
                  </Can>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNotice error={error} />
      <Can permission="manage">
        {form ? (
          <WindowForm key={form.editing?.windowId ?? 'new'} editing={form.editing} busy={busy} onSubmit={(change) => void save(change)} onCancel={() => (setError(null), setForm(null))} />
        ) : (
          <button type="button" onClick={() => (setError(null), setForm({ editing: null }))}>
            Add a maintenance window
          </button>
        )}
      </Can>
    </section>
  );
}
