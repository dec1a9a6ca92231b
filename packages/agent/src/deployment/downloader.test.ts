import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { VirtualClock } from '@patchday/core';
import { ContentServer } from '../../test/support/content-server.ts';
import { ContentCache } from './content-cache.ts';
import { DownloadError, downloadToCache } from './downloader.ts';

const TOKEN = 'content-token-for-tests';
const dpRef = (name: string, url: string) => ({ dpId: '30000000-0000-4000-8000-00000000000' + name.slice(-1), name, url });

describe('downloading update files from distribution points', () => {
  let dp1: ContentServer;
  let dp2: ContentServer;
  let dataDir: string;
  let cache: ContentCache;
  const clock = new VirtualClock('2026-12-01T00:00:00Z');
  const bytes = randomBytes(300_000);
  const file = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, name: 'pool/main/o/openssl/libssl3_3.0.17-1~deb12u3_amd64.deb' };

  before(async () => {
    dp1 = await new ContentServer(TOKEN).start();
    dp2 = await new ContentServer(TOKEN).start();
  });
  after(async () => {
    await dp1.close();
    await dp2.close();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'patchday-download-'));
    cache = new ContentCache(dataDir, clock);
    for (const dp of [dp1, dp2]) {
      dp.files.clear();
      dp.requests.length = 0;
      dp.cutAfter.clear();
    }
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('a DP that does not hold the file answers 404; the next one in policy order serves it', async () => {
    dp2.hold(bytes);
    await downloadToCache(file, [dpRef('dp-1', dp1.url), dpRef('dp-2', dp2.url)], TOKEN, cache);
    assert.deepEqual(dp1.requests.map((r) => r.status), [404]);
    assert.deepEqual(dp2.requests.map((r) => r.status), [200]);
    assert.ok(cache.has(file.sha256, file.size));
    assert.deepEqual(readFileSync(cache.path(file.sha256)), bytes);
    // Cached: no second request.
    await downloadToCache(file, [dpRef('dp-1', dp1.url)], TOKEN, cache);
    assert.equal(dp1.requests.length, 1);
  });

  test('a broken transfer keeps its partial file and resumes with a Range request', async () => {
    dp1.hold(bytes);
    dp1.cutAfter.set(file.sha256, 100_000);
    await assert.rejects(downloadToCache(file, [dpRef('dp-1', dp1.url)], TOKEN, cache), (error: Error) => {
      assert.ok(error instanceof DownloadError);
      assert.match(error.message, /dp-1: (the connection broke|the transfer ended) at byte 100000/);
      return true;
    });
    assert.equal(statSync(cache.partialPath(file.sha256)).size, 100_000);
    assert.equal(cache.has(file.sha256, file.size), false);

    // The agent was killed here: a new cache object over the same data directory resumes.
    const restarted = new ContentCache(dataDir, clock);
    await downloadToCache(file, [dpRef('dp-1', dp1.url)], TOKEN, restarted);
    assert.deepEqual(dp1.requests.map((r) => [r.status, r.range]), [[200, null], [206, 'bytes=100000-']]);
    assert.deepEqual(readFileSync(restarted.path(file.sha256)), bytes);
    assert.equal(existsSync(restarted.partialPath(file.sha256)), false);
  });

  test('a resumed transfer can finish from the next DP', async () => {
    dp1.hold(bytes);
    dp2.hold(bytes);
    dp1.cutAfter.set(file.sha256, 50_000);
    await downloadToCache(file, [dpRef('dp-1', dp1.url), dpRef('dp-2', dp2.url)], TOKEN, cache);
    assert.deepEqual(dp2.requests.map((r) => r.range), ['bytes=50000-']);
    assert.deepEqual(readFileSync(cache.path(file.sha256)), bytes);
  });

  test('a tampered file fails with a sha256 message and nothing is kept', async () => {
    const tampered = Buffer.from(bytes);
    tampered[1234] ^= 0xff;
    dp1.hold(tampered, file.sha256);
    await assert.rejects(downloadToCache(file, [dpRef('dp-1', dp1.url)], TOKEN, cache), /libssl3_3\.0\.17-1~deb12u3_amd64\.deb \(sha256 [0-9a-f]{64}\) could not be downloaded: dp-1: sha256 mismatch — expected [0-9a-f]{64}, got [0-9a-f]{64}; the file was discarded/);
    assert.equal(cache.has(file.sha256, file.size), false);
    assert.deepEqual(readdirSync(join(dataDir, 'cache', 'files')), []);
    assert.deepEqual(readdirSync(join(dataDir, 'cache', 'partial')), []);
  });

  test('a refused content token and an unreachable DP are named, DP by DP', async () => {
    await assert.rejects(downloadToCache(file, [dpRef('dp-1', dp1.url), dpRef('dp-2', 'http://127.0.0.1:9')], 'wrong-token', cache), (error: Error) => {
      assert.match(error.message, /dp-1: refused the content token \(401: the content token is not valid\)/);
      assert.match(error.message, /dp-2: cannot reach http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
      return true;
    });
  });

  test('update files always download, even past the cache maximum; LRU content nobody needs makes room first', async () => {
    const small = randomBytes(600_000);
    const smallSha = dp1.hold(small);
    await downloadToCache({ sha256: smallSha, size: small.length, name: 'small.deb' }, [dpRef('dp-1', dp1.url)], TOKEN, cache);
    clock.advance(1441 * 60_000);
    dp1.hold(bytes);
    // A 0 MB cache: the old file is evicted, and the new one is downloaded anyway.
    const victims = cache.makeRoom(file.size, new Set([file.sha256]), { cacheMaximumMb: 0, cacheMinimumAgeMinutes: 1440 });
    assert.deepEqual(victims, [smallSha]);
    await downloadToCache(file, [dpRef('dp-1', dp1.url)], TOKEN, cache);
    assert.deepEqual(cache.usage(), { files: 1, bytes: file.size });
  });
});
