import {
  detectionStateOfId,
  MOST_REQUIRED_UPDATES,
  severities,
  evaluateUpdate,
  pendingDebianUpgrades,
  productOfInventory,
  scanStateNames,
  type Classification,
  type ClientCompliance,
  type ClientComplianceQuery,
  type ComplianceGroup,
  type ComplianceSource,
  type ComplianceSummary,
  type ComplianceSummaryQuery,
  type DetectionState,
  type Severity,
  type SourceCounts,
  type StateCounts,
  type UpdateBinary,
  type UpdateCompliance,
  type UpdateComplianceQuery,
} from '@patchday/core';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { inventoryOf } from '../inventory/inventory-store.ts';
import { isPostgres } from '../store/store.ts';
import type { Database, UpdatesTable } from '../store/schema.ts';
import { applicabilityOf, estimateUpdates, evaluateOnClients, loadUniverse, stateOnInventory, type Estimate, type EstimateCache } from './fleet-estimate.ts';

/**
 * The site's compliance answer (§4, §9; docs/compliance.md). The state of an update on a client is,
 * in order:
 * 1. reported — the client's last completed scan covers the update (same product, anchor at or after
 *    the update's change_seq): the state it reported (topic 500), else Not Required, since a completed
 *    scan reports every update whose state is anything else;
 * 2. estimated — else, when the site has the client's inventory: the update's own rules on it;
 * 3. none — else Unknown.
 * Superseded updates are evaluated like any other (and flagged). Only active clients are counted.
 */

type Db = Kysely<Database>;

const emptyCounts = (): StateCounts => ({ Required: 0, Installed: 0, 'Not Required': 0, Unknown: 0 });
const emptySourceCounts = (): SourceCounts => ({ reported: emptyCounts(), estimated: emptyCounts(), none: emptyCounts() });

/** (Installed + Not Required) / all, in percent with one decimal; null for nothing counted. */
/** The update's own fields every compliance row starts with. */
function headingOf(row: { update_id: string; title: string; product: string; classification: string; severity: string; superseded: number }) {
  return { updateId: row.update_id, title: row.title, product: row.product, classification: row.classification as Classification, severity: row.severity as Severity, superseded: row.superseded === 1 };
}

export function percentCompliant(counts: StateCounts): number | null {
  const all = counts.Required + counts.Installed + counts['Not Required'] + counts.Unknown;
  return all === 0 ? null : Math.round((1000 * (counts.Installed + counts['Not Required'])) / all) / 10;
}

/** A reported topic-500 state id as a state (an id outside 0..3 cannot be stored, but reads as Unknown). */
const reportedState = (stateId: number): DetectionState => detectionStateOfId(stateId) ?? 'Unknown';

/** Whether the client's last completed scan evaluated this revision of the update. */
export function scanCovers(client: { last_scan_product: string | null; last_scan_anchor: number | null }, update: { product: string; change_seq: number }): boolean {
  return client.last_scan_product === update.product && client.last_scan_anchor !== null && client.last_scan_anchor >= update.change_seq;
}

/** Restricts a clients query to the members of a collection. */
function inCollection<O>(query: SelectQueryBuilder<Database, 'clients', O>, collectionId: string | undefined): SelectQueryBuilder<Database, 'clients', O> {
  if (collectionId === undefined) return query;
  return query.where('clients.client_id', 'in', (eb) => eb.selectFrom('collection_members').select('collection_members.client_id').where('collection_members.collection_id', '=', collectionId));
}

export async function collectionExists(db: Db, collectionId: string): Promise<boolean> {
  return (await db.selectFrom('collections').select('collection_id').where('collection_id', '=', collectionId).executeTakeFirst()) !== undefined;
}

// ---- per client ------------------------------------------------------------------------------

