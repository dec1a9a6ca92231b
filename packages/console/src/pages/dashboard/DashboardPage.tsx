import type { ComplianceSummary } from '@patchday/core';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber, formatPercent, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { usePolling } from '../../hooks/usePolling.ts';
import { useResource } from '../../hooks/useResource.ts';
import { AlertsCard } from './AlertsCard.tsx';
import { ComplianceChart } from './ComplianceChart.tsx';
import { DeploymentActivity } from './DeploymentActivity.tsx';
import { MostRequired } from './MostRequired.tsx';
import { SyncCard } from './SyncCard.tsx';

/** The fleet at a glance (§9): compliance of the updates in force, what most clients need, what runs, what is wrong. */
export default function DashboardPage() {
  const summary = useResource<ComplianceSummary>('/compliance/summary?superseded=false', { pollMs: 60_000, refreshOn: ['sync', 'clients', 'changes'], refreshAtMostEveryMs: 30_000 });
  const s = summary.data;
  // A large fleet's summary is being made again in the background: ask for it until it is there.
  usePolling(summary.reload, 5000, !!s?.stale);
  return (
    <>
      <PageHeader title="Dashboard" description="Compliance of the updates in force (not superseded) across the site's active clients." />
      <div className="cards">
        <section className="card stat" aria-label="Clients">
          <span className="stat-value">{s ? formatNumber(s.clientsCounted) : '…'}</span>
          <span className="stat-label">active clients</span>
        </section>
        <section className="card stat" aria-label="Updates">
          <span className="stat-value">{s ? formatNumber(s.updatesCounted) : '…'}</span>
          <span className="stat-label">updates in force, {s ? formatNumber(s.overall.updatesRequired) : '…'} required by a client</span>
        </section>
        <section className="card stat" aria-label="Compliance">
          <span className="stat-value" data-testid="overall-compliance">
            {s ? formatPercent(s.overall.percentCompliant) : '…'}
          </span>
          <span className="stat-label">of client × update pairs compliant</span>
          {s && (
            <span className="muted small" data-testid="summarized-at" title="Counted from every client's last report and inventory">
              summarised {formatTime(s.summarizedAt)}
              {s.stale ? ' · updating…' : ''}
            </span>
          )}
        </section>
        <SyncCard />
      </div>
      <ErrorNotice error={summary.error} onRetry={summary.reload} />
      {summary.loading && <Loading what="Counting the fleet's compliance" />}
      {s && (
        <div className="grid-2">
          <ComplianceChart title="By classification" rows={s.byClassification.map((g) => ({ name: g.classification, ...g }))} />
          <ComplianceChart title="By severity" rows={s.bySeverity.map((g) => ({ name: g.severity, ...g }))} />
        </div>
      )}
      <div className="grid-2">
        {s && <MostRequired updates={s.mostRequired} clients={s.clientsCounted} />}
        <div className="stack">
          <DeploymentActivity />
          <AlertsCard />
        </div>
      </div>
    </>
  );
}
