import { scanProgressStateIds, stateMessageTopics, type StateMessage, type StateMessageAck } from '@patchday/core';
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import { HttpError } from '../../http/http-error.ts';
import type { ClientDeploymentStatesTable, ClientsTable, ClientUpdateStatesTable } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';

/** A batch of 1,000 messages (the schema's maximum) fits comfortably; anything bigger is refused with 413. */
export const MAX_STATE_MESSAGE_BATCH_BYTES = 1024 * 1024;

const completedScan = new Set<number>([scanProgressStateIds.complete, scanProgressStateIds.completedWithErrors]);

/** What topic 501 messages set on the client row. */
type ScanColumns = Pick<ClientsTable, 'last_scan_at' | 'last_scan_state_id' | 'last_scan_anchor' | 'last_scan_product' | 'last_scan_error' | 'last_scan_completed_at'>;

const badBatch = (problems: string[]) => new HttpError(400, `invalid state messages: ${problems.join('; ')}`, { issues: problems });

/**
 * Stores one batch of a client's state messages (§5), all or nothing, in one transaction.
 *
 * The agent numbers its messages and keeps each until acknowledged; the site keeps the highest
 * number it stored per client (`clients.last_message_seq`) and ignores every message at or below
 * it, so a batch resent after a lost answer — or one overlapping the last — stores only what is
 * new. Topic 500 messages upsert the client's state of the update (the highest seq wins); topic 501
 * messages, applied in seq order, set the client's last scan; topics 300/301/302 upsert the client's
 * last state of the deployment per topic (the highest seq wins), with its update and error.
 *
 * Refused with 400, changing nothing: two messages with the same seq, a completed scan without its
 * product and anchor, a detection message for an update this site's catalogue does not have
 * (agents report only updates they got from their update point), and a deployment message for a
 * deployment this site does not have (agents report only deployments their policy named).
 */
export async function ingestStateMessages(store: Store, clientId: string, messages: readonly StateMessage[], now: Date): Promise<StateMessageAck> {
  const problems: string[] = [];
  const indexOfSeq = new Map<number, number>();
  messages.forEach((m, i) => {
    const earlier = indexOfSeq.get(m.seq);
    if (earlier !== undefined) problems.push(`messages.${i}.seq: seq ${m.seq} appears twice in the batch (also messages.${earlier})`);
    else indexOfSeq.set(m.seq, i);
    if (m.topic === stateMessageTopics.scanProgress && completedScan.has(m.stateId) && (m.product === null || m.anchor === null)) {
      problems.push(`messages.${i}: a completed scan (state ${m.stateId}) must name the product and the catalogue anchor it evaluated`);
    }
  });
  if (problems.length) throw badBatch(problems);
  const sorted = messages.map((message, index) => ({ message, index })).sort((a, b) => a.message.seq - b.message.seq);
  const receivedAt = now.toISOString();
  return store.sqliteHandle ? ingestSqlite(store.sqliteHandle, store, clientId, sorted, receivedAt) : ingestPostgres(store, clientId, sorted, receivedAt);
}

type Indexed = { message: StateMessage; index: number };

/**
 * The messages after `lastSeq`: one row per update (the last wins), one per deployment and topic
 * (the last wins), and the client's new scan columns.
 */