/** Every update of the client's product and its state, with where each state comes from. */
export async function clientCompliance(db: Db, clientId: string, include: ClientComplianceQuery['include']): Promise<ClientCompliance | null> {
  const client = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  if (!client) return null;
  const inventory = await inventoryOf(db, clientId);
  const product = (inventory ? productOfInventory(inventory) : null) ?? client.last_scan_product;
  const counts = emptyCounts();
  const sources = { reported: 0, estimated: 0, none: 0 };
  const result: ClientCompliance = {
    clientId: client.client_id,
    name: client.name,
    status: client.status,
    product,
    inventoryAt: client.last_inventory_at,
    lastPolicyAt: client.last_policy_at,
    lastStateMessageAt: client.last_state_message_at,
    lastScan: {
      at: client.last_scan_at,
      stateId: client.last_scan_state_id,
      state: client.last_scan_state_id === null ? null : (scanStateNames[client.last_scan_state_id] ?? `state ${client.last_scan_state_id}`),
      error: client.last_scan_error,
      completedAt: client.last_scan_completed_at,
      product: client.last_scan_product,
      anchor: client.last_scan_anchor,
    },
    counts,
    sources,
    updates: [],
  };
  if (product === null) return result;

  const [rows, reported] = await Promise.all([
    db.selectFrom('updates').select(countedUpdateColumns).where('product', '=', product).execute(),
    db.selectFrom('client_update_states').select(['update_id', 'state_id', 'state_at']).where('client_id', '=', clientId).execute(),
  ]);
  const reportedOf = new Map(reported.map((r) => [r.update_id, r]));
  for (const u of rows) {
    let state: DetectionState = 'Unknown';
    let source: ComplianceSource = 'none';
    let reportedAt: string | null = null;
    let binaries: UpdateBinary[] | undefined;
    if (scanCovers(client, u)) {
      const row = reportedOf.get(u.update_id);
      state = row ? reportedState(row.state_id) : 'Not Required';
      reportedAt = row?.state_at ?? null;
      source = 'reported';
    } else if (inventory) {
      binaries = JSON.parse(u.binaries) as UpdateBinary[];
      const rules = applicabilityOf({ product: u.product, binaries });
      state = rules ? evaluateUpdate(rules, inventory) : 'Unknown';
      source = 'estimated';
    }
    counts[state]++;
    sources[source]++;
    if (include === 'required' && state !== 'Required') continue;
    binaries ??= state === 'Required' && inventory ? (JSON.parse(u.binaries) as UpdateBinary[]) : undefined;
    const upgrades = state === 'Required' && inventory && binaries
      ? pendingDebianUpgrades([{ updateId: u.update_id, binaries }], inventory).map((p) => ({ package: p.package, architecture: p.architecture, installed: p.from, target: p.to }))
      : [];
    result.updates.push({
      ...headingOf(u),
      state,
      source,
      reportedAt,
      upgrades,
    });
  }
  result.updates.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : a.updateId < b.updateId ? -1 : 1));
  return result;
}

// ---- per update ------------------------------------------------------------------------------

/** One update across the active clients (of a collection): counts, % compliant, and a page of clients. */
export async function updateCompliance(db: Db, updateId: string, query: UpdateComplianceQuery): Promise<UpdateCompliance | null> {
  const update = await db
    .selectFrom('updates')
    .select(countedUpdateColumns)
    .where('update_id', '=', updateId)
    .executeTakeFirst();
  if (!update) return null;
  const [clients, reported] = await Promise.all([
    inCollection(db.selectFrom('clients').select(['client_id', 'name', 'inventory_sha256', 'last_scan_product', 'last_scan_anchor']).where('status', '=', 'active'), query.collectionId)
      .orderBy('name')
      .orderBy('client_id')
      .execute(),
    db.selectFrom('client_update_states').select(['client_id', 'state_id']).where('update_id', '=', updateId).execute(),
  ]);
  const reportedOf = new Map(reported.map((r) => [r.client_id, r.state_id]));
  const universe = await loadUniverse(db, new Set(clients.flatMap((c) => (c.inventory_sha256 === null ? [] : [c.inventory_sha256]))));
  const estimate = (await estimateUpdates(db, universe, [{ updateId, product: update.product, binaries: JSON.parse(update.binaries) as UpdateBinary[] }])).get(updateId)!;
  const perClient = estimate.kind === 'client'
    ? await evaluateOnClients(db, estimate.rules, clients.filter((c) => c.inventory_sha256 !== null && !scanCovers(c, update)).map((c) => c.client_id))
    : undefined;

  const counts = emptyCounts();
  const bySource = emptySourceCounts();
  const page: UpdateCompliance['clients'] = [];
  let total = 0;
  for (const c of clients) {
    let state: DetectionState;
    let source: ComplianceSource;
    if (scanCovers(c, update)) {
      const id = reportedOf.get(c.client_id);
      state = id === undefined ? 'Not Required' : reportedState(id);
      source = 'reported';
    } else if (c.inventory_sha256 !== null) {
      const index = universe.indexOf.get(c.inventory_sha256);
      state = perClient ? (perClient.get(c.client_id) ?? 'Unknown') : index === undefined ? 'Unknown' : stateOnInventory(estimate, universe, index);
      source = 'estimated';
    } else {
      state = 'Unknown';
      source = 'none';
    }
    counts[state]++;
    bySource[source][state]++;
    if (query.state !== undefined && state !== query.state) continue;
    if (total >= query.offset && page.length < query.limit) page.push({ clientId: c.client_id, name: c.name, state, source });
    total++;
  }
  return {
    ...headingOf(update),
    collectionId: query.collectionId ?? null,
    clientsCounted: clients.length,
    counts,
    percentCompliant: percentCompliant(counts),
    bySource,
    page: { state: query.state ?? null, total, limit: query.limit, offset: query.offset },
    clients: page,
  };
}

