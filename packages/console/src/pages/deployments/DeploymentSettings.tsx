import type { Deployment } from '@patchday/core';
import { Link } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { formatNumber, formatTime } from '../../components/format.ts';
import { libraryPaths } from '../software-updates/library-paths.ts';
import { formatDeploymentTime } from './deployment-categories.ts';

const restartText: Record<Deployment['restartSuppression'], string> = {
  none: 'every client restarts when an install needs it',
  servers: 'servers do not restart automatically',
  workstations: 'workstations do not restart automatically',
  both: 'no client restarts automatically',
};

/** A deployment's settings (§6.4, §6.5, §6.8, §9 alerts), as an administrator reads them. */
export function DeploymentSettings({ d }: { d: Deployment }) {
  const overrides = Object.keys(d.updateMaxRunMinutes).length;
  return (
    <section className="card" aria-labelledby="deployment-settings">
      <h2 id="deployment-settings">Settings</h2>
      <dl className="properties">
        <dt>Update group</dt>
        <dd>
          <Link to={libraryPaths.updateGroup(d.groupId)}>{d.groupName}</Link> ({formatNumber(d.updateCount)} updates)
        </dd>
        <dt>Collection</dt>
        <dd>
          <Link to={paths.collection(d.collectionId)}>{d.collectionName}</Link>
        </dd>
        <dt>Purpose</dt>
        <dd>{d.purpose === 'required' ? 'Required: installed at the deadline' : 'Available: installed when the user asks'}</dd>
        <dt>Time basis</dt>
        <dd>{d.timeBasis === 'utc' ? 'UTC: one instant for every client' : "Client local time: each client's own zone"}</dd>
        <dt>Available</dt>
        <dd>{formatDeploymentTime(d.availableAt, d.timeBasis)}</dd>
        <dt>Deadline</dt>
        <dd>{formatDeploymentTime(d.deadlineAt, d.timeBasis)}</dd>
        <dt>Restarts</dt>
        <dd>{restartText[d.restartSuppression]}</dd>
        <dt>Maintenance windows</dt>
        <dd>
          {d.installOutsideWindows ? 'installs may happen outside them' : 'installs wait for a window'};{' '}
          {d.restartOutsideWindows ? 'restarts may happen outside them' : 'restarts wait for a window'}
        </dd>
        <dt>Maximum run time</dt>
        <dd>
          {d.maxRunMinutes} minutes per update{overrides > 0 && ` (${overrides} update${overrides === 1 ? '' : 's'} with their own)`}
        </dd>
        <dt>Report only</dt>
        <dd>{d.reportOnly ? 'yes: clients evaluate and report, never install' : 'no'}</dd>
        <dt>Alert</dt>
        <dd>{d.alerts ? `when under ${d.alerts.belowPercent} % compliant ${d.alerts.afterDays} day${d.alerts.afterDays === 1 ? '' : 's'} after the available time` : 'none'}</dd>
        <dt>Created</dt>
        <dd>
          {formatTime(d.createdAt)} by {d.createdBy}
          {d.adrId && (
            <>
              {' '}
              (by <Link to={libraryPaths.rule(d.adrId)}>an automatic deployment rule</Link>)
            </>
          )}
        </dd>
        <dt>Last changed</dt>
        <dd>{formatTime(d.updatedAt)}</dd>
        <dt>Deployment id</dt>
        <dd className="mono">{d.deploymentId}</dd>
      </dl>
    </section>
  );
}
