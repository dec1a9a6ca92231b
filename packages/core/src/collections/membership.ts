import type { CollectionClientSettings, CollectionQueryRule } from '../api/collections.ts';
import type { ClientSettings } from '../api/clients.ts';
import type { Inventory } from '../inventory/inventory.ts';
import { evaluateRule } from '../rules/evaluate.ts';

/**
 * Collection membership, as a pure function of plain data (Configuration Manager's device
 * collections are the model):
 *
 *   members(C) = ( direct(C) ∪ query(C) ∪ ⋃ members(I) for I in include(C) )
 *                − ⋃ members(E) for E in exclude(C)
 *                ∩ members(limit(C))
 *
 * - The root collection (All Systems, the only one without a limiting collection) holds every
 *   client it is given; the caller gives only active clients, so nothing else is ever a member.
 * - `query(C)`: clients for which at least one query rule evaluates to 'true' over the client's
 *   inventory. 'unknown' (the inventory does not say) does not make a member: a machine that has
 *   not reported its packages is not "a machine with openssl".
 * - Query rules see the client's registered name as the fact `hostname` (it replaces whatever
 *   the agent reported under that key); a client without an inventory yet is known by its name only.
 * - Exclusion wins over direct membership and inclusion; the limiting collection bounds everything.
 *
 * Membership of one client depends only on that client (its name, inventory, direct rules) and on
 * its memberships of the collections C refers to, so it is computed client by client: a changed
 * inventory re-evaluates one client, a changed collection re-evaluates it and its dependants.
 */

export interface CollectionDefinition {
  collectionId: string;
  name: string;
  /** Null only for the root (All Systems). */
  limitingCollectionId: string | null;
  queryRules: readonly CollectionQueryRule[];
  includeCollectionIds: readonly string[];
  excludeCollectionIds: readonly string[];
}

export interface MembershipClient {
  clientId: string;
  /** The registered name: the `hostname` fact of query rules. */
  name: string;
  /** The last inventory, or null before the first report. */
  inventory: Inventory | null;
}

/** Why the collections cannot be evaluated: a reference to a collection that does not exist, or a cycle. */
export class CollectionGraphError extends Error {
  constructor(
    readonly kind: 'unknown-reference' | 'cycle' | 'no-root',
    message: string,
    /** Names along the cycle (first = last), or the collection with the unknown reference. */
    readonly collections: readonly string[],
  ) {
    super(message);
  }
}

/** Collections in an order where each comes after every collection it limits by, includes or excludes. */
export interface CollectionPlan {
  readonly order: readonly CollectionDefinition[];
  readonly byId: ReadonlyMap<string, CollectionDefinition>;
}

type Relation = 'limited by' | 'includes' | 'excludes';

function referencesOf(c: CollectionDefinition): Array<{ id: string; relation: Relation }> {
  return [
    ...(c.limitingCollectionId === null ? [] : [{ id: c.limitingCollectionId, relation: 'limited by' as const }]),
    ...c.includeCollectionIds.map((id) => ({ id, relation: 'includes' as const })),
    ...c.excludeCollectionIds.map((id) => ({ id, relation: 'excludes' as const })),
  ];
}

/**
 * Checks that every reference names a collection and that no collection depends on itself
 * (through any chain of limiting, include and exclude references), and orders the collections
 * for evaluation. Throws {@link CollectionGraphError} naming the problem.
 */
