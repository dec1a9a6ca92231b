import type { AutomaticDeploymentRule } from '@patchday/core';
import { Link } from 'react-router';
import { Can } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { describeCron } from './cron-hint.ts';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';

export function scheduleText(rule: Pick<AutomaticDeploymentRule, 'schedule'>): string {
  if (!rule.schedule) return 'Only when run by hand';
  return `${describeCron(rule.schedule.cron) ?? rule.schedule.cron} (${rule.schedule.timeZone})`;
}

export function LastRun({ rule }: { rule: Pick<AutomaticDeploymentRule, 'lastRun'> }) {
  const run = rule.lastRun;
  if (!run) return <span className="muted">never run</span>;
  return (
    <span>
      <span className={`lib-state lib-state-${run.status}`}>{run.status}</span> {formatTime(run.at)}
      {run.status === 'succeeded' ? `: ${run.updates} updates (+${run.added} −${run.removed})` : run.error ? `: ${run.error}` : ''}
    </span>
  );
}

/** §6.3 automatic deployment rules: criteria on a schedule that refill a group and keep its deployments. */
export default function AutomaticDeploymentRulesPage() {
  const rules = useResource<{ adrs: AutomaticDeploymentRule[] }>('/adrs', { refreshOn: ['changes'] });
  return (
    <>
      <PageHeader
        title="Automatic deployment rules"
        description="On a schedule, each rule refills its update group with the updates matching its criteria, downloads and distributes their files, and keeps its deployments."
        actions={
          <Can permission="manage">
            <Link className="button primary" to={libraryPaths.newRule}>
              New rule
            </Link>
          </Can>
        }
      />
      <ErrorNotice error={rules.error} onRetry={rules.reload} />
      {rules.loading && <Loading what="Loading rules" />}
      {rules.data && (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Automatic deployment rules</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Mode</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col" className="num">Deployments</th>
              </tr>
            </thead>
            <tbody>
              {rules.data.adrs.map((r) => (
                <tr key={r.adrId}>
                  <td>
                    <Link to={libraryPaths.rule(r.adrId)}>{r.name}</Link>
                  </td>
                  <td>
                    <span className={`lib-state lib-state-${r.enabled ? 'enabled' : 'disabled'}`}>{r.enabled ? 'enabled' : 'disabled'}</span>
                  </td>
                  <td>{r.mode}</td>
                  <td>{scheduleText(r)}</td>
                  <td>{formatTime(r.nextRunAt)}</td>
                  <td>
                    <LastRun rule={r} />
                  </td>
                  <td className="num">{r.deployments.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rules.data && rules.data.adrs.length === 0 && <p className="muted">No automatic deployment rules yet.</p>}
    </>
  );
}