function plan(sorted: readonly Indexed[], lastSeq: number, receivedAt: string, clientId: string) {
  const fresh = sorted.filter((e) => e.message.seq > lastSeq);
  const states = new Map<string, ClientUpdateStatesTable>();
  /** Per update, the batch index of the first new message naming it, for error messages. */
  const firstIndex = new Map<string, number>();
  const deploymentStates = new Map<string, ClientDeploymentStatesTable>();
  /** Per deployment, the batch index of the first new message naming it. */
  const firstDeploymentIndex = new Map<string, number>();
  let scan: Partial<ScanColumns> | null = null;
  // Messages of one scan share their time: normalise each distinct time once.
  let lastTime = '';
  let at = '';
  for (const { message: m, index } of fresh) {
    if (m.time !== lastTime) at = new Date((lastTime = m.time)).toISOString();
    if (m.topic === stateMessageTopics.detection) {
      states.set(m.updateId, { client_id: clientId, update_id: m.updateId, state_id: m.stateId, revision: m.revision, state_at: at, received_at: receivedAt });
      if (!firstIndex.has(m.updateId)) firstIndex.set(m.updateId, index);
    } else if (m.topic === stateMessageTopics.scanProgress) {
      scan = { ...(scan ?? {}), last_scan_at: at, last_scan_state_id: m.stateId, last_scan_error: m.error };
      if (completedScan.has(m.stateId)) Object.assign(scan, { last_scan_anchor: m.anchor, last_scan_product: m.product, last_scan_completed_at: at });
    } else {
      deploymentStates.set(`${m.deploymentId}\0${m.topic}`, {
        client_id: clientId,
        deployment_id: m.deploymentId,
        topic: m.topic,
        state_id: m.stateId,
        update_id: m.topic === stateMessageTopics.enforcement ? m.updateId : null,
        error: m.error,
        state_at: at,
        received_at: receivedAt,
      });
      if (!firstDeploymentIndex.has(m.deploymentId)) firstDeploymentIndex.set(m.deploymentId, index);
    }
  }
  const ack: StateMessageAck = { acknowledgedSeq: fresh.length ? fresh[fresh.length - 1].message.seq : lastSeq, stored: fresh.length, duplicates: sorted.length - fresh.length };
  // In key order: the b-tree descents of consecutive rows share their upper pages.
  const rows = [...states.values()].sort((a, b) => (a.update_id < b.update_id ? -1 : a.update_id > b.update_id ? 1 : 0));
  const deployments = [...deploymentStates.values()];
  return { ack, states: rows, scan, firstIndex, deployments, firstDeploymentIndex };
}

/** 400 naming every new detection message whose update the catalogue does not have. */
function refuseUnknownUpdates(states: readonly ClientUpdateStatesTable[], isKnown: (updateId: string) => boolean, firstIndex: Map<string, number>): void {
  const unknown = states.filter((r) => !isKnown(r.update_id)).map((r) => ({ index: firstIndex.get(r.update_id)!, updateId: r.update_id }));
  if (!unknown.length) return;
  unknown.sort((a, b) => a.index - b.index);
  throw badBatch(unknown.map((u) => `messages.${u.index}.updateId: update ${u.updateId} is not in this site's catalogue`));
}

/** 400 naming every new deployment message whose deployment this site does not have. */
function refuseUnknownDeployments(rows: readonly ClientDeploymentStatesTable[], isKnown: (deploymentId: string) => boolean, firstIndex: Map<string, number>): void {
  const unknown = [...new Set(rows.map((r) => r.deployment_id))].filter((id) => !isKnown(id)).map((deploymentId) => ({ index: firstIndex.get(deploymentId)!, deploymentId }));
  if (!unknown.length) return;
  unknown.sort((a, b) => a.index - b.index);
  throw badBatch(unknown.map((u) => `messages.${u.index}.deploymentId: deployment ${u.deploymentId} does not exist on this site`));
}

interface SqliteStatements {
  lastSeq: BetterSqlite3.Statement;
  updateExists: BetterSqlite3.Statement;
  deploymentExists: BetterSqlite3.Statement;
  upsert: BetterSqlite3.Statement;
  upsertDeployment: BetterSqlite3.Statement;
  advance: BetterSqlite3.Statement;
  scan: BetterSqlite3.Statement;
}
const sqliteStatements = new WeakMap<BetterSqlite3.Database, SqliteStatements>();

function statementsOf(handle: BetterSqlite3.Database): SqliteStatements {
  let s = sqliteStatements.get(handle);
  if (!s) {
    s = {
      lastSeq: handle.prepare('select last_message_seq from clients where client_id = ?').pluck(),
      updateExists: handle.prepare('select 1 from updates where update_id = ?').pluck(),
      deploymentExists: handle.prepare('select 1 from deployments where deployment_id = ?').pluck(),
      upsert: handle.prepare(`insert into client_update_states (client_id, update_id, state_id, revision, state_at, received_at) values (?, ?, ?, ?, ?, ?)
        on conflict (client_id, update_id) do update set state_id = excluded.state_id, revision = excluded.revision, state_at = excluded.state_at, received_at = excluded.received_at`),
      upsertDeployment: handle.prepare(`insert into client_deployment_states (client_id, deployment_id, topic, state_id, update_id, error, state_at, received_at) values (?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (client_id, deployment_id, topic) do update set state_id = excluded.state_id, update_id = excluded.update_id, error = excluded.error, state_at = excluded.state_at, received_at = excluded.received_at`),
      advance: handle.prepare('update clients set last_message_seq = ?, last_state_message_at = ? where client_id = ?'),
      // coalesce: a scan message that is not a completed scan keeps the last completed scan's columns.
      scan: handle.prepare(`update clients set last_scan_at = ?, last_scan_state_id = ?, last_scan_error = ?,
        last_scan_anchor = coalesce(?, last_scan_anchor), last_scan_product = coalesce(?, last_scan_product), last_scan_completed_at = coalesce(?, last_scan_completed_at) where client_id = ?`),
    };
    sqliteStatements.set(handle, s);
  }
  return s;
}

