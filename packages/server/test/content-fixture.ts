import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '@patchday/core';
import type { StoreKind } from '../src/store/store.ts';
import { startTestSite, type TestSite } from './site-harness.ts';
import { startArchiveServer, type ArchiveServer } from './support/archive-server.ts';
import { buildDeb, buildDebArchive, type BuiltDeb, type DebSpec } from './support/deb-archive.ts';
import { buildTestArchive, createTestKey, writeKeyring } from './support/test-archive.ts';

/**
 * A site synced from a signed archive of real .deb files (built with dpkg-deb, served with range
 * support), for the update group and deployment package tests of the API and the CLI:
 *
 * | update | suite (Debian 12) | released | files | state |
 * |---|---|---|---|---|
 * | `oldFoo` foo 1.0-1 | bookworm | 2026-10-01 | libfoo1, foo-tools | superseded by `foo`, expired (expiry "immediately") |
 * | `foo` foo 1.0-2 | bookworm-security | 2026-11-20 | libfoo1, foo-tools | |
 * | `bar` bar 2.0-1 | bookworm-security | 2026-11-20 | bar | |
 * | `baz` baz 1.0-1 | bookworm | 2026-10-01 | baz, libbaz1 | |
 *
 * Three active clients report topic-500 states through the management point: `bar` is Required on
 * all three, `foo` on two (`web-1`, `db-1`), `baz` on `web-1` only. Collection `web` holds `web-1`
 * and `web-2`.
 */
export interface ContentFixture {
  t: TestSite;
  clock: VirtualClock;
  mirror: ArchiveServer;
  /** Where the archive lives (the mirror's root); `pool/…` under it. */
  archiveDir: string;
  debs: Map<string, BuiltDeb>;
  updates: Record<'oldFoo' | 'foo' | 'bar' | 'baz', { updateId: string; title: string; files: BuiltDeb[] }>;
  webCollectionId: string;
  /**
   * Republishes the archive with these .debs added to bookworm-security (dated a day later each
   * time) and syncs it: a newer upload supersedes, and so expires, the one before.
   */
  publishSecurity(debs: DebSpec[]): Promise<void>;
  /** Files in the site's content library (sha256 names), sorted. */
  library(): string[];
  stop(): Promise<void>;
}