// ---- fleet summary ---------------------------------------------------------------------------

/** What counting an update reads of it. */
export const countedUpdateColumns = ['update_id', 'title', 'product', 'classification', 'severity', 'superseded', 'change_seq', 'binaries'] as const;
type SummaryUpdate = Pick<UpdatesTable, (typeof countedUpdateColumns)[number]>;

/** Counts of one update over the counted clients, by state and by source. */
export interface UpdateCounts {
  counts: StateCounts;
  bySource: SourceCounts;
}

/**
 * Per-update counts for many updates at once, over the active clients (of a collection): reported
 * states come from one grouped SQL query, estimates from the fleet estimate over the distinct
 * inventories. Clients are taken in groups that share inventory, scan product and scan anchor.
 */
export async function countUpdates(db: Db, updates: readonly SummaryUpdate[], scope: { collectionId?: string; estimates?: EstimateCache }): Promise<Map<string, UpdateCounts>> {
  const groups = await inCollection(
    db
      .selectFrom('clients')
      .select((eb) => ['inventory_sha256', 'last_scan_product', 'last_scan_anchor', eb.fn.countAll<number | string>().as('n')])
      .where('status', '=', 'active')
      .groupBy(['inventory_sha256', 'last_scan_product', 'last_scan_anchor']),
    scope.collectionId,
  ).execute();

  // The reported rows and the estimate read different tables: on PostgreSQL, on two connections at once.
  const estimated = async () => {
    const universe = await loadUniverse(db, new Set(groups.flatMap((g) => (g.inventory_sha256 === null ? [] : [g.inventory_sha256]))));
    const revised = updates.map((u) => ({ updateId: u.update_id, product: u.product, changeSeq: u.change_seq, binaries: JSON.parse(u.binaries) as UpdateBinary[] }));
    const estimates = await (scope.estimates ? scope.estimates.estimate(db, universe, revised) : estimateUpdates(db, universe, revised));
    return { universe, estimates, perClient: await perClientEstimates(db, updates, estimates, scope.collectionId) };
  };
  const [reported, { universe, estimates, perClient }] = await Promise.all([reportedCounts(db, updates, groups, scope.collectionId), estimated()]);

  // How many clients each update's scan coverage takes out of each bucket: all, those without an
  // inventory, those of each os group, and (for the inventories an estimate singles out) each inventory.
  const all = new Coverage();
  const none = new Coverage();
  const orphans = new Coverage(); // an inventory hash with no stored inventory: cannot happen, counted Unknown if it does
  const byOs = universe.osGroups.map(() => new Coverage());
  const byInventory = new Map<number, Array<{ last_scan_product: string | null; last_scan_anchor: number | null; n: number }>>();
  for (const g of groups) {
    const n = Number(g.n);
    all.add(g.last_scan_product, g.last_scan_anchor, n);
    const index = g.inventory_sha256 === null ? undefined : universe.indexOf.get(g.inventory_sha256);
    if (g.inventory_sha256 === null) none.add(g.last_scan_product, g.last_scan_anchor, n);
    else if (index === undefined) orphans.add(g.last_scan_product, g.last_scan_anchor, n);
    else {
      byOs[universe.osOf[index]].add(g.last_scan_product, g.last_scan_anchor, n);
      let list = byInventory.get(index);
      if (!list) byInventory.set(index, (list = []));
      list.push({ last_scan_product: g.last_scan_product, last_scan_anchor: g.last_scan_anchor, n });
    }
  }
  const uncoveredOf = (index: number, u: SummaryUpdate) => {
    let n = 0;
    for (const g of byInventory.get(index) ?? []) if (!scanCovers(g, u)) n += g.n;
    return n;
  };

  const out = new Map<string, UpdateCounts>();
  for (const u of updates) {
    const estimate = estimates.get(u.update_id)!;
    const bySource = emptySourceCounts();
    bySource.none.Unknown = none.uncovered(u);
    const estimated = bySource.estimated;
    estimated.Unknown += orphans.uncovered(u);
    if (estimate.kind === 'constant') {
      for (const c of byOs) estimated[estimate.state] += c.uncovered(u);
    } else if (estimate.kind === 'inventory') {
      byOs.forEach((c, os) => (estimated[estimate.byOs[os]] += c.uncovered(u)));
      for (const [index, state] of estimate.byInventory) {
        const osState = estimate.byOs[universe.osOf[index]];
        if (state === osState) continue;
        const n = uncoveredOf(index, u);
        estimated[osState] -= n;
        estimated[state] += n;
      }
    } else {
      for (const state of perClient.get(u.update_id) ?? []) estimated[state]++;
    }
    const rows = reported.get(u.update_id) ?? emptyCounts();
    bySource.reported = { ...rows, 'Not Required': all.total - all.uncovered(u) - rows.Required - rows.Installed - rows.Unknown };
    const counts = emptyCounts();
    for (const source of ['reported', 'estimated', 'none'] as const) for (const st of ['Required', 'Installed', 'Not Required', 'Unknown'] as const) counts[st] += bySource[source][st];
    out.set(u.update_id, { counts, bySource });
  }
  return out;
}

