import type { DistributionPoint, PackageDistribution as Distribution } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatTime } from '../../components/format.ts';
import { useResource } from '../../hooks/useResource.ts';
import { bytesText, contentVersionText, DpState, unsettled } from '../distribution-points/dp-state.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { useAction } from './use-action.ts';

/**
 * §6.1 where a package is: its state on each distribution point it was sent to, live while one is
 * pending or copying; send it to more, send it again (a retry), or take it off one.
 */
export function PackageDistribution({ packageId, manage, downloading }: { packageId: string; manage: boolean; downloading: boolean }) {
  const api = useApi();
  const action = useAction();
  const distribution = useResource<Distribution>(`/packages/${packageId}/distribution`, { pollMs: 2000, liveWhile: (d) => downloading || !!d?.distributionPoints.some(unsettled), refreshOn: ['content', 'changes'] });
  const dps = useResource<{ distributionPoints: DistributionPoint[] }>(manage ? '/distribution-points' : null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const targeted = new Set(distribution.data?.distributionPoints.map((s) => s.dpId));
  const others = dps.data?.distributionPoints.filter((dp) => !targeted.has(dp.dpId)) ?? [];

  const distribute = async (dpIds: string[]) => {
    if (await action.run(() => api.post<Distribution>(`/packages/${packageId}/distribute`, { dpIds }))) {
      setChosen(new Set());
      distribution.reload();
    }
  };
  const undistribute = async (dpId: string) => {
    if (await action.run(() => api.delete(`/packages/${packageId}/distribution/${dpId}`))) distribution.reload();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void distribute([...chosen]);
  };

  const states = distribution.data?.distributionPoints ?? [];
  return (
    <section className="card" aria-labelledby="distribution">
      <h2 id="distribution">Distribution</h2>
      <ErrorNotice error={distribution.error ?? action.error ?? dps.error} onRetry={distribution.error ? distribution.reload : undefined} />
      {distribution.data && states.length === 0 && <p className="muted">Not on any distribution point yet: clients cannot get its files until it is.</p>}
      {states.length > 0 && (
        <table className="compact" aria-label="Distribution points of this package">
          <thead>
            <tr>
              <th scope="col">Distribution point</th>
              <th scope="col">State</th>
              <th scope="col">Content version</th>
              <th scope="col">Copied</th>
              <th scope="col">Updated</th>
              {manage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {states.map((s) => (
              <tr key={s.dpId}>
                <th scope="row">
                  {s.dpName} <span className="tag">{s.kind === 'site' ? "site's library" : 'remote'}</span>
                </th>
                <td>
                  <DpState state={s.state} />
                  {s.error && <div className="error-text small">{s.error}</div>}
                </td>
                <td>{contentVersionText(s)}</td>
                <td>{bytesText(s)}</td>
                <td>{formatTime(s.updatedAt)}</td>
                {manage && (
                  <td className="button-cell">
                    <button type="button" onClick={() => void distribute([s.dpId])} disabled={action.busy}>
                      Send again
                    </button>
                    <ConfirmButton label="Remove" question={`Take the package off ${s.dpName}?`} confirmLabel="Yes, remove" onConfirm={() => void undistribute(s.dpId)} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manage && others.length > 0 && (
        <form aria-label="Distribute" onSubmit={submit}>
          <fieldset>
            <legend>Send to distribution points</legend>
            <div className="form-row">
              {others.map((dp) => (
                <label key={dp.dpId} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.has(dp.dpId)}
                    onChange={(e) =>
                      setChosen((current) => {
                        const next = new Set(current);
                        if (e.target.checked) next.add(dp.dpId);
                        else next.delete(dp.dpId);
                        return next;
                      })
                    }
                  />
                  {dp.name}
                  {!dp.enabled && ' (disabled)'}
                </label>
              ))}
              <button type="submit" className="primary" disabled={chosen.size === 0 || action.busy}>
                Distribute
              </button>
            </div>
          </fieldset>
        </form>
      )}
      <p className="hint">
        Every distribution point and its packages: <Link to={paths.distributionPoints}>Distribution points</Link>.
      </p>
    </section>
  );
}