export async function startContentFixture(kind: StoreKind): Promise<ContentFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'patchday-content-fixture-'));
  const archiveDir = join(dir, 'archive');
  const key = await createTestKey('Content Archive');
  await writeKeyring(join(dir, 'keyring.gpg'), [key]);
  const early = new Date('2026-10-01T08:00:00Z');
  const late = new Date('2026-11-20T08:00:00Z');
  const { debs, archive } = await buildDebArchive(archiveDir, [
    {
      suite: 'bookworm',
      version: '12',
      date: early,
      signers: [key],
      debs: [
        { package: 'libfoo1', source: 'foo', version: '1.0-1' },
        { package: 'foo-tools', source: 'foo', version: '1.0-1', depends: 'libfoo1 (>= 1.0-1)' },
        { package: 'baz', version: '1.0-1' },
        { package: 'libbaz1', source: 'baz', version: '1.0-1' },
      ],
    },
    {
      suite: 'bookworm-security',
      version: '12',
      label: 'Debian-Security',
      date: late,
      signers: [key],
      debs: [
        { package: 'libfoo1', source: 'foo', version: '1.0-2' },
        { package: 'foo-tools', source: 'foo', version: '1.0-2', depends: 'libfoo1 (>= 1.0-2)' },
        { package: 'bar', version: '2.0-1' },
      ],
    },
  ]);
  const mirror = await startArchiveServer(archiveDir, { ranges: true });
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  const t = await startTestSite(kind, { clock });
  try {
    assert.equal((await t.api('PUT', '/sync/supersedence', { expireAfterMonths: 0 })).status, 200);
    const upstream = await t.api('POST', '/upstreams', { name: 'test', url: mirror.url, suites: ['bookworm', 'bookworm-security'], keyring: join(dir, 'keyring.gpg') });
    assert.equal(upstream.status, 201, JSON.stringify(upstream.body));
    const run = await t.site.sync.run('test');
    assert.equal(run.status, 'succeeded', run.error ?? '');

    const all = (await t.api('GET', '/updates?pageSize=100')).body.updates as Array<{ updateId: string; title: string; source: string; version: string; expired: boolean; changeSeq: number }>;
    const find = (source: string, version: string, files: string[]) => {
      const u = all.find((x) => x.source === source && x.version === version);
      assert.ok(u, `${source} ${version} was synced`);
      return { updateId: u.updateId, title: u.title, files: files.map((f) => debs.get(f)!) };
    };
    const updates = {
      oldFoo: find('foo', '1.0-1', ['libfoo1_1.0-1_amd64', 'foo-tools_1.0-1_amd64']),
      foo: find('foo', '1.0-2', ['libfoo1_1.0-2_amd64', 'foo-tools_1.0-2_amd64']),
      bar: find('bar', '2.0-1', ['bar_2.0-1_amd64']),
      baz: find('baz', '1.0-1', ['baz_1.0-1_amd64', 'libbaz1_1.0-1_amd64']),
    };
    assert.equal(all.find((u) => u.updateId === updates.oldFoo.updateId)!.expired, true, 'foo 1.0-1 expired when 1.0-2 superseded it');

    const { token } = (await t.api('POST', '/enrolment-tokens', { name: 'content fixture' })).body;
    const anchor = Math.max(...all.map((u) => u.changeSeq));
    const clients: Record<string, string> = {};
    const required: Record<string, string[]> = { 'web-1': [updates.bar.updateId, updates.foo.updateId, updates.baz.updateId], 'web-2': [updates.bar.updateId], 'db-1': [updates.bar.updateId, updates.foo.updateId] };
    for (const [name, ids] of Object.entries(required)) {
      const agent = (await t.mp('POST', '/register', null, { enrolmentToken: token, name })).body as { clientId: string; credential: string };
      clients[name] = agent.clientId;
      const time = '2026-11-25T09:00:00Z';
      // As an agent's scan reports: the Required states, then the completed scan covering the whole catalogue.
      const messages = [
        ...ids.map((updateId, i) => ({ seq: i + 1, time, topic: 500, stateId: 2, updateId, revision: 1 })),
        { seq: ids.length + 1, time, topic: 501, stateId: 3, scanId: randomUUID(), product: 'Debian 12', anchor, error: null },
      ];
      const sent = await t.mp('POST', `/clients/${agent.clientId}/state-messages`, agent.credential, { messages });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
    }
    const web = await t.api('POST', '/collections', { name: 'web' });
    assert.equal(web.status, 201, JSON.stringify(web.body));
    assert.equal((await t.api('POST', `/collections/${web.body.collectionId}/members`, { clientIds: [clients['web-1'], clients['web-2']] })).status, 200);

    const libraryRoot = join(t.dataDir, 'content', 'sha256');
    let securityDate = late;
    const stanzas = (suite: string) => [...debs.values()].filter((d) => archive.suites.find((s) => s.suite === suite)!.packagesText.includes(`Filename: ${d.filename}\n`)).map((d) => d.stanza);
    const bookwormStanzas = stanzas('bookworm');
    const securityStanzas = stanzas('bookworm-security');
    return {
      t,
      clock,
      mirror,
      archiveDir,
      debs,
      updates,
      webCollectionId: web.body.collectionId,
      async publishSecurity(specs) {
        for (const spec of specs) {
          const deb = await buildDeb(archiveDir, spec);
          debs.set(`${spec.package}_${spec.version}_${spec.architecture ?? 'amd64'}`, deb);
          securityStanzas.push(deb.stanza);
        }
        securityDate = new Date(securityDate.getTime() + 86_400_000);
        await buildTestArchive(archiveDir, {
          suites: [
            { suite: 'bookworm', version: '12', date: early, signers: [key], packages: bookwormStanzas },
            { suite: 'bookworm-security', version: '12', label: 'Debian-Security', date: securityDate, signers: [key], packages: securityStanzas },
          ],
        });
        const again = await t.site.sync.run('test');
        assert.equal(again.status, 'succeeded', again.error ?? '');
      },
      library() {
        try {
          return readdirSync(libraryRoot, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
        } catch {
          return [];
        }
      },
      async stop() {
        await t.stop();
        await mirror.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await t.stop();
    await mirror.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A name no test uses twice. */
export const uniqueName = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;