/** One batch as the SQLite writer applies it: reads, then refuses or writes, all synchronously. */
function applySqlite(s: SqliteStatements, clientId: string, sorted: readonly Indexed[], receivedAt: string): StateMessageAck {
  const lastSeq = s.lastSeq.get(clientId) as number | undefined;
  if (lastSeq === undefined) throw new HttpError(404, `client ${clientId} does not exist`);
  const { ack, states, scan, firstIndex, deployments, firstDeploymentIndex } = plan(sorted, lastSeq, receivedAt, clientId);
  if (ack.stored === 0) return ack;
  // Every check comes before the first write, so a refused batch leaves nothing behind.
  refuseUnknownUpdates(states, (id) => s.updateExists.get(id) !== undefined, firstIndex);
  refuseUnknownDeployments(deployments, (id) => s.deploymentExists.get(id) !== undefined, firstDeploymentIndex);
  for (const r of states) s.upsert.run(r.client_id, r.update_id, r.state_id, r.revision, r.state_at, r.received_at);
  for (const r of deployments) s.upsertDeployment.run(r.client_id, r.deployment_id, r.topic, r.state_id, r.update_id, r.error, r.state_at, r.received_at);
  s.advance.run(ack.acknowledgedSeq, receivedAt, clientId);
  if (scan) s.scan.run(scan.last_scan_at, scan.last_scan_state_id, scan.last_scan_error, scan.last_scan_anchor ?? null, scan.last_scan_product ?? null, scan.last_scan_completed_at ?? null, clientId);
  return ack;
}

interface SqliteJob {
  clientId: string;
  sorted: readonly Indexed[];
  receivedAt: string;
  resolve(ack: StateMessageAck): void;
  reject(error: unknown): void;
}

/** At most this many batches share one commit, so one transaction never holds the store long. */
const MAX_BATCHES_PER_COMMIT = 8;

/**
 * SQLite group commit. On SQLite the cost of a batch is its commit: upserts at random update ids
 * dirty hundreds of index pages, each written to the WAL and synced. Batches that arrive while a
 * commit is under way wait for it and then go together in the next transaction — each still all or
 * nothing (a refused batch is refused before it writes anything), each acknowledged only once its
 * transaction is durable. Prepared statements run in a loop on the connection Kysely lends to the
 * transaction: a few microseconds per message, no async step between them.
 */
class SqliteIngestQueue {
  private readonly pending: SqliteJob[] = [];
  private draining = false;
  private readonly statements: SqliteStatements;

  constructor(
    private readonly store: Store,
    handle: BetterSqlite3.Database,
  ) {
    this.statements = statementsOf(handle);
  }

