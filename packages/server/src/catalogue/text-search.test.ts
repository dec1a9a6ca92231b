/**
 * The catalogue's `text` and `cve` filters go through an index (migration 0009: FTS5 trigrams on
 * SQLite, pg_trgm on PostgreSQL) and must answer exactly what a case-insensitive substring match
 * over every update answers, including after a sync revises an update's text and after a bulk load.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { VirtualClock, type UpdatePage } from '@patchday/core';
import { sql } from 'kysely';
import { startArchiveServer, type ArchiveServer } from '../../test/support/archive-server.ts';
import { debianKeyring, snapshotRoot, startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore } from '../../test/stores.ts';

describeEachStore('text and CVE search over the catalogue', (kind) => {
  let mirror: ArchiveServer;
  let t: TestSite;

  before(async () => {
    mirror = await startArchiveServer(snapshotRoot);
    t = await startTestSite(kind, { clock: new VirtualClock('2026-11-25T10:00:00Z') });
    const add = await t.api('POST', '/upstreams', { name: 'security', url: `${mirror.url}/debian-security`, suites: ['bookworm-security'], keyring: debianKeyring });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');
  });
  after(async () => {
    await t.stop();
    await mirror.close();
  });

  const search = async (query: string) => {
    const r = await t.api<UpdatePage>('GET', `/updates?${query}&pageSize=1000&sort=title`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.updates.length, r.body.total);
    return r.body.updates.map((u) => u.updateId).sort();
  };
  /** Every update whose title, description or advisory id holds `text`, ASCII case folded: read from every row. */
  const scanned = async (text: string) => {
    const rows = await t.site.store.db.selectFrom('updates').select(['update_id', 'title', 'description', 'advisory_id']).execute();
    const needle = text.toLowerCase();
    return rows.filter((r) => [r.title, r.description, r.advisory_id ?? ''].some((v) => v.toLowerCase().includes(needle))).map((r) => r.update_id).sort();
  };

  test('every text finds exactly the updates a full scan finds: words, versions, short texts, LIKE wildcards and quotes taken literally', async () => {
    const texts = ['openssl', 'OPENSSL 3.0', 'deb12u', '3.0', 'ss', 'x', 'linux-signed', 'security update', '_', '%', 'no_such%package', 'a"b', 'ünïcode'];
    let found = 0;
    for (const text of texts) {
      const expected = await scanned(text);
      assert.deepEqual(await search(`text=${encodeURIComponent(text)}`), expected, text);
      found += expected.length;
    }
    assert.ok(found > 400, 'the texts match real updates');
    if (kind === 'sqlite') await sql`insert into updates_text (updates_text) values ('integrity-check')`.execute(t.site.store.db);
  });

  test('a revised update is found by its new text and no longer by its old one; CVE ids likewise', async () => {
    const db = t.site.store.db;
    const [openssl] = await search('text=openssl%203.0.22');
    assert.ok(openssl);
    // What a sync does when a revision changes an update's text (write-catalogue.ts).
    await db.updateTable('updates').set({ title: 'libxyzzy 1.0 (Debian 12 security update)', description: 'Replaced.', cve_ids: '["CVE-2031-0042"]' }).where('update_id', '=', openssl).execute();
    assert.deepEqual(await search('text=XYZZY'), [openssl]);
    assert.deepEqual(await search('text=openssl%203.0.22'), await scanned('openssl 3.0.22'));
    assert.ok(!(await search('text=openssl%203.0.22')).includes(openssl), 'its old title is gone from the index');
    assert.deepEqual(await search('cve=cve-2031-0042'), [openssl]);
    assert.deepEqual(await search('cve=CVE-2031-00421'), []);
    assert.deepEqual(await search('cve=CVE-2031-0004'), [], 'a CVE id is matched whole, not as a prefix');
    if (kind === 'sqlite') await sql`insert into updates_text (updates_text) values ('integrity-check')`.execute(db);
  });

  test('a bulk load (a first sync of a whole distribution) is searchable at once, the index rebuilt in the same transaction', async () => {
    const { db } = t.site.store;
    const template = await db.selectFrom('updates').selectAll().orderBy('update_id').executeTakeFirstOrThrow();
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ ...template, update_id: randomUUID(), title: `bulkload ${i} (Debian 12 update)`, description: `Quokka ${i}.`, advisory_id: null, cve_ids: i === 7 ? '["CVE-2032-7777"]' : '[]' }));
    await db.transaction().execute((trx) => t.site.store.insertMany(trx, 'updates', rows));
    assert.equal((await t.api<UpdatePage>('GET', '/updates?text=QUOKKA&pageSize=1')).body.total, 20_000);
    assert.deepEqual(await search('text=quokka%2019999.'), [rows[19_999].update_id]);
    assert.deepEqual(await search('cve=CVE-2032-7777'), [rows[7].update_id]);
    assert.deepEqual(await search('text=bulkload%201234%20'), [rows[1234].update_id]);
    if (kind === 'sqlite') {
      await sql`insert into updates_text (updates_text) values ('integrity-check')`.execute(db);
      // The insert trigger is back: a row written alone is indexed too.
      await db.insertInto('updates').values({ ...template, update_id: randomUUID(), title: 'wombat alone', cve_ids: '[]' }).execute();
      assert.equal((await t.api<UpdatePage>('GET', '/updates?text=wombat%20alone&pageSize=1')).body.total, 1);
    }
  });
});
