import type { DistributionPoint, DistributionPointWithCredential } from '@patchday/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { Can, useApi, useSession } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { ConfirmButton } from '../software-updates/ConfirmButton.tsx';
import { libraryPaths } from '../software-updates/library-paths.ts';
import { useAction } from '../software-updates/use-action.ts';
import { AddDistributionPoint, CredentialNotice } from './AddDistributionPoint.tsx';
import { bytesText, contentVersionText, DpState, unsettled } from './dp-state.tsx';

/**
 * §6.1 distribution points in the order agents try them, each with its packages' states. Adding,
 * reordering, enabling and removing them is the Full Administrator's.
 */
export default function DistributionPointsPage() {
  const api = useApi();
  const { can } = useSession();
  const list = useResource<{ distributionPoints: DistributionPoint[] }>('/distribution-points', {
    pollMs: 2000,
    liveWhile: (d) => !!d?.distributionPoints.some((dp) => dp.packages.some(unsettled)),
    refreshOn: ['content', 'changes'],
  });
  const action = useAction();
  const [adding, setAdding] = useState(false);
  const [credential, setCredential] = useState<DistributionPointWithCredential | null>(null);
  const administer = can('administer');
  const dps = list.data?.distributionPoints ?? [];

  const move = async (index: number, by: -1 | 1) => {
    const order = dps.map((dp) => dp.dpId);
    [order[index], order[index + by]] = [order[index + by], order[index]];
    if (await action.run(() => api.put('/distribution-points/order', { dpIds: order }))) list.reload();
  };
  const change = async (dp: DistributionPoint, body: { enabled: boolean }) => {
    if (await action.run(() => api.patch(`/distribution-points/${dp.dpId}`, body))) list.reload();
  };
  const remove = async (dp: DistributionPoint) => {
    if (await action.run(() => api.delete(`/distribution-points/${dp.dpId}`))) list.reload();
  };
  const newCredential = async (dp: DistributionPoint) => {
    const renewed = await action.run(() => api.post<DistributionPointWithCredential>(`/distribution-points/${dp.dpId}/credential`));
    if (renewed) setCredential(renewed);
  };

  return (
    <>
      <PageHeader
        title="Distribution points"
        description="Where clients download update files from, in the order they try them: the site's own content library and remote distribution points (patchday dp)."
        actions={
          <Can permission="administer">
            <button type="button" className="primary" onClick={() => setAdding(true)} disabled={adding}>
              Add distribution point
            </button>
          </Can>
        }
      />
      {adding && (
        <AddDistributionPoint
          onClose={() => setAdding(false)}
          onAdded={(dp) => {
            setAdding(false);
            setCredential(dp);
            list.reload();
          }}
        />
      )}
      {credential && <CredentialNotice dp={credential} onDismiss={() => setCredential(null)} />}
      <ErrorNotice error={action.error ?? list.error} onRetry={list.error ? list.reload : undefined} />
      {list.loading && <Loading what="Loading distribution points" />}
      {list.data && (
        <div className="table-scroll">
          <table className="data-table dp-table">
            <caption className="visually-hidden">Distribution points</caption>
            <thead>
              <tr>
                <th scope="col" className="num">Order</th>
                <th scope="col">Name</th>
                <th scope="col">Content URL</th>
                <th scope="col">State</th>
                <th scope="col">Last seen</th>
                <th scope="col">Packages</th>
                {administer && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {dps.map((dp, i) => (
                <tr key={dp.dpId} aria-label={dp.name}>
                  <td className="num">{i + 1}</td>
                  <td>
                    {dp.name} <span className="tag">{dp.kind === 'site' ? "site's library" : 'remote'}</span>
                  </td>
                  <td className="mono">{dp.contentUrl}</td>
                  <td>
                    <span className={`lib-state lib-state-${dp.enabled ? 'enabled' : 'disabled'}`}>{dp.enabled ? 'enabled' : 'disabled'}</span>
                  </td>
                  <td>{dp.kind === 'site' ? '—' : dp.lastSeenAt ? formatTime(dp.lastSeenAt) : 'never'}</td>
                  <td>
                    {dp.packages.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <ul className="package-states">
                        {dp.packages.map((s) => (
                          <li key={s.packageId}>
                            <Link to={libraryPaths.deploymentPackage(s.packageId)}>{s.packageName}</Link>: <DpState state={s.state} />, content version {contentVersionText(s)}
                            {s.state === 'in-progress' && `, ${bytesText(s)}`}
                            {s.error && <span className="error-text"> — {s.error}</span>}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  {administer && (
                    <td>
                      <div className="button-row nowrap">
                        <button type="button" aria-label={`Move ${dp.name} up`} onClick={() => void move(i, -1)} disabled={i === 0 || action.busy}>
                          ↑
                        </button>
                        <button type="button" aria-label={`Move ${dp.name} down`} onClick={() => void move(i, 1)} disabled={i === dps.length - 1 || action.busy}>
                          ↓
                        </button>
                        <button type="button" onClick={() => void change(dp, { enabled: !dp.enabled })} disabled={action.busy}>
                          {dp.enabled ? 'Disable' : 'Enable'}
                        </button>
                        {dp.kind === 'remote' && (
                          <>
                            <button type="button" onClick={() => void newCredential(dp)} disabled={action.busy}>
                              New credential
                            </button>
                            <ConfirmButton label="Remove" question={`Remove ${dp.name}?`} confirmLabel="Yes, remove" onConfirm={() => void remove(dp)} />
                          </>
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">A disabled distribution point keeps its content but is left out of every client's policy. Clients try them top to bottom.</p>
    </>
  );
}
