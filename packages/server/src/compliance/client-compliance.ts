import {
  binariesLeftBehind,
  debianApplicabilityRules,
  evaluateUpdate,
  pendingDebianUpgrades,
  type ClientCompliance,
  type UpdateCompliance,
  type DetectionState,
  type Inventory,
  type UpdateBinary,
} from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * A client's compliance estimated by the site from its last inventory, with the same core
 * evaluator the agent runs. An update is in force when it is not superseded — or when it alone
 * still carries the newest build of some binary (a newer upload of its source dropped that binary),
 * judged on those binaries only, as apt would.
 */
export async function estimateClientCompliance(db: Kysely<Database>, clientId: string, include: 'required' | 'all'): Promise<ClientCompliance | null> {
  const client = await db.selectFrom('clients').select(['client_id', 'name', 'inventory', 'last_inventory_at']).where('client_id', '=', clientId).executeTakeFirst();
  if (!client) return null;
  const counts: Record<DetectionState, number> = { Unknown: 0, 'Not Required': 0, Required: 0, Installed: 0 };
  const base = { clientId: client.client_id, name: client.name, estimated: true as const, inventoryAt: client.last_inventory_at };
  if (!client.inventory) return { ...base, product: null, counts, updates: [] };
  const inventory = JSON.parse(client.inventory) as Inventory;
  const product = productOf(inventory);
  if (!product) return { ...base, product: null, counts, updates: [] };

  const rows = await db
    .selectFrom('updates')
    .select(['update_id', 'title', 'classification', 'severity', 'superseded', 'binaries'])
    .where('product', '=', product)
    .execute();
  const updates = rows.map((r) => ({ updateId: r.update_id, product, binaries: JSON.parse(r.binaries) as UpdateBinary[], row: r }));
  const verdicts = new Map(rows.map((r) => [r.update_id, { superseded: r.superseded === 1 }]));
  const leftBehind = binariesLeftBehind(updates, verdicts);

  const result: ClientCompliance['updates'] = [];
  for (const u of updates) {
    const binaries = u.row.superseded === 1 ? leftBehind.get(u.updateId) : u.binaries;
    if (!binaries) continue;
    const state = evaluateUpdate(debianApplicabilityRules({ product, binaries }), inventory);
    counts[state]++;
    if (include === 'required' && state !== 'Required') continue;
    const upgrades = state === 'Required' ? pendingDebianUpgrades([{ updateId: u.updateId, binaries }], inventory).map((p) => ({ package: p.package, architecture: p.architecture, installed: p.from, target: p.to })) : [];
    result.push({ updateId: u.updateId, title: u.row.title, classification: u.row.classification as ClientCompliance['updates'][number]['classification'], severity: u.row.severity as ClientCompliance['updates'][number]['severity'], state, upgrades });
  }
  result.sort((a, b) => (a.title < b.title ? -1 : 1));
  return { ...base, product, counts, updates: result };
}

/** "Debian 12" for a Debian machine whose os-release says VERSION_ID 12. */
function productOf(inventory: Inventory): string | null {
  if (inventory.os.family !== 'debian' || !inventory.os.versionId) return null;
  const major = /^(\d+)/.exec(inventory.os.versionId)?.[1];
  return major ? `Debian ${major}` : null;
}

/**
 * One update across every active client, from their stored inventories (§4 "estimated"): what an
 * administrator sees for a newly synced update before any client has rescanned. Clients without an
 * inventory count as Unknown; clients of another product as Not Required.
 */
export async function estimateUpdateCompliance(db: Kysely<Database>, updateId: string): Promise<UpdateCompliance | null> {
  const update = await db.selectFrom('updates').select(['update_id', 'title', 'product', 'binaries']).where('update_id', '=', updateId).executeTakeFirst();
  if (!update) return null;
  const rules = debianApplicabilityRules({ product: update.product, binaries: JSON.parse(update.binaries) as UpdateBinary[] });
  const counts: Record<DetectionState, number> = { Unknown: 0, 'Not Required': 0, Required: 0, Installed: 0 };
  const clients: UpdateCompliance['clients'] = [];
  const rows = await db.selectFrom('clients').select(['client_id', 'name', 'inventory']).where('status', '=', 'active').orderBy('name').execute();
  for (const row of rows) {
    const state: DetectionState = row.inventory ? evaluateUpdate(rules, JSON.parse(row.inventory) as Inventory) : 'Unknown';
    counts[state]++;
    clients.push({ clientId: row.client_id, name: row.name, state });
  }
  const known = counts.Installed + counts['Not Required'] + counts.Required;
  return {
    updateId: update.update_id,
    title: update.title,
    estimated: true,
    counts,
    percentCompliant: known === 0 ? null : Math.round((1000 * (counts.Installed + counts['Not Required'])) / (known + counts.Unknown)) / 10,
    clients,
  };
}