/** Clients counted by the (product, anchor) of their last completed scan: how many a scan coverage leaves out. */
class Coverage {
  total = 0;
  private readonly byProduct = new Map<string, Map<number, number>>();
  private sorted: Map<string, { anchors: number[]; atOrAbove: number[] }> | undefined;

  add(product: string | null, anchor: number | null, n: number): void {
    this.total += n;
    if (product === null || anchor === null) return;
    let anchors = this.byProduct.get(product);
    if (!anchors) this.byProduct.set(product, (anchors = new Map()));
    anchors.set(anchor, (anchors.get(anchor) ?? 0) + n);
    this.sorted = undefined;
  }

  /** Clients whose last completed scan does not cover `u`. */
  uncovered(u: { product: string; change_seq: number }): number {
    if (!this.sorted) {
      this.sorted = new Map();
      for (const [product, anchors] of this.byProduct) {
        const list = [...anchors].sort((a, b) => a[0] - b[0]);
        const atOrAbove = new Array<number>(list.length);
        for (let i = list.length - 1, sum = 0; i >= 0; i--) atOrAbove[i] = sum += list[i][1];
        this.sorted.set(product, { anchors: list.map((a) => a[0]), atOrAbove });
      }
    }
    const entry = this.sorted.get(u.product);
    if (!entry) return this.total;
    // The first anchor at or after the update's change.
    let lo = 0;
    let hi = entry.anchors.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entry.anchors[mid] >= u.change_seq) hi = mid;
      else lo = mid + 1;
    }
    return this.total - (lo < entry.anchors.length ? entry.atOrAbove[lo] : 0);
  }
}

/** Up to this many updates are counted from their own state rows; more (the fleet summary) from the covered clients' rows. */
const FEW_UPDATES = 1000;

