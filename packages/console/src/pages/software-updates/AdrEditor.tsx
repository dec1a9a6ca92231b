import type { AutomaticDeploymentRule, Collection, DeploymentPackage, DistributionPoint, StoredAdrDeployment, UpdateGroup } from '@patchday/core';
import { useMemo, useState, type FormEvent } from 'react';
import { useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { AlertFields, behaviourOf, defaultBehaviour, draftOfBehaviour, RestartAndWindowFields, type BehaviourDraft } from '../deployments/DeploymentBehaviourFields.tsx';
import { CriteriaBuilder } from './CriteriaBuilder.tsx';
import { cronExamples, describeCron } from './cron-hint.ts';
import { useAction } from './use-action.ts';
import { draftOfFilter, emptyDraft, filterOfDraft, type FilterDraft } from './update-filter-draft.ts';

const units = { minutes: 1, hours: 60, days: 1440 } as const;
type Unit = keyof typeof units;

interface Delay {
  amount: string;
  unit: Unit;
}

/** Minutes in the largest unit that holds them whole: 10080 → 7 days. */
function delayOf(minutes: number): Delay {
  const unit: Unit = minutes % 1440 === 0 && minutes > 0 ? 'days' : minutes % 60 === 0 && minutes > 0 ? 'hours' : 'minutes';
  return { amount: String(minutes / units[unit]), unit };
}
const minutesOf = (d: Delay): number => (/^\d+$/.test(d.amount.trim()) ? Number(d.amount) * units[d.unit] : (d.amount as unknown as number));

interface TemplateDraft extends BehaviourDraft {
  name: string;
  collectionId: string;
  purpose: 'required' | 'available';
  timeBasis: 'utc' | 'client-local';
  availableAfter: Delay;
  deadlineAfter: Delay;
  enabled: boolean;
}

const newTemplate = (): TemplateDraft => ({
  ...defaultBehaviour,
  name: '',
  collectionId: '',
  purpose: 'required',
  timeBasis: 'utc',
  availableAfter: { amount: '0', unit: 'hours' },
  deadlineAfter: { amount: '7', unit: 'days' },
  enabled: true,
});

function templateOf(t: StoredAdrDeployment): TemplateDraft {
  return {
    ...draftOfBehaviour(t),
    name: t.name ?? '',
    collectionId: t.collectionId,
    purpose: t.purpose,
    timeBasis: t.timeBasis,
    availableAfter: delayOf(t.availableAfterMinutes),
    deadlineAfter: delayOf(t.deadlineAfterMinutes ?? 7 * 1440),
    enabled: t.enabled,
  };
}

function wireTemplate(t: TemplateDraft) {
  return {
    ...(t.name.trim() ? { name: t.name.trim() } : {}),
    collectionId: t.collectionId,
    purpose: t.purpose,
    timeBasis: t.timeBasis,
    availableAfterMinutes: minutesOf(t.availableAfter),
    deadlineAfterMinutes: t.purpose === 'required' ? minutesOf(t.deadlineAfter) : null,
    ...behaviourOf(t),
    enabled: t.enabled,
  };
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const knownZones = (): string[] => {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone')];
  } catch {
    return ['UTC'];
  }
};

/**
 * §6.3 an automatic deployment rule's form, new or existing: criteria, schedule, mode, downloads
 * and distribution points, and its deployment templates. The site validates everything on save.
 */
export function AdrEditor({ rule, onSaved, onCancel }: { rule?: AutomaticDeploymentRule; onSaved(rule: AutomaticDeploymentRule): void; onCancel?(): void }) {
  const api = useApi();
  const action = useAction();
  const collections = useResource<{ collections: Collection[] }>('/collections');
  const dps = useResource<{ distributionPoints: DistributionPoint[] }>('/distribution-points');
  const groups = useResource<{ groups: UpdateGroup[] }>(rule ? null : '/update-groups');
  const packages = useResource<{ packages: DeploymentPackage[] }>(rule ? null : '/packages');
  const zones = useMemo(knownZones, []);

  const [name, setName] = useState(rule?.name ?? '');
  const [description, setDescription] = useState(rule?.description ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [groupId, setGroupId] = useState('');
  const [packageId, setPackageId] = useState('');
  const [criteria, setCriteria] = useState<FilterDraft>(rule ? draftOfFilter(rule.criteria) : { ...emptyDraft, superseded: 'false' });
  const [scheduled, setScheduled] = useState(rule ? rule.schedule !== null : true);
  const [cron, setCron] = useState(rule?.schedule?.cron ?? '0 22 * * TUE#2');
  const [timeZone, setTimeZone] = useState(rule?.schedule?.timeZone ?? browserZone());
  const [mode, setMode] = useState<'deploy' | 'report'>(rule?.mode ?? 'deploy');
  const [download, setDownload] = useState(rule?.download.download ?? true);
  const [dpIds, setDpIds] = useState<ReadonlySet<string>>(new Set(rule?.download.distributionPointIds ?? []));
  const [templates, setTemplates] = useState<TemplateDraft[]>(rule ? rule.deployments.map(templateOf) : [newTemplate()]);

  const collectionList = collections.data?.collections ?? [];
  const hint = describeCron(cron);
  const setTemplate = (index: number, next: Partial<TemplateDraft>) => setTemplates((all) => all.map((t, i) => (i === index ? { ...t, ...next } : t)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      name,
      description,
      criteria: filterOfDraft(criteria),
      schedule: scheduled ? { cron: cron.trim(), timeZone: timeZone.trim() } : null,
      mode,
      download: { download, distributionPointIds: [...dpIds] },
      deployments: templates.map(wireTemplate),
    };
    const saved = await action.run(() =>
      rule
        ? api.patch<AutomaticDeploymentRule>(`/adrs/${rule.adrId}`, body)
        : api.post<AutomaticDeploymentRule>('/adrs', { ...body, enabled, ...(groupId ? { groupId } : {}), ...(packageId ? { packageId } : {}) }),
    );
    if (saved) onSaved(saved);
  };

  return (
    <form className="form-panel" aria-label={rule ? `Edit ${rule.name}` : 'New automatic deployment rule'} onSubmit={(e) => void submit(e)}>
      <div className="form-row">
        <label>
          Rule name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} className="wide" />
        </label>
        {!rule && (
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Enabled
          </label>
        )}
      </div>
      {!rule && (
        <div className="form-row">
          <label>
            Update group it refills
            <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">A new group named after the rule</option>
              {groups.data?.groups.map((g) => (
                <option key={g.groupId} value={g.groupId}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Deployment package
            <select value={packageId} onChange={(e) => setPackageId(e.target.value)}>
              <option value="">A new package named after the rule</option>
              {packages.data?.packages.map((p) => (
                <option key={p.packageId} value={p.packageId}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <CriteriaBuilder value={criteria} onChange={setCriteria} collections={collectionList} />
      <fieldset>
        <legend>Schedule</legend>
        <div className="form-row">
          <label className="check">
            <input type="radio" name="scheduled" checked={scheduled} onChange={() => setScheduled(true)} />
            On a schedule
          </label>
          <label className="check">
            <input type="radio" name="scheduled" checked={!scheduled} onChange={() => setScheduled(false)} />
            Only when run by hand
          </label>
        </div>
        {scheduled && (
          <>
            <div className="form-row">
              <label>
                Cron expression
                <input value={cron} onChange={(e) => setCron(e.target.value)} required className="medium mono" />
              </label>
              <label>
                Time zone
                <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required list="adr-time-zones" />
              </label>
              <datalist id="adr-time-zones">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
              <div className="examples" role="group" aria-label="Example schedules">
                <span className="muted small">Examples:</span>
                {cronExamples.map((x) => (
                  <button key={x.cron} type="button" onClick={() => setCron(x.cron)}>
                    {x.label}
                  </button>
                ))}
              </div>
            </div>
            <p className="hint" data-testid="cron-hint">
              {hint ? `${hint} (${timeZone}).` : 'The console cannot put this schedule in words; the site checks it and shows the next run once saved.'} Five fields (six with seconds); TUE#2 is the second Tuesday, FRI#L the last Friday.
            </p>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>Mode</legend>
        <div className="form-row">
          <label className="check">
            <input type="radio" name="mode" checked={mode === 'deploy'} onChange={() => setMode('deploy')} />
            Deploy: clients install the updates
          </label>
          <label className="check">
            <input type="radio" name="mode" checked={mode === 'report'} onChange={() => setMode('report')} />
            Report only: clients report compliance, never install
          </label>
        </div>
      </fieldset>
      {mode === 'deploy' && (
        <fieldset>
          <legend>Download and distribution</legend>
          <div className="form-row">
            <label className="check">
              <input type="checkbox" checked={download} onChange={(e) => setDownload(e.target.checked)} />
              Download the selected updates' files into the package at each run
            </label>
          </div>
          <div className="form-row" role="group" aria-label="Distribution points">
            <span className="muted small">Send the package to (none ticked: every enabled distribution point):</span>
            {dps.data?.distributionPoints.map((dp) => (
              <label key={dp.dpId} className="check">
                <input
                  type="checkbox"
                  checked={dpIds.has(dp.dpId)}
                  onChange={(e) =>
                    setDpIds((current) => {
                      const next = new Set(current);
                      if (e.target.checked) next.add(dp.dpId);
                      else next.delete(dp.dpId);
                      return next;
                    })
                  }
                />
                {dp.name}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {templates.map((t, i) => (
        <fieldset key={i} className="template">
          <legend>Deployment {i + 1}</legend>
          <div className="form-row">
            <label>
              Collection
              <select value={t.collectionId} onChange={(e) => setTemplate(i, { collectionId: e.target.value })} required>
                <option value="">Choose a collection…</option>
                {collectionList.map((c) => (
                  <option key={c.collectionId} value={c.collectionId}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Deployment name (optional)
              <input value={t.name} onChange={(e) => setTemplate(i, { name: e.target.value })} placeholder="rule → collection" maxLength={200} />
            </label>
            <label>
              Purpose
              <select value={t.purpose} onChange={(e) => setTemplate(i, { purpose: e.target.value as TemplateDraft['purpose'] })}>
                <option value="required">Required</option>
                <option value="available">Available</option>
              </select>
            </label>
            <label>
              Times are in
              <select value={t.timeBasis} onChange={(e) => setTemplate(i, { timeBasis: e.target.value as TemplateDraft['timeBasis'] })}>
                <option value="utc">UTC</option>
                <option value="client-local">Each client's local time</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={t.enabled} onChange={(e) => setTemplate(i, { enabled: e.target.checked })} />
              Enabled
            </label>
          </div>
          <div className="form-row">
            <DelayField label="Available after" value={t.availableAfter} onChange={(availableAfter) => setTemplate(i, { availableAfter })} />
            {t.purpose === 'required' && <DelayField label="Deadline after" value={t.deadlineAfter} onChange={(deadlineAfter) => setTemplate(i, { deadlineAfter })} />}
            <span className="hint">after each run</span>
          </div>
          <RestartAndWindowFields value={t} onChange={(next) => setTemplate(i, next)} />
          <AlertFields value={t} onChange={(next) => setTemplate(i, next)} />
          {templates.length > 1 && (
            <button type="button" onClick={() => setTemplates((all) => all.filter((_, j) => j !== i))}>
              Remove deployment {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <ErrorNotice error={action.error ?? collections.error ?? dps.error} />
      <div className="button-row">
        <button type="button" onClick={() => setTemplates((all) => [...all, newTemplate()])}>
          Add a deployment
        </button>
        <button type="submit" className="primary" disabled={action.busy}>
          {rule ? 'Save rule' : 'Create rule'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function DelayField({ label, value, onChange }: { label: string; value: Delay; onChange(next: Delay): void }) {
  return (
    <span className="form-row delay">
      <label>
        {label}
        <input type="number" min={0} className="narrow" value={value.amount} onChange={(e) => onChange({ ...value, amount: e.target.value })} required />
      </label>
      <label>
        <span className="visually-hidden">{label} unit</span>
        <select value={value.unit} onChange={(e) => onChange({ ...value, unit: e.target.value as Unit })}>
          {Object.keys(units).map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      </label>
    </span>
  );
}
