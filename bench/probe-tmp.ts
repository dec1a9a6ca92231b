import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { openStore } from '../packages/server/src/store/open-store.ts';
import { storeInventories } from '../packages/server/src/inventory/inventory-store.ts';
import { nodeImageInventory, seededRandom, snapshotUpdates, varyInventory } from '../packages/server/test/inventories.ts';
import { complianceSummary, countUpdates } from '../packages/server/src/compliance/client-compliance.ts';
import { prepareUpdate, toUpdateRow } from '../packages/server/src/catalogue/update-rows.ts';
import { detectionStateIds } from '@patchday/core';
import { estimateUpdates, loadUniverse } from '../packages/server/src/compliance/fleet-estimate.ts';
const path = process.argv[2] ?? '/tmp/inv-probe/fleet.sqlite';
const N = Number(process.argv[3] ?? 5000);
const fresh = !existsSync(path);
const store = await openStore(path);
const db = store.db;
const security = snapshotUpdates('debian-security', 'bookworm-security', 'Debian 12');
if (fresh) {
  const base = nodeImageInventory();
  const random = seededRandom(2026);
  const images = Array.from({ length: 20 }, () => varyInventory(base, random, { changes: 30 }));
  const levels = Array.from({ length: 50 }, () => random());
  const distinct = images.flatMap((image) => levels.map((share) => varyInventory(image, random, { changes: 0, patches: security, patchedShare: share })));
  const pick = seededRandom(7);
  const ids: string[] = [];
  for (let s = 0; s < N; s += 2000) {
    const batch = Array.from({ length: Math.min(2000, N - s) }, (_, k) => { const id = randomUUID(); ids.push(id); return { client_id: id, name: `h-${s + k}`, credential_hash: id, status: 'active', enrolment_token_id: null, enrolled_at: 'x', last_policy_at: null, last_inventory_at: null, inventory_sha256: null }; });
    await db.insertInto('clients').values(batch).execute();
  }
  let t = performance.now();
  await storeInventories(db, ids.map((clientId) => ({ clientId, inventory: { ...distinct[Math.floor(pick() ** 2 * 20) * 50 + Math.floor(pick() * 50)], facts: { hostname: clientId } } })), new Date());
  console.log('store', performance.now() - t);
  await db.transaction().execute(async (trx) => {
    const rows = security.map((u) => toUpdateRow(prepareUpdate(u), { revision: 1, present: true, superseded: false, supersededBy: null, supersededAt: null, expired: false, firstSeenAt: 'x', lastChangedAt: 'x', changeSeq: 1, createdSeq: 1 }));
    await store.insertMany(trx, 'updates', rows);
  });
  const universe = await loadUniverse(db);
  const est = await estimateUpdates(db, universe, security);
  const sha = new Map((await db.selectFrom('clients').select(['client_id', 'inventory_sha256']).execute()).map((r) => [r.client_id, r.inventory_sha256!]));
  const scanned = ids.filter((_, i) => i % 2 === 0);
  const states: any[] = [];
  for (const c of scanned) { const i = universe.indexOf.get(sha.get(c)!)!; for (const u of security) { const e = est.get(u.updateId)! as any; const s = e.byInventory.get(i) ?? e.byOs[universe.osOf[i]]; if (s === 'Required' || s === 'Installed') states.push({ client_id: c, update_id: u.updateId, state_id: detectionStateIds[s as 'Required'], revision: 1, state_at: 'x', received_at: 'x' }); } }
  await db.transaction().execute(async (trx) => { for (let i = 0; i < states.length; i += 5000) await trx.insertInto('client_update_states').values(states.slice(i, i + 5000)).execute(); for (let i = 0; i < scanned.length; i += 1000) await trx.updateTable('clients').set({ last_scan_product: 'Debian 12', last_scan_anchor: 1 }).where('client_id', 'in', scanned.slice(i, i + 1000)).execute(); });
  console.log('states', states.length);
}
for (let i = 0; i < 2; i++) {
  let t = performance.now();
  await complianceSummary(db, {});
  console.log('summary', performance.now() - t);
}
await store.close();
