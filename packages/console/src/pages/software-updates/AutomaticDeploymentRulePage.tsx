import type { AdrPreview, AdrRunResult, AutomaticDeploymentRule, Collection, DistributionPoint } from '@patchday/core';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { useApi, useSession } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatDate, formatNumber, formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { restartWords } from '../deployments/DeploymentBehaviourFields.tsx';
import { AdrEditor } from './AdrEditor.tsx';
import { LastRun, scheduleText } from './AutomaticDeploymentRulesPage.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';
import { useAction } from './use-action.ts';
import { describeFilter } from './update-filter-draft.ts';

const duration = (minutes: number | null | undefined) => {
  if (minutes === null || minutes === undefined) return '—';
  if (minutes === 0) return 'at once';
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
};

/**
 * One automatic deployment rule (§6.3): what it selects and when, its last run and next run;
 * preview (changes nothing), run now, enable/disable the rule and each of its deployments, edit.
 */
export default function AutomaticDeploymentRulePage() {
  const { adrId = '' } = useParams();
  const api = useApi();
  const { can } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const rule = useResource<AutomaticDeploymentRule>(`/adrs/${encodeURIComponent(adrId)}`);
  const collections = useResource<{ collections: Collection[] }>('/collections');
  const dps = useResource<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
  const action = useAction();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const [editing, setEditing] = useState(false);
  const [preview, setPreview] = useState<AdrPreview | null>(null);
  const [run, setRun] = useState<AdrRunResult | null>(null);
  const manage = can('manage');

  const r = rule.data;
  if (!r) {
    return (
      <>
        <PageHeader title="Automatic deployment rule" />
        <ErrorNotice error={rule.error} onRetry={rule.reload} />
        {rule.error ? <Link to={paths.automaticDeploymentRules}>Back to automatic deployment rules</Link> : <Loading what="Loading the rule" />}
      </>
    );
  }
  const collectionName = (id: string) => collections.data?.collections.find((c) => c.collectionId === id)?.name ?? id;

  const doPreview = async () => {
    const answer = await action.run(() => api.post<AdrPreview>(`/adrs/${r.adrId}/preview`));
    if (answer) setPreview(answer);
  };
  const runNow = async () => {
    const result = await action.run(() => api.post<AdrRunResult>(`/adrs/${r.adrId}/run`));
    if (!result) return;
    setRun(result);
    setPreview(null);
    rule.reload();
  };
  const setEnabled = async (enabled: boolean) => {
    if (await action.run(() => api.patch<AutomaticDeploymentRule>(`/adrs/${r.adrId}`, { enabled }))) {
      setNotice(`Rule ${enabled ? 'enabled' : 'disabled'}.`);
      rule.reload();
    }
  };
  const setDeploymentEnabled = async (deploymentId: string, enabled: boolean) => {
    if (await action.run(() => api.patch(`/deployments/${deploymentId}`, { enabled }))) rule.reload();
  };
  const remove = async () => {
    if (await action.run(() => api.delete(`/adrs/${r.adrId}`))) navigate(paths.automaticDeploymentRules);
  };

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.automaticDeploymentRules}>Automatic deployment rules</Link> › <span>{r.name}</span>
      </nav>
      <PageHeader
        title={r.name}
        description={
          <>
            <span className={`tag lib-state lib-state-${r.enabled ? 'enabled' : 'disabled'}`} data-testid="rule-state">
              {r.enabled ? 'enabled' : 'disabled'}
            </span>
            <span className="tag">{r.mode === 'deploy' ? 'deploys' : 'reports compliance only'}</span>
            {r.description}
          </>
        }
        actions={
          <>
            <button type="button" onClick={() => void doPreview()} disabled={action.busy}>
              Preview
            </button>
            {manage && (
              <>
                <button type="button" className="primary" onClick={() => void runNow()} disabled={action.busy}>
                  Run now
                </button>
                <button type="button" onClick={() => void setEnabled(!r.enabled)} disabled={action.busy}>
                  {r.enabled ? 'Disable rule' : 'Enable rule'}
                </button>
                <button type="button" onClick={() => setEditing(true)} disabled={editing}>
                  Edit
                </button>
                <ConfirmButton label="Delete rule" question={`Delete ${r.name}? Its group, package and deployments stay.`} confirmLabel="Yes, delete" onConfirm={() => void remove()} />
              </>
            )}
          </>
        }
      />
      {notice && (
        <p className="success-notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNotice error={action.error ?? rule.error} />
      {editing && (
        <AdrEditor
          rule={r}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setNotice('Rule saved.');
            rule.reload();
          }}
        />
      )}
      {run && <RunResult run={run} />}
      {preview && <PreviewResult preview={preview} onClose={() => setPreview(null)} />}
      <div className="grid-2">
        <section className="card" aria-labelledby="rule-settings">
          <h2 id="rule-settings">Rule</h2>
          <dl className="properties">
            <dt>Criteria</dt>
            <dd data-testid="rule-criteria">{describeFilter(r.criteria, collectionName)}</dd>
            <dt>Schedule</dt>
            <dd>
              {scheduleText(r)}
              {r.schedule && <span className="mono small"> — {r.schedule.cron}</span>}
            </dd>
            <dt>Next run</dt>
            <dd data-testid="next-run">{r.enabled ? formatTime(r.nextRunAt) : 'none: the rule is disabled'}</dd>
            <dt>Update group</dt>
            <dd>
              <Link to={libraryPaths.updateGroup(r.groupId)}>{r.groupName}</Link>
            </dd>
            <dt>Deployment package</dt>
            <dd>{r.packageId ? <Link to={libraryPaths.deploymentPackage(r.packageId)}>{r.packageName}</Link> : 'none'}</dd>
            <dt>Downloads</dt>
            <dd>
              {r.mode === 'report'
                ? 'none (report only)'
                : r.download.download
                  ? `at each run, sent to ${r.download.distributionPointIds.length ? r.download.distributionPointIds.map((id) => dps.data?.distributionPoints.find((d) => d.dpId === id)?.name ?? id).join(', ') : 'every enabled distribution point'}`
                  : 'off'}
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="last-run">
          <h2 id="last-run">Last run</h2>
          {r.lastRun ? (
            <dl className="properties" data-testid="last-run">
              <dt>Result</dt>
              <dd>
                <LastRun rule={r} />
              </dd>
              <dt>Started by</dt>
              <dd>{r.lastRun.trigger === 'schedule' ? 'the schedule' : 'hand (run now)'}</dd>
              <dt>Updates in the group</dt>
              <dd>
                {formatNumber(r.lastRun.updates)} ({formatNumber(r.lastRun.added)} added, {formatNumber(r.lastRun.removed)} removed)
              </dd>
              <dt>Files queued</dt>
              <dd>{formatNumber(r.lastRun.filesQueued)}</dd>
              <dt>Deployments created</dt>
              <dd>{formatNumber(r.lastRun.deploymentsCreated)}</dd>
              {r.lastRun.error && (
                <>
                  <dt>Error</dt>
                  <dd className="error-text">{r.lastRun.error}</dd>
                </>
              )}
            </dl>
          ) : (
            <p className="muted">Never run.</p>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="rule-deployments">
        <h2 id="rule-deployments">Deployments</h2>
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Collection</th>
              <th scope="col">Purpose</th>
              <th scope="col">Available after</th>
              <th scope="col">Deadline after</th>
              <th scope="col">Restart</th>
              <th scope="col">Deployment</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {r.deployments.map((d, i) => (
              <tr key={i}>
                <td>{collectionName(d.collectionId)}</td>
                <td>{d.purpose}</td>
                <td>{duration(d.availableAfterMinutes)}</td>
                <td>{d.purpose === 'required' ? duration(d.deadlineAfterMinutes ?? 7 * 1440) : '—'}</td>
                <td>{restartWords[d.restartSuppression]}</td>
                <td>{d.deploymentId && d.deploymentEnabled !== null ? <Link to={paths.deployment(d.deploymentId)}>{d.name ?? `${r.name} → ${collectionName(d.collectionId)}`}</Link> : <span className="muted">created at the next run</span>}</td>
                <td>
                  {d.deploymentId && d.deploymentEnabled !== null ? (
                    <>
                      <span className={`lib-state lib-state-${d.deploymentEnabled ? 'enabled' : 'disabled'}`}>{d.deploymentEnabled ? 'enabled' : 'disabled'}</span>{' '}
                      {manage && (
                        <button type="button" className="link-button" onClick={() => void setDeploymentEnabled(d.deploymentId!, !d.deploymentEnabled)} disabled={action.busy}>
                          {d.deploymentEnabled ? 'Disable' : 'Enable'} deployment {i + 1}
                        </button>
                      )}
                    </>
                  ) : (
                    <span className="muted">{d.enabled ? 'will be enabled' : 'will be disabled'}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function RunResult({ run }: { run: AdrRunResult }) {
  return (
    <p className={run.status === 'succeeded' ? 'success-notice' : 'error-notice'} role="status" data-testid="run-result">
      {run.status === 'succeeded'
        ? `Run ${formatTime(run.at)}: the group holds ${formatNumber(run.updates)} updates (${formatNumber(run.added)} added, ${formatNumber(run.removed)} removed), ${formatNumber(run.filesQueued)} files queued for download, ${formatNumber(run.deploymentsCreated)} deployments created.`
        : `Run failed: ${run.error ?? 'no reason given'}`}
    </p>
  );
}

function PreviewResult({ preview, onClose }: { preview: AdrPreview; onClose(): void }) {
  return (
    <section className="card" aria-labelledby="preview">
      <div className="form-row">
        <h2 id="preview">Preview</h2>
        <button type="button" onClick={onClose}>
          Close preview
        </button>
      </div>
      <p data-testid="preview-summary">
        Run now, the rule would select {formatNumber(preview.total)} update{preview.total === 1 ? '' : 's'}: {formatNumber(preview.wouldAdd)} to add to its group, {formatNumber(preview.wouldRemove)} to remove. Nothing was changed.
      </p>
      {preview.updates.length > 0 && (
        <table className="compact" aria-label="Updates the rule would select">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Product</th>
              <th scope="col">Classification</th>
              <th scope="col">Severity</th>
              <th scope="col">Released</th>
            </tr>
          </thead>
          <tbody>
            {preview.updates.map((u) => (
              <tr key={u.updateId}>
                <td>
                  <Link to={paths.update(u.updateId)}>{u.title}</Link>
                  {u.superseded && <span className="tag">superseded</span>}
                </td>
                <td>{u.product}</td>
                <td>{u.classification}</td>
                <td>{u.severity}</td>
                <td>{formatDate(u.releaseDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview.total > preview.updates.length && <p className="hint">The first {formatNumber(preview.updates.length)}, newest first.</p>}
    </section>
  );
}
