import type { AlertList } from '@patchday/core';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';

const SHOWN = 5;

/** §9 alerts whose condition still holds. */
export function AlertsCard() {
  const alerts = useResource<AlertList>('/alerts?state=open', { pollMs: 60_000, refreshOn: ['alerts'] });
  const open = alerts.data?.alerts ?? [];
  return (
    <section className="card" aria-labelledby="open-alerts">
      <h2 id="open-alerts">
        Open alerts {alerts.data && <span className={open.length ? 'count-badge alert' : 'count-badge'}>{open.length}</span>}
      </h2>
      <ErrorNotice error={alerts.error} onRetry={alerts.reload} />
      {alerts.data && open.length === 0 && <p className="muted">No open alerts.</p>}
      {open.length > 0 && (
        <ul className="alert-list">
          {open.slice(0, SHOWN).map((a) => (
            <li key={a.alertId} className={`alert-${a.severity}`}>
              <strong>{a.targetName}</strong>: {a.text}
              <div className="muted small">raised {formatTime(a.raisedAt)}</div>
            </li>
          ))}
        </ul>
      )}
      {open.length > SHOWN && <Link to={paths.alerts}>All {open.length} open alerts</Link>}
    </section>
  );
}
