import { openStore } from './src/store/open-store.ts';
import { countUpdates, complianceSummary } from './src/compliance/client-compliance.ts';
const url = process.argv[2];
const store = await openStore(url);
const db = store.db;
const first = await db.selectFrom('updates').select(['update_id', 'title', 'product', 'classification', 'severity', 'superseded', 'change_seq', 'binaries']).orderBy('release_date', 'desc').limit(50).execute();
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await countUpdates(db, first, {});
  console.log('countUpdates 50', (performance.now() - t).toFixed(0));
}
if (process.argv[3]) {
  const t = performance.now();
  await complianceSummary(db, { superseded: false } as any);
  console.log('summary', (performance.now() - t).toFixed(0));
}
await store.close();