/**
 * Per update, the covered clients' state rows by state. Only clients whose last completed scan can
 * cover one of `updates` are read, so right after a sync (no client has scanned the new updates
 * yet) it costs nothing.
 */
async function reportedCounts(
  db: Db,
  updates: readonly SummaryUpdate[],
  groups: ReadonlyArray<{ last_scan_product: string | null; last_scan_anchor: number | null; n: number | string }>,
  collectionId: string | undefined,
): Promise<Map<string, StateCounts>> {
  const reported = new Map<string, StateCounts>();
  const byProduct = new Map<string, SummaryUpdate[]>();
  for (const u of updates) {
    let list = byProduct.get(u.product);
    if (!list) byProduct.set(u.product, (list = []));
    list.push(u);
  }
  const covering = [...byProduct].filter(([product, list]) => {
    const minSeq = Math.min(...list.map((u) => u.change_seq));
    return groups.some((g) => g.last_scan_product === product && g.last_scan_anchor !== null && g.last_scan_anchor >= minSeq);
  });
  if (covering.length === 0) return reported;
  const add = (u: SummaryUpdate, stateId: number, n: number) => {
    let c = reported.get(u.update_id);
    if (!c) reported.set(u.update_id, (c = emptyCounts()));
    c[reportedState(stateId)] += n;
  };
  if (updates.length > FEW_UPDATES) {
    await everyCoveredRow(db, covering, collectionId, add);
    return reported;
  }
  for (const [product, list] of covering) await fewUpdatesRows(db, product, list, groups, collectionId, add);
  return reported;
}

/**
 * The fleet summary's way (set-based, one query): the rows of the covered clients grouped by
 * update, state and the client's scan product and anchor, the coverage condition applied to those
 * few groups. The clients drive the join (a CROSS JOIN keeps SQLite from starting at the states:
 * each client's rows are one range of the states' primary key); PostgreSQL hashes either way.
 */
async function everyCoveredRow(db: Db, covering: Array<[string, SummaryUpdate[]]>, collectionId: string | undefined, add: (u: SummaryUpdate, stateId: number, n: number) => void): Promise<void> {
  const byId = new Map(covering.flatMap(([, list]) => list.map((u) => [u.update_id, u] as const)));
  let query = db
    .selectFrom('clients')
    .crossJoin('client_update_states as s')
    .select((eb) => ['s.update_id', 's.state_id', 'clients.last_scan_product', 'clients.last_scan_anchor', eb.fn.countAll<number | string>().as('n')])
    .whereRef('s.client_id', '=', 'clients.client_id')
    .where('clients.status', '=', 'active')
    .where((eb) => eb.or(covering.map(([product, list]) => eb.and([eb('clients.last_scan_product', '=', product), eb('clients.last_scan_anchor', '>=', Math.min(...list.map((u) => u.change_seq)))]))));
  if (collectionId !== undefined) query = inCollection(query, collectionId);
  const rows = await query.groupBy(['s.update_id', 's.state_id', 'clients.last_scan_product', 'clients.last_scan_anchor']).execute();
  for (const r of rows) {
    const u = byId.get(r.update_id);
    if (u && scanCovers(r, u)) add(u, r.state_id, Number(r.n));
  }
}

/**
 * A page of updates of one product, from their own state rows. SQLite: all of them counted by
 * state from the index alone, less the rows of the clients that do not cover them (inactive,
 * another scan product, an older anchor) — found from those clients, when they are fewer than the
 * rows; a join would look up each row's client. Else, in a collection, and on PostgreSQL (which
 * hashes the join, so reading the rows once is cheapest): the rows joined to their clients.
 */
