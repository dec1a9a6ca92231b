import type { DeploymentPackage, DistributionPoint, DpPackageState } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatBytes, formatNumber } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { DpState } from '../distribution-points/dp-state.tsx';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';
import { useAction } from './use-action.ts';

const stateOrder: DpPackageState[] = ['installed', 'in-progress', 'pending', 'failed'];

/** §6.1 deployment packages: what each holds, its last download (live), and where it is distributed. */
export default function DeploymentPackagesPage() {
  const packages = useResource<{ packages: DeploymentPackage[] }>('/packages', { pollMs: 1500, liveWhile: (d) => !!d?.packages.some((p) => p.job?.state === 'running'), refreshOn: ['content', 'changes'] });
  const dps = useResource<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
  const [creating, setCreating] = useState(false);

  /** Per package, how many distribution points hold it in each state. */
  const distribution = new Map<string, Map<DpPackageState, number>>();
  for (const dp of dps.data?.distributionPoints ?? []) {
    for (const s of dp.packages) {
      const counts = distribution.get(s.packageId) ?? new Map<DpPackageState, number>();
      counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
      distribution.set(s.packageId, counts);
    }
  }

  return (
    <>
      <PageHeader
        title="Deployment packages"
        description="Sets of update files in the site's content library, with a content version, sent to distribution points for clients to download."
        actions={
          <Can permission="manage">
            <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
              New deployment package
            </button>
          </Can>
        }
      />
      {creating && <NewPackageForm onClose={() => setCreating(false)} />}
      <ErrorNotice error={packages.error ?? dps.error} onRetry={packages.reload} />
      {packages.loading && <Loading what="Loading deployment packages" />}
      {packages.data && (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Deployment packages</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">Content version</th>
                <th scope="col" className="num">Updates complete</th>
                <th scope="col" className="num">Files stored</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Last download</th>
                <th scope="col">Distribution points</th>
              </tr>
            </thead>
            <tbody>
              {packages.data.packages.map((p) => {
                const counts = distribution.get(p.packageId);
                return (
                  <tr key={p.packageId}>
                    <td>
                      <Link to={libraryPaths.deploymentPackage(p.packageId)}>{p.name}</Link>
                    </td>
                    <td className="num">{p.contentVersion}</td>
                    <td className="num">
                      {formatNumber(p.updates.complete)} of {formatNumber(p.updates.total)}
                    </td>
                    <td className="num">
                      {formatNumber(p.files.stored)} of {formatNumber(p.files.total)}
                      {p.files.failed > 0 && <span className="count-red"> ({formatNumber(p.files.failed)} failed)</span>}
                    </td>
                    <td className="num">{formatBytes(p.bytes.total)}</td>
                    <td>
                      {!p.job ? (
                        '—'
                      ) : p.job.state === 'running' ? (
                        <span className="progress-line">
                          <progress max={Math.max(1, p.job.bytes.total)} value={p.job.bytes.done} aria-label={`Download into ${p.name}`} />
                          {formatNumber(p.job.files.stored)} of {formatNumber(p.job.files.total)} files
                        </span>
                      ) : (
                        <span className={`lib-state lib-state-${p.job.state}`}>{p.job.state === 'succeeded' ? 'done' : 'failed'}</span>
                      )}
                    </td>
                    <td>
                      {counts
                        ? stateOrder
                            .filter((s) => counts.get(s))
                            .map((s) => (
                              <span key={s} className="counts-entry">
                                {counts.get(s)} <DpState state={s} />{' '}
                              </span>
                            ))
                        : <span className="muted">not distributed</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {packages.data && packages.data.packages.length === 0 && <p className="muted">No deployment packages yet.</p>}
    </>
  );
}

function NewPackageForm({ onClose }: { onClose(): void }) {
  const api = useApi();
  const navigate = useNavigate();
  const action = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [sourceFolder, setSourceFolder] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api.post<DeploymentPackage>('/packages', { name, description, ...(sourceFolder.trim() ? { sourceFolder: sourceFolder.trim() } : {}) }));
    if (created) navigate(libraryPaths.deploymentPackage(created.packageId), { state: { notice: `Created deployment package ${created.name}: download content into it.` } });
  };
  return (
    <form className="form-panel" aria-label="New deployment package" onSubmit={(e) => void submit(e)}>
      <div className="form-row">
        <label>
          Package name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
        </label>
        <label>
          Source folder (optional)
          <input value={sourceFolder} onChange={(e) => setSourceFolder(e.target.value)} placeholder="default: in the site's data folder" className="wide" />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Create package
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={action.error} />
    </form>
  );
}