export function planCollections(definitions: readonly CollectionDefinition[]): CollectionPlan {
  const byId = new Map(definitions.map((c) => [c.collectionId, c]));
  if (definitions.length > 0 && !definitions.some((c) => c.limitingCollectionId === null)) {
    throw new CollectionGraphError('no-root', 'no collection is the root (All Systems): every collection would be limited by another', []);
  }
  for (const c of definitions) {
    for (const { id, relation } of referencesOf(c)) {
      if (!byId.has(id)) throw new CollectionGraphError('unknown-reference', `collection ${JSON.stringify(c.name)} ${relation} collection ${id}, which does not exist`, [c.name]);
    }
  }
  // Depth-first, iteratively (a chain of thousands of collections must not exhaust the stack).
  const state = new Map<string, 'visiting' | 'done'>();
  const order: CollectionDefinition[] = [];
  for (const start of definitions) {
    if (state.has(start.collectionId)) continue;
    const stack: Array<{ c: CollectionDefinition; next: number; refs: Array<{ id: string; relation: Relation }> }> = [{ c: start, next: 0, refs: referencesOf(start) }];
    state.set(start.collectionId, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next === top.refs.length) {
        stack.pop();
        state.set(top.c.collectionId, 'done');
        order.push(top.c);
        continue;
      }
      const ref = top.refs[top.next++];
      const seen = state.get(ref.id);
      if (seen === 'done') continue;
      const target = byId.get(ref.id)!;
      if (seen === 'visiting') {
        const from = stack.findIndex((f) => f.c.collectionId === ref.id);
        const path = stack.slice(from);
        // Each frame on the path followed its last reference to the next one.
        const steps = path.map((f) => `${JSON.stringify(f.c.name)} ${f.refs[f.next - 1].relation}`);
        const names = [...path.map((f) => f.c.name), target.name];
        throw new CollectionGraphError('cycle', `collections would depend on themselves: ${steps.join(' ')} ${JSON.stringify(target.name)}`, names);
      }
      state.set(ref.id, 'visiting');
      stack.push({ c: target, next: 0, refs: referencesOf(target) });
    }
  }
  return { order, byId };
}

/**
 * Every collection that depends, directly or through others, on one of `changed` — plus
 * `changed` themselves: what must be re-evaluated after those collections changed.
 */
export function dependentCollections(definitions: readonly CollectionDefinition[], changed: Iterable<string>): Set<string> {
  const dependants = new Map<string, string[]>();
  for (const c of definitions) {
    for (const { id } of referencesOf(c)) {
      const list = dependants.get(id);
      if (list) list.push(c.collectionId);
      else dependants.set(id, [c.collectionId]);
    }
  }
  const out = new Set<string>();
  const queue = [...changed];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    queue.push(...(dependants.get(id) ?? []));
  }
  return out;
}

/** The collections that name `collectionId` as their limiting, included or excluded collection. */
export function directDependants(definitions: readonly CollectionDefinition[], collectionId: string): Array<{ collection: CollectionDefinition; relation: Relation }> {
  const out: Array<{ collection: CollectionDefinition; relation: Relation }> = [];
  for (const c of definitions) {
    for (const r of referencesOf(c)) if (r.id === collectionId) out.push({ collection: c, relation: r.relation });
  }
  return out;
}

/** What query rules evaluate: the inventory with `hostname` set to the client's registered name. */
export function queryInventoryOf(client: MembershipClient): Inventory {
  if (client.inventory === null) {
    // Before its first report a client is known by its name only: every other condition is unknown
    // (the evaluator reads a missing os, dpkg, files or commands as "not collected").
    return { os: undefined, dpkg: null, facts: { hostname: client.name } } as unknown as Inventory;
  }
  // A shallow copy: the dpkg record stays the same object, so the evaluator's per-record index is reused.
  return { ...client.inventory, facts: { ...client.inventory.facts, hostname: client.name } };
}

export interface ClientMembershipInput {
  client: MembershipClient;
  /** Collections with a direct-membership rule for this client. */
  directCollectionIds: ReadonlySet<string>;
  /**
   * Collections to evaluate (default: all). The others are taken from `knownCollectionIds`, the
   * client's current memberships: evaluating only what a change can affect is what keeps a rule
   * change on one collection from re-reading every client's inventory for every other.
   */
  evaluate?: ReadonlySet<string>;
  knownCollectionIds?: ReadonlySet<string>;
}