  submit(clientId: string, sorted: readonly Indexed[], receivedAt: string): Promise<StateMessageAck> {
    return new Promise((resolve, reject) => {
      this.pending.push({ clientId, sorted, receivedAt, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // One turn of the event loop: batches that arrived together commit together.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const jobs = this.pending.splice(0, MAX_BATCHES_PER_COMMIT);
      const outcomes: Array<{ ack: StateMessageAck } | { error: unknown }> = [];
      try {
        await this.store.db.transaction().execute(async () => {
          for (const job of jobs) {
            try {
              outcomes.push({ ack: applySqlite(this.statements, job.clientId, job.sorted, job.receivedAt) });
            } catch (error) {
              // A refused batch wrote nothing; anything else (I/O, a constraint) fails the whole commit.
              if (!(error instanceof HttpError)) throw error;
              outcomes.push({ error });
            }
          }
        });
      } catch (error) {
        for (const job of jobs) job.reject(error);
        continue;
      }
      jobs.forEach((job, i) => {
        const outcome = outcomes[i];
        if ('ack' in outcome) job.resolve(outcome.ack);
        else job.reject(outcome.error);
      });
    }
    this.draining = false;
  }
}

const sqliteQueues = new WeakMap<BetterSqlite3.Database, SqliteIngestQueue>();

function ingestSqlite(handle: BetterSqlite3.Database, store: Store, clientId: string, sorted: readonly Indexed[], receivedAt: string): Promise<StateMessageAck> {
  let queue = sqliteQueues.get(handle);
  if (!queue) sqliteQueues.set(handle, (queue = new SqliteIngestQueue(store, handle)));
  return queue.submit(clientId, sorted, receivedAt);
}

/** PostgreSQL: a fixed handful of statements per batch; the states go as one JSON record set. */
async function ingestPostgres(store: Store, clientId: string, sorted: readonly Indexed[], receivedAt: string): Promise<StateMessageAck> {
  return store.db.transaction().execute(async (trx) => {
    // The row lock orders two batches of the same client: the second sees the first's seq.
    const { rows } = await sql<{ last_message_seq: number }>`select last_message_seq from clients where client_id = ${clientId} for update`.execute(trx);
    if (!rows.length) throw new HttpError(404, `client ${clientId} does not exist`);
    const { ack, states, scan, firstIndex, deployments, firstDeploymentIndex } = plan(sorted, Number(rows[0].last_message_seq), receivedAt, clientId);
    if (ack.stored === 0) return ack;
    if (states.length) {
      // Only rows whose update exists are written; fewer rows than states means an unknown update,
      // and the error rolls the transaction back.
      const { numAffectedRows } = await trx.executeQuery(
        CompiledQuery.raw(
          `insert into client_update_states (client_id, update_id, state_id, revision, state_at, received_at)
           select r.client_id, r.update_id, r.state_id, r.revision, r.state_at, r.received_at from json_populate_recordset(null::client_update_states, $1::json) r
           where exists (select 1 from updates u where u.update_id = r.update_id)
           on conflict (client_id, update_id) do update set state_id = excluded.state_id, revision = excluded.revision, state_at = excluded.state_at, received_at = excluded.received_at`,
          [JSON.stringify(states)],
        ),
      );
      if (Number(numAffectedRows) !== states.length) {
        const ids = states.map((r) => r.update_id);
        const { rows: found } = await sql<{ update_id: string }>`select update_id from updates where update_id = any(${ids}::text[])`.execute(trx);
        const known = new Set(found.map((r) => r.update_id));
        refuseUnknownUpdates(states, (id) => known.has(id), firstIndex);
        throw new Error(`stored ${numAffectedRows} of ${states.length} update states, yet every update exists`);
      }
    }
    if (deployments.length) {
      // Few rows (a handful of deployments per client): checked, then written; a refusal
      // rolls back the update states written above.
      const ids = [...new Set(deployments.map((r) => r.deployment_id))];
      const { rows: found } = await sql<{ deployment_id: string }>`select deployment_id from deployments where deployment_id = any(${ids}::text[])`.execute(trx);
      const known = new Set(found.map((r) => r.deployment_id));
      refuseUnknownDeployments(deployments, (id) => known.has(id), firstDeploymentIndex);
      await trx.executeQuery(
        CompiledQuery.raw(
          `insert into client_deployment_states (client_id, deployment_id, topic, state_id, update_id, error, state_at, received_at)
           select r.client_id, r.deployment_id, r.topic, r.state_id, r.update_id, r.error, r.state_at, r.received_at from json_populate_recordset(null::client_deployment_states, $1::json) r
           on conflict (client_id, deployment_id, topic) do update set state_id = excluded.state_id, update_id = excluded.update_id, error = excluded.error, state_at = excluded.state_at, received_at = excluded.received_at`,
          [JSON.stringify(deployments)],
        ),
      );
    }
    await trx
      .updateTable('clients')
      .set({ last_message_seq: ack.acknowledgedSeq, last_state_message_at: receivedAt, ...(scan ?? {}) })
      .where('client_id', '=', clientId)
      .execute();
    return ack;
  });
}
