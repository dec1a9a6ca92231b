import {
  deploymentComplianceStateIds,
  deploymentStateName,
  deploymentInstant,
  enforcementStateIds,
  evaluationStateIds,
  stateMessageTopics,
  type DeploymentCategory,
  type DeploymentClientStatus,
  type DeploymentCounts,
  type DeploymentDefinition,
  type DeploymentStateRecord,
} from '@patchday/core';
import type { Kysely } from 'kysely';
import type { ClientDeploymentStatesTable, Database } from '../store/schema.ts';

const e = enforcementStateIds;
const inProgress = new Set<number>([e.installing, e.waitingForAnotherInstall, e.downloading, e.downloaded, e.success]);
const waiting = new Set<number>([e.waitingForRestart, e.pendingRestart, e.waitingForMaintenanceWindow]);
const failed = new Set<number>([e.failedInstall, e.failedDownload]);

type StateRow = Pick<ClientDeploymentStatesTable, 'topic' | 'state_id' | 'update_id' | 'error' | 'state_at' | 'received_at'>;

export interface Verdict {
  category: DeploymentCategory;
  detail: string;
  error: string | null;
}

/**
 * §9 one client's category for a deployment, from its last message of each topic (300 compliance,
 * 301 enforcement, 302 evaluation). A later message outranks an earlier one of another topic: a
 * client that failed and then became compliant is compliant; one that was compliant and now installs
 * an update added to the group is in progress.
 *
 * - compliant: topic 300 state 1;
 * - error: 301 failed install (6) or failed download (9), or 302 evaluation failed (3), with its error;
 * - in progress: 301 installing, waiting for another install, downloading, downloaded, or success
 *   not yet followed by its compliance message;
 * - waiting: 301 waiting for restart, pending restart, waiting for a maintenance window; or evaluated
 *   (or reported non-compliant) while the available time, or a required deployment's deadline, is
 *   still ahead (client-local times are read as UTC here: the site does not know its clients' zones);
 * - unknown: a member that has sent nothing about it yet.
 */
export function categorise(rows: readonly StateRow[], d: DeploymentDefinition, now: Date): Verdict {
  const of = (topic: number) => rows.find((r) => Number(r.topic) === topic);
  const compliance = of(stateMessageTopics.deploymentCompliance);
  const enforcement = of(stateMessageTopics.enforcement);
  const evaluation = of(stateMessageTopics.evaluation);
  const notAfter = (a: StateRow, b: StateRow | undefined) => !b || a.state_at >= b.state_at;
  if (compliance && Number(compliance.state_id) === deploymentComplianceStateIds.compliant && notAfter(compliance, enforcement) && notAfter(compliance, evaluation)) {
    return { category: 'compliant', detail: 'compliant', error: null };
  }
  const enforcementState = enforcement ? Number(enforcement.state_id) : null;
  const evaluationFailed = evaluation && Number(evaluation.state_id) === evaluationStateIds.failed && notAfter(evaluation, enforcement);
  if (evaluationFailed) return { category: 'error', detail: deploymentStateName(stateMessageTopics.evaluation, evaluationStateIds.failed), error: evaluation.error };
  if (enforcementState !== null && failed.has(enforcementState)) return { category: 'error', detail: deploymentStateName(stateMessageTopics.enforcement, enforcementState), error: enforcement!.error };
  if (enforcementState !== null && inProgress.has(enforcementState)) return { category: 'in-progress', detail: deploymentStateName(stateMessageTopics.enforcement, enforcementState), error: null };
  if (enforcementState !== null && waiting.has(enforcementState)) return { category: 'waiting', detail: deploymentStateName(stateMessageTopics.enforcement, enforcementState), error: null };
  if (!compliance && !evaluation) return { category: 'unknown', detail: 'no state message yet', error: null };
  if (now < deploymentInstant(d.availableAt, d.timeBasis, 'UTC')) return { category: 'waiting', detail: 'waiting for the available time', error: null };
  if (d.purpose === 'available') return { category: 'waiting', detail: 'available: waiting for the user to install', error: null };
  if (d.deadlineAt !== null && now < deploymentInstant(d.deadlineAt, d.timeBasis, 'UTC')) return { category: 'waiting', detail: 'waiting for the deadline', error: null };
  return { category: 'in-progress', detail: compliance ? 'non-compliant, past the deadline' : 'evaluated, past the deadline', error: null };
}

export function stateRecords(rows: readonly StateRow[]): DeploymentStateRecord[] {
  return [...rows]
    .sort((a, b) => Number(a.topic) - Number(b.topic))
    .map((r) => ({ topic: Number(r.topic), stateId: Number(r.state_id), state: deploymentStateName(Number(r.topic), Number(r.state_id)), updateId: r.update_id, error: r.error, at: r.state_at, receivedAt: r.received_at }));
}

const countKey: Record<DeploymentCategory, keyof Omit<DeploymentCounts, 'members'>> = { compliant: 'compliant', 'in-progress': 'inProgress', waiting: 'waiting', error: 'error', unknown: 'unknown' };

/**
 * Every member of the deployment's collection with its category, ordered by name. States of clients
 * that have left the collection are kept but not counted: the deployment no longer applies to them.
 */
export async function memberStatuses(db: Kysely<Database>, deployment: { deploymentId: string; collectionId: string; definition: DeploymentDefinition }, now: Date): Promise<{ counts: DeploymentCounts; clients: DeploymentClientStatus[] }> {
  const rows = await db
    .selectFrom('collection_members as m')
    .innerJoin('clients as c', 'c.client_id', 'm.client_id')
    .leftJoin('client_deployment_states as s', (j) => j.onRef('s.client_id', '=', 'm.client_id').on('s.deployment_id', '=', deployment.deploymentId))
    .select(['c.client_id', 'c.name', 's.topic', 's.state_id', 's.update_id', 's.error', 's.state_at', 's.received_at'])
    .where('m.collection_id', '=', deployment.collectionId)
    .orderBy('c.name')
    .orderBy('c.client_id')
    .execute();
  const clients: DeploymentClientStatus[] = [];
  const counts: DeploymentCounts = { members: 0, compliant: 0, inProgress: 0, waiting: 0, error: 0, unknown: 0 };
  for (let i = 0; i < rows.length; ) {
    const clientId = rows[i].client_id;
    const name = rows[i].name;
    const states: StateRow[] = [];
    for (; i < rows.length && rows[i].client_id === clientId; i++) {
      const r = rows[i];
      if (r.topic !== null) states.push(r as StateRow);
    }
    const verdict = categorise(states, deployment.definition, now);
    counts.members++;
    counts[countKey[verdict.category]]++;
    clients.push({ clientId, name, ...verdict, states: stateRecords(states) });
  }
  return { counts, clients };
}

export function percentCompliant(counts: DeploymentCounts): number {
  return counts.members === 0 ? 0 : Math.round((counts.compliant / counts.members) * 10_000) / 100;
}