/** The collections `client` is a member of (in evaluation order), by the rules above. */
export function collectionsOfClient(plan: CollectionPlan, input: ClientMembershipInput): Set<string> {
  const member = new Set<string>();
  let inventory: Inventory | undefined;
  for (const c of plan.order) {
    if (input.evaluate !== undefined && !input.evaluate.has(c.collectionId)) {
      if (input.knownCollectionIds?.has(c.collectionId)) member.add(c.collectionId);
      continue;
    }
    if (c.limitingCollectionId === null) {
      // The root holds every client it is given.
      member.add(c.collectionId);
      continue;
    }
    if (!member.has(c.limitingCollectionId)) continue;
    if (c.excludeCollectionIds.some((id) => member.has(id))) continue;
    let inside = input.directCollectionIds.has(c.collectionId) || c.includeCollectionIds.some((id) => member.has(id));
    if (!inside && c.queryRules.length > 0) {
      inventory ??= queryInventoryOf(input.client);
      for (const q of c.queryRules) {
        if (evaluateRule(q.rule, inventory) === 'true') {
          inside = true;
          break;
        }
      }
    }
    if (inside) member.add(c.collectionId);
  }
  return member;
}

/**
 * Every collection's members, for a whole set of clients (the caller passes active clients
 * only). `directMembers` maps a collection id to its direct-membership rules' client ids.
 */
export function computeMemberships(
  definitions: readonly CollectionDefinition[],
  clients: Iterable<MembershipClient>,
  directMembers: ReadonlyMap<string, Iterable<string>> = new Map(),
): Map<string, Set<string>> {
  const plan = planCollections(definitions);
  const directByClient = new Map<string, Set<string>>();
  for (const [collectionId, clientIds] of directMembers) {
    for (const clientId of clientIds) {
      const set = directByClient.get(clientId);
      if (set) set.add(collectionId);
      else directByClient.set(clientId, new Set([collectionId]));
    }
  }
  const out = new Map<string, Set<string>>(definitions.map((c) => [c.collectionId, new Set<string>()]));
  const none = new Set<string>();
  for (const client of clients) {
    for (const id of collectionsOfClient(plan, { client, directCollectionIds: directByClient.get(client.clientId) ?? none })) out.get(id)!.add(client.clientId);
  }
  return out;
}

/** A collection's settings assignment, as the precedence rule sees it. */
export interface SettingsAssignment {
  collectionId: string;
  name: string;
  settingsPriority: number;
  clientSettings: CollectionClientSettings;
}

export type SettingOrigin = { source: 'default' } | { source: 'collection'; collectionId: string; name: string; settingsPriority: number };

/**
 * Effective client settings (Configuration Manager's custom client settings priority): the
 * defaults, overridden setting by setting by the assignment with the LOWEST settingsPriority
 * number that sets that setting. `assignments` are those of the client's collections.
 */
export function mergeClientSettings(
  defaults: ClientSettings,
  assignments: readonly SettingsAssignment[],
): { settings: ClientSettings; origins: Record<keyof ClientSettings, SettingOrigin> } {
  const sorted = [...assignments].sort((a, b) => a.settingsPriority - b.settingsPriority || (a.collectionId < b.collectionId ? -1 : 1));
  const settings = { ...defaults } as Record<keyof ClientSettings, boolean | number>;
  const origins = {} as Record<keyof ClientSettings, SettingOrigin>;
  for (const key of Object.keys(defaults) as Array<keyof ClientSettings>) {
    const winner = sorted.find((a) => a.clientSettings[key] !== undefined);
    if (winner) {
      settings[key] = winner.clientSettings[key]!;
      origins[key] = { source: 'collection', collectionId: winner.collectionId, name: winner.name, settingsPriority: winner.settingsPriority };
    } else {
      origins[key] = { source: 'default' };
    }
  }
  return { settings: settings as ClientSettings, origins };
}
