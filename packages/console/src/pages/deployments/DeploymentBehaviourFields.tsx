import type { DeploymentAlertSettings, RestartSuppression } from '@patchday/core';

/**
 * §6.5 / §6.8 / §9 / §12 what a deployment does on each client beyond its times: restarts,
 * maintenance windows, maximum run time, and its alert. Shared by the deploy wizard and the
 * deployment templates of automatic deployment rules; every field is text while edited.
 */
export interface BehaviourDraft {
  restartSuppression: RestartSuppression;
  installOutsideWindows: boolean;
  restartOutsideWindows: boolean;
  maxRunMinutes: string;
  alertsOn: boolean;
  belowPercent: string;
  afterDays: string;
}

export const defaultBehaviour: BehaviourDraft = {
  restartSuppression: 'none',
  installOutsideWindows: false,
  restartOutsideWindows: false,
  maxRunMinutes: '60',
  alertsOn: false,
  belowPercent: '90',
  afterDays: '7',
};

export const restartWords: Record<RestartSuppression, string> = {
  none: 'Restart every client that needs it',
  servers: 'Suppress the restart on servers',
  workstations: 'Suppress the restart on workstations',
  both: 'Suppress the restart on servers and workstations',
};

/** A number as typed: a whole number goes as a number, anything else as typed, for the site to name. */
const numberOf = (text: string): number | string => (/^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);

/** The API's fields for a draft (CreateDeploymentRequest and AdrDeploymentTemplate share them). */
export function behaviourOf(d: BehaviourDraft) {
  return {
    restartSuppression: d.restartSuppression,
    installOutsideWindows: d.installOutsideWindows,
    restartOutsideWindows: d.restartOutsideWindows,
    maxRunMinutes: numberOf(d.maxRunMinutes) as number,
    alerts: d.alertsOn ? ({ belowPercent: numberOf(d.belowPercent), afterDays: numberOf(d.afterDays) } as DeploymentAlertSettings) : null,
  };
}

export function draftOfBehaviour(b: { restartSuppression: RestartSuppression; installOutsideWindows: boolean; restartOutsideWindows: boolean; maxRunMinutes: number; alerts: DeploymentAlertSettings | null }): BehaviourDraft {
  return {
    restartSuppression: b.restartSuppression,
    installOutsideWindows: b.installOutsideWindows,
    restartOutsideWindows: b.restartOutsideWindows,
    maxRunMinutes: String(b.maxRunMinutes),
    alertsOn: b.alerts !== null,
    belowPercent: String(b.alerts?.belowPercent ?? 90),
    afterDays: String(b.alerts?.afterDays ?? 7),
  };
}

export function describeWindows(d: Pick<BehaviourDraft, 'installOutsideWindows' | 'restartOutsideWindows'>): string {
  const install = d.installOutsideWindows ? 'installs at any time' : 'installs only in maintenance windows';
  const restart = d.restartOutsideWindows ? 'restarts at any time' : 'restarts only in maintenance windows';
  return `${install[0].toUpperCase()}${install.slice(1)}, ${restart} (a client without a window has no restriction)`;
}

export function describeAlert(d: Pick<BehaviourDraft, 'alertsOn' | 'belowPercent' | 'afterDays'>): string {
  return d.alertsOn ? `Alert when fewer than ${d.belowPercent} % of the clients are compliant ${d.afterDays} days after the available time` : 'No alert';
}

type Change = (next: Partial<BehaviourDraft>) => void;

export function RestartAndWindowFields({ value, onChange }: { value: BehaviourDraft; onChange: Change }) {
  return (
    <>
      <fieldset>
        <legend>Restart behaviour</legend>
        <div className="form-row">
          <label>
            Restart
            <select value={value.restartSuppression} onChange={(e) => onChange({ restartSuppression: e.target.value as RestartSuppression })}>
              {Object.entries(restartWords).map(([key, words]) => (
                <option key={key} value={key}>
                  {words}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p className="hint">A client whose restart is suppressed reports "pending restart" until someone restarts it.</p>
      </fieldset>
      <fieldset>
        <legend>Maintenance windows</legend>
        <div className="form-row">
          <label className="check">
            <input type="checkbox" checked={value.installOutsideWindows} onChange={(e) => onChange({ installOutsideWindows: e.target.checked })} />
            Allow installs outside maintenance windows
          </label>
          <label className="check">
            <input type="checkbox" checked={value.restartOutsideWindows} onChange={(e) => onChange({ restartOutsideWindows: e.target.checked })} />
            Allow restarts outside maintenance windows
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Maximum run time</legend>
        <div className="form-row">
          <label>
            Maximum run time (minutes)
            <input type="number" min={1} max={1440} className="narrow" value={value.maxRunMinutes} onChange={(e) => onChange({ maxRunMinutes: e.target.value })} required />
          </label>
        </div>
        <p className="hint">An install that runs longer is stopped and reported as failed; clients start one only when it fits in their window.</p>
      </fieldset>
    </>
  );
}

export function AlertFields({ value, onChange }: { value: BehaviourDraft; onChange: Change }) {
  return (
    <fieldset>
      <legend>Alerts</legend>
      <div className="form-row">
        <label className="check">
          <input type="checkbox" checked={value.alertsOn} onChange={(e) => onChange({ alertsOn: e.target.checked })} />
          Alert when compliance is low
        </label>
        {value.alertsOn && (
          <>
            <label>
              Below (%)
              <input type="number" min={1} max={100} className="narrow" value={value.belowPercent} onChange={(e) => onChange({ belowPercent: e.target.value })} required />
            </label>
            <label>
              After (days)
              <input type="number" min={0} max={365} className="narrow" value={value.afterDays} onChange={(e) => onChange({ afterDays: e.target.value })} required />
            </label>
          </>
        )}
      </div>
      <p className="hint">{describeAlert(value)}.</p>
    </fieldset>
  );
}
