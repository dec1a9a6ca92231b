import type { Collection, Deployment, UpdateGroup } from '@patchday/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { useApi, useSession } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { libraryPaths } from '../software-updates/library-paths.ts';
import '../software-updates/software-library.css';
import { useAction } from '../software-updates/use-action.ts';
import { AlertFields, behaviourOf, defaultBehaviour, describeAlert, describeWindows, RestartAndWindowFields, restartWords, type BehaviourDraft } from './DeploymentBehaviourFields.tsx';
import { ScheduleFields, scheduleOf, timeWords, type ScheduleDraft } from './DeploymentScheduleFields.tsx';

const steps = ['Group and collection', 'Purpose and schedule', 'Restarts and windows', 'Alerts', 'Summary'] as const;

interface Draft extends BehaviourDraft, ScheduleDraft {
  name: string;
  groupId: string;
  collectionId: string;
}

/**
 * §6.4 the deploy wizard (/deployments/new?groupId=…): an update group to a collection, step by
 * step, with a summary before anything is created; then the deployment's page.
 */
export default function DeployWizard() {
  const [params] = useSearchParams();
  const api = useApi();
  const { can } = useSession();
  const navigate = useNavigate();
  const action = useAction();
  const groups = useResource<{ groups: UpdateGroup[] }>('/update-groups');
  const collections = useResource<{ collections: Collection[] }>('/collections');
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>({
    ...defaultBehaviour,
    name: '',
    groupId: params.get('groupId') ?? '',
    collectionId: '',
    purpose: 'required',
    timeBasis: 'utc',
    availableAt: '',
    deadlineAt: '',
  });
  const set = (next: Partial<Draft>) => setDraft((d) => ({ ...d, ...next }));
  const group = groups.data?.groups.find((g) => g.groupId === draft.groupId);
  const collection = collections.data?.collections.find((c) => c.collectionId === draft.collectionId);
  const suggestedName = group && collection ? `${group.name} → ${collection.name}` : '';
  const name = draft.name.trim() || suggestedName;

  if (!can('manage')) {
    return (
      <>
        <PageHeader title="Deploy software updates" />
        <p className="notice">Your role may look at deployments but not create them.</p>
      </>
    );
  }

  const next = (event: FormEvent) => {
    event.preventDefault();
    action.clear();
    setStep((s) => Math.min(s + 1, steps.length - 1));
  };
  const back = () => setStep((s) => Math.max(0, s - 1));
  const create = async () => {
    const created = await action.run(() =>
      api.post<Deployment>('/deployments', {
        name,
        groupId: draft.groupId,
        collectionId: draft.collectionId,
        ...scheduleOf(draft),
        ...behaviourOf(draft),
      }),
    );
    if (created) navigate(paths.deployment(created.deploymentId));
  };

  let body: ReactNode;
  if (step === 0) {
    body = (
      <>
        <fieldset>
          <legend>What and to whom</legend>
          <div className="form-row">
            <label>
              Update group
              <select value={draft.groupId} onChange={(e) => set({ groupId: e.target.value })} required>
                <option value="">Choose a group…</option>
                {groups.data?.groups.map((g) => (
                  <option key={g.groupId} value={g.groupId}>
                    {g.name} ({formatNumber(g.counts.updates)} updates)
                  </option>
                ))}
              </select>
            </label>
            <label>
              Collection
              <select value={draft.collectionId} onChange={(e) => set({ collectionId: e.target.value })} required>
                <option value="">Choose a collection…</option>
                {collections.data?.collections.map((c) => (
                  <option key={c.collectionId} value={c.collectionId}>
                    {c.name} ({formatNumber(c.memberCount)} clients)
                  </option>
                ))}
              </select>
            </label>
            <label>
              Deployment name
              <input value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder={suggestedName || 'group → collection'} maxLength={200} className="wide" />
            </label>
          </div>
        </fieldset>
        {group && <GroupFlags group={group} />}
      </>
    );
  } else if (step === 1) {
    body = <ScheduleFields value={draft} onChange={set} />;
  } else if (step === 2) {
    body = <RestartAndWindowFields value={draft} onChange={set} />;
  } else if (step === 3) {
    body = <AlertFields value={draft} onChange={set} />;
  } else {
    body = (
      <section aria-labelledby="summary">
        <h2 id="summary">Summary</h2>
        <p className="hint">Nothing is created until you press "Create deployment".</p>
        <dl className="properties" data-testid="deployment-summary">
          <dt>Name</dt>
          <dd>{name}</dd>
          <dt>Update group</dt>
          <dd>{group ? `${group.name} (${formatNumber(group.counts.updates)} updates)` : draft.groupId}</dd>
          <dt>Collection</dt>
          <dd>{collection ? `${collection.name} (${formatNumber(collection.memberCount)} clients)` : draft.collectionId}</dd>
          <dt>Purpose</dt>
          <dd>{draft.purpose === 'required' ? 'Required' : 'Available'}</dd>
          <dt>Available</dt>
          <dd>{draft.availableAt ? timeWords(draft.availableAt, draft.timeBasis) : 'As soon as it is created'}</dd>
          <dt>Deadline</dt>
          <dd>{draft.purpose === 'required' ? (draft.deadlineAt ? timeWords(draft.deadlineAt, draft.timeBasis) : 'none given') : 'None (available)'}</dd>
          <dt>Restart</dt>
          <dd>{restartWords[draft.restartSuppression]}</dd>
          <dt>Maintenance windows</dt>
          <dd>{describeWindows(draft)}</dd>
          <dt>Maximum run time</dt>
          <dd>{draft.maxRunMinutes} minutes</dd>
          <dt>Alert</dt>
          <dd>{describeAlert(draft)}</dd>
        </dl>
        {group && <GroupFlags group={group} />}
      </section>
    );
  }

  const last = step === steps.length - 1;
  return (
    <div className="wizard">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.deployments}>Deployments</Link>
        {group && (
          <>
            {' '}
            › <Link to={libraryPaths.updateGroup(group.groupId)}>{group.name}</Link>
          </>
        )}{' '}
        › <span>Deploy</span>
      </nav>
      <PageHeader title="Deploy software updates" description="An update group to a collection: what clients must install, by when, and how." />
      <ol className="wizard-steps" aria-label="Steps">
        {steps.map((label, i) => (
          <li key={label} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : undefined}>
            {i + 1}. {label}
          </li>
        ))}
      </ol>
      <ErrorNotice error={groups.error ?? collections.error} />
      {(groups.loading || collections.loading) && <Loading />}
      <form className="form-panel" aria-label={steps[step]} onSubmit={last ? (e) => { e.preventDefault(); void create(); } : next}>
        {body}
        <ErrorNotice error={action.error} />
        <div className="button-row">
          {step > 0 && (
            <button type="button" onClick={back}>
              ‹ Back
            </button>
          )}
          <button type="submit" className="primary" disabled={action.busy}>
            {last ? 'Create deployment' : 'Next ›'}
          </button>
        </div>
      </form>
    </div>
  );
}

/** §6.1 / §12 what the console shows in red before a group is deployed. */
function GroupFlags({ group }: { group: UpdateGroup }) {
  if (!group.counts.withoutContent && !group.counts.expired && group.counts.updates) return null;
  return (
    <div className="error-notice" role="note">
      <span>
        {group.counts.updates === 0 && 'The group has no updates. '}
        {group.counts.withoutContent > 0 && `${formatNumber(group.counts.withoutContent)} of its updates have files in no deployment package: clients have nowhere to get them. `}
        {group.counts.expired > 0 && `${formatNumber(group.counts.expired)} expired updates are never deployed.`}
      </span>
    </div>
  );
}