async function fewUpdatesRows(
  db: Db,
  product: string,
  updates: readonly SummaryUpdate[],
  groups: ReadonlyArray<{ last_scan_product: string | null; last_scan_anchor: number | null; n: number | string }>,
  collectionId: string | undefined,
  add: (u: SummaryUpdate, stateId: number, n: number) => void,
): Promise<void> {
  const ids = updates.map((u) => u.update_id);
  const byId = new Map(updates.map((u) => [u.update_id, u]));
  const minSeq = Math.min(...updates.map((u) => u.change_seq));
  const maxSeq = Math.max(...updates.map((u) => u.change_seq));
  if (collectionId === undefined && !isPostgres(db)) {
    const totals = await db
      .selectFrom('client_update_states')
      .select((eb) => ['update_id', 'state_id', eb.fn.countAll<number | string>().as('n')])
      .where('update_id', 'in', ids)
      .groupBy(['update_id', 'state_id'])
      .execute();
    const rows = totals.reduce((sum, t) => sum + Number(t.n), 0);
    if (rows === 0) return;
    const { inactive } = await db
      .selectFrom('clients')
      .select((eb) => eb.fn.countAll<number | string>().as('inactive'))
      .where('status', '<>', 'active')
      .executeTakeFirstOrThrow();
    let others = Number(inactive);
    for (const g of groups) if (!(g.last_scan_product === product && g.last_scan_anchor !== null && g.last_scan_anchor >= maxSeq)) others += Number(g.n);
    if (others * ids.length <= rows) {
      const counts = new Map<string, number>();
      const key = (updateId: string, stateId: number) => `${updateId} ${stateId}`;
      for (const t of totals) counts.set(key(t.update_id, t.state_id), Number(t.n));
      const uncovered = others === 0 ? [] : await db
        .selectFrom('clients')
        .crossJoin('client_update_states as s')
        .select((eb) => ['s.update_id', 's.state_id', 'clients.status', 'clients.last_scan_product', 'clients.last_scan_anchor', eb.fn.countAll<number | string>().as('n')])
        .whereRef('s.client_id', '=', 'clients.client_id')
        .where('s.update_id', 'in', ids)
        .where((eb) =>
          eb.or([
            eb('clients.status', '<>', 'active'),
            eb('clients.last_scan_product', 'is', null),
            eb('clients.last_scan_product', '<>', product),
            eb('clients.last_scan_anchor', 'is', null),
            eb('clients.last_scan_anchor', '<', maxSeq),
          ]),
        )
        .groupBy(['s.update_id', 's.state_id', 'clients.status', 'clients.last_scan_product', 'clients.last_scan_anchor'])
        .execute();
      for (const r of uncovered) {
        if (r.status === 'active' && scanCovers(r, byId.get(r.update_id)!)) continue;
        counts.set(key(r.update_id, r.state_id), counts.get(key(r.update_id, r.state_id))! - Number(r.n));
      }
      for (const t of totals) add(byId.get(t.update_id)!, t.state_id, counts.get(key(t.update_id, t.state_id))!);
      return;
    }
  }
  let joined = db
    .selectFrom('client_update_states as s')
    .innerJoin('clients', 'clients.client_id', 's.client_id')
    .select((eb) => ['s.update_id', 's.state_id', 'clients.last_scan_product', 'clients.last_scan_anchor', eb.fn.countAll<number | string>().as('n')])
    .where('s.update_id', 'in', ids)
    .where('clients.status', '=', 'active')
    .where('clients.last_scan_product', '=', product)
    .where('clients.last_scan_anchor', '>=', minSeq);
  if (collectionId !== undefined) joined = inCollection(joined, collectionId);
  const rows = await joined.groupBy(['s.update_id', 's.state_id', 'clients.last_scan_product', 'clients.last_scan_anchor']).execute();
  for (const r of rows) {
    const u = byId.get(r.update_id)!;
    if (scanCovers(r, u)) add(u, r.state_id, Number(r.n));
  }
}

/** For updates whose rules read more than os and dpkg: each uncovered client's estimated state. */
async function perClientEstimates(db: Db, updates: readonly SummaryUpdate[], estimates: Map<string, Estimate>, collectionId: string | undefined): Promise<Map<string, DetectionState[]>> {
  const out = new Map<string, DetectionState[]>();
  const wanted = updates.filter((u) => estimates.get(u.update_id)!.kind === 'client');
  if (wanted.length === 0) return out;
  const clients = await inCollection(
    db.selectFrom('clients').select(['client_id', 'last_scan_product', 'last_scan_anchor']).where('status', '=', 'active').where('inventory_sha256', 'is not', null),
    collectionId,
  ).execute();
  for (const u of wanted) {
    const estimate = estimates.get(u.update_id)!;
    if (estimate.kind !== 'client') continue;
    const uncovered = clients.filter((c) => !scanCovers(c, u)).map((c) => c.client_id);
    const states = await evaluateOnClients(db, estimate.rules, uncovered);
    out.set(u.update_id, uncovered.map((id) => states.get(id) ?? 'Unknown'));
  }
  return out;
}

/** A summary's counts, without when they were made (summary-cache.ts adds that). */
export type SummaryCounts = Omit<ComplianceSummary, 'summarizedAt' | 'stale'>;

/** The fleet at a glance: per classification and severity, and the updates most clients require. */
export async function complianceSummary(db: Db, query: Omit<ComplianceSummaryQuery, 'fresh'>): Promise<SummaryCounts> {
  let updatesQuery = db.selectFrom('updates').select(countedUpdateColumns);
  if (query.product !== undefined) updatesQuery = updatesQuery.where('product', '=', query.product);
  if (query.superseded !== undefined) updatesQuery = updatesQuery.where('superseded', '=', query.superseded ? 1 : 0);
  const [updates, clientsCounted] = await Promise.all([
    updatesQuery.orderBy('update_id').execute(),
    inCollection(db.selectFrom('clients').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'active'), query.collectionId).executeTakeFirstOrThrow(),
  ]);
  const perUpdate = await countUpdates(db, updates, { collectionId: query.collectionId });

  const newGroup = (): ComplianceGroup => ({ updates: 0, updatesRequired: 0, counts: emptyCounts(), percentCompliant: null });
  const overall = newGroup();
  const bySource = emptySourceCounts();
  const byClassification = new Map<string, ComplianceGroup>();
  const bySeverity = new Map<string, ComplianceGroup>();
  const add = (group: ComplianceGroup, c: UpdateCounts) => {
    group.updates++;
    if (c.counts.Required > 0) group.updatesRequired++;
    for (const s of ['Required', 'Installed', 'Not Required', 'Unknown'] as const) group.counts[s] += c.counts[s];
  };
  for (const u of updates) {
    const c = perUpdate.get(u.update_id)!;
    add(overall, c);
    for (const source of ['reported', 'estimated', 'none'] as const) for (const s of ['Required', 'Installed', 'Not Required', 'Unknown'] as const) bySource[source][s] += c.bySource[source][s];
    for (const [map, key] of [[byClassification, u.classification], [bySeverity, u.severity]] as const) {
      let group = map.get(key);
      if (!group) map.set(key, (group = newGroup()));
      add(group, c);
    }
  }
  const finish = (g: ComplianceGroup) => ({ ...g, percentCompliant: percentCompliant(g.counts) });
  const mostRequired = updates
    .map((u) => ({ u, c: perUpdate.get(u.update_id)! }))
    .filter(({ c }) => c.counts.Required > 0)
    .sort((a, b) => b.c.counts.Required - a.c.counts.Required || (a.u.title < b.u.title ? -1 : a.u.title > b.u.title ? 1 : 0))
    .slice(0, MOST_REQUIRED_UPDATES)
    .map(({ u, c }) => ({
      ...headingOf(u),
      required: c.counts.Required,
      percentCompliant: percentCompliant(c.counts),
    }));
  return {
    collectionId: query.collectionId ?? null,
    product: query.product ?? null,
    superseded: query.superseded ?? null,
    clientsCounted: Number(clientsCounted.n),
    updatesCounted: updates.length,
    overall: finish(overall),
    bySource,
    byClassification: [...byClassification].sort(([a], [b]) => (a < b ? -1 : 1)).map(([classification, g]) => ({ classification: classification as Classification, ...finish(g) })),
    bySeverity: [...bySeverity].sort(([a], [b]) => severityOrder(a) - severityOrder(b)).map(([severity, g]) => ({ severity: severity as Severity, ...finish(g) })),
    mostRequired,
  };
}

const severityOrder = (s: string) => {
  const i = (severities as readonly string[]).indexOf(s);
  return i < 0 ? severities.length : i;
};
