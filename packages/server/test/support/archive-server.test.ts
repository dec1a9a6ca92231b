import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { startArchiveServer } from './archive-server.ts';
import type { ArchiveServer } from './archive-server.ts';

const SNAPSHOT = '/work/shared/data/debian-archive-2026-11-24';

let root: string;
let server: ArchiveServer;
const INRELEASE = '/debian/dists/test/InRelease';
const PACKAGES = '/debian/dists/test/main/binary-amd64/Packages.xz';
const inReleaseBytes = Buffer.from('Origin: Test\nSuite: test\n');
const packagesBytes = Buffer.alloc(100_000, 7);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'patchday-archive-server-'));
  await mkdir(join(root, 'debian/dists/test/main/binary-amd64'), { recursive: true });
  await writeFile(join(root, INRELEASE), inReleaseBytes);
  await writeFile(join(root, PACKAGES), packagesBytes);
  await writeFile(join(root, 'secret'), 'outside debian/');
  server = await startArchiveServer(root);
});
afterEach(() => {
  server.clearFaults();
  server.requests.length = 0;
});
after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** Raw HTTP, because fetch normalises "..", hides truncation as a generic error, and pools sockets. */
function raw(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; complete: boolean }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let complete = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (complete = true));
      res.on('close', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('static serving', () => {
  test('serves files byte for byte, 404 for missing files and directories', async () => {
    const r = await raw(PACKAGES);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, packagesBytes);
    assert.equal(r.headers['content-length'], String(packagesBytes.length));
    assert.equal((await raw('/debian/dists/test/Release')).status, 404);
    assert.equal((await raw('/debian/dists/test')).status, 404);
    assert.equal((await raw('/debian/dists/test/InRelease/x')).status, 404);
    const head = await raw(INRELEASE, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-length'], String(inReleaseBytes.length));
    assert.equal((await raw(INRELEASE, {}, 'POST')).status, 405);
  });

  test('refuses "..", encoded or not', async () => {
    assert.equal((await raw('/debian/../secret')).status, 403);
    assert.equal((await raw('/debian/%2e%2e/secret')).status, 403);
    assert.equal((await raw('/..%2f..%2fetc/passwd')).status, 403);
    assert.equal((await raw('/%E0%A4%A')).status, 400);
    assert.equal((await raw('/secret')).status, 200, 'files at the root are fine');
  });

  test('answers conditional requests with 304, and 200 once the file changes', async () => {
    const first = await raw(INRELEASE);
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    assert.ok(!Number.isNaN(Date.parse(lastModified)));

    const byEtag = await raw(INRELEASE, { 'If-None-Match': etag });
    assert.equal(byEtag.status, 304);
    assert.equal(byEtag.body.length, 0);
    assert.equal(byEtag.headers.etag, etag);
    assert.equal((await raw(INRELEASE, { 'If-None-Match': `"other", W/${etag}` })).status, 304);
    assert.equal((await raw(INRELEASE, { 'If-None-Match': '*' })).status, 304);
    assert.equal((await raw(INRELEASE, { 'If-Modified-Since': lastModified })).status, 304);
    assert.equal((await raw(INRELEASE, { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 200);
    // If-None-Match wins over a matching If-Modified-Since (RFC 9110 13.2.2).
    assert.equal((await raw(INRELEASE, { 'If-None-Match': '"stale"', 'If-Modified-Since': lastModified })).status, 200);
    assert.deepEqual(
      server.requests.map((r) => [r.status, r.conditional]),
      [[200, false], [304, true], [304, true], [304, true], [304, true], [200, true], [200, true]],
    );

    const copy = join(root, 'debian/dists/test/InRelease.copy');
    await writeFile(copy, 'v1');
    const v1 = await raw('/debian/dists/test/InRelease.copy');
    await writeFile(copy, 'v2');
    await utimes(copy, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    const v2 = await raw('/debian/dists/test/InRelease.copy', { 'If-None-Match': String(v1.headers.etag) });
    assert.equal(v2.status, 200);
    assert.equal(v2.body.toString(), 'v2');
    assert.notEqual(v2.headers.etag, v1.headers.etag);
    assert.equal(
      (await raw('/debian/dists/test/InRelease.copy', { 'If-Modified-Since': String(v1.headers['last-modified']) })).status,
      200,
    );
  });

  test('serves the real snapshot unchanged (read-only, in place)', async () => {
    const real = await startArchiveServer(SNAPSHOT);
    try {
      const res = await fetch(`${real.url}/debian/dists/bookworm-updates/InRelease`);
      assert.equal(res.status, 200);
      const expected = await readFile(join(SNAPSHOT, 'debian/dists/bookworm-updates/InRelease'));
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), expected);
      assert.equal(real.url, `http://127.0.0.1:${real.port}`);
    } finally {
      await real.close();
    }
  });
});

describe('overlays', () => {
  test('replace one file for clients without touching the disk', async () => {
    const before = await raw(INRELEASE);
    server.serveOverlay(INRELEASE, 'Origin: Overlay\n');
    server.serveOverlay('/debian/dists/test/extra', Buffer.from([1, 2, 3]));
    const over = await raw(INRELEASE, { 'If-None-Match': String(before.headers.etag) });
    assert.equal(over.status, 200);
    assert.equal(over.body.toString(), 'Origin: Overlay\n');
    assert.equal((await raw(INRELEASE, { 'If-None-Match': String(over.headers.etag) })).status, 304);
    assert.deepEqual((await raw('/debian/dists/test/extra')).body, Buffer.from([1, 2, 3]));
    assert.deepEqual(await readFile(join(root, INRELEASE)), inReleaseBytes);
    server.removeOverlay(INRELEASE);
    server.removeOverlay('/debian/dists/test/extra');
    assert.deepEqual((await raw(INRELEASE)).body, inReleaseBytes);
    assert.equal((await raw('/debian/dists/test/extra')).status, 404);
  });
});

describe('faults', () => {
  test('status faults, persistent and once, matched by suffix or exact path', async () => {
    server.fault('InRelease', { status: 500 });
    assert.equal((await raw(INRELEASE)).status, 500);
    assert.equal((await raw('/debian-security/dists/x/InRelease')).status, 500, 'suffix matches any suite');
    assert.equal((await raw(PACKAGES)).status, 200);
    server.clearFaults();

    const remove = server.fault(PACKAGES, { status: 404 });
    server.fault('binary-amd64/Packages.xz', { status: 503 });
    server.fault('/binary-amd64/Packages.xz', { status: 410 }); // leading "/": exact path only
    assert.equal((await raw(PACKAGES)).status, 503, 'the later persistent fault of the same kind wins');
    assert.equal((await raw('/binary-amd64/Packages.xz')).status, 410);
    server.clearFaults();
    server.fault(PACKAGES, { status: 404 });
    await raw('/mirror' + PACKAGES);
    assert.equal(server.requests.at(-1)?.fault, undefined, 'an exact path is not a suffix');
    assert.equal((await raw(PACKAGES)).status, 404);
    remove();
    assert.equal((await raw(PACKAGES)).status, 404, 'remove() only drops its own fault');
    server.clearFaults();

    server.fault('Packages.xz', { once: true, status: 500 });
    server.fault('Packages.xz', { once: true, status: 502 });
    assert.deepEqual(
      [(await raw(PACKAGES)).status, (await raw(PACKAGES)).status, (await raw(PACKAGES)).status],
      [500, 502, 200],
    );
    assert.deepEqual(
      server.requests.slice(-3).map((r) => r.fault),
      ['status', 'status', undefined],
    );
  });

  test('a once-fault replaces the persistent ones for one request; hang beats status', async () => {
    server.fault(INRELEASE, { status: 404 });
    server.fault(INRELEASE, { once: true, body: 'once' });
    assert.equal((await raw(INRELEASE)).body.toString(), 'once');
    assert.equal((await raw(INRELEASE)).status, 404);
    server.fault(INRELEASE, { hang: true });
    await assert.rejects(fetch(server.url + INRELEASE, { signal: AbortSignal.timeout(150) }), { name: 'TimeoutError' });
  });

  test('body substitutes the bytes and the validators', async () => {
    const original = await raw(PACKAGES);
    server.fault('Packages.xz', { body: 'evil' });
    const r = await raw(PACKAGES, { 'If-None-Match': String(original.headers.etag) });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'evil');
    assert.notEqual(r.headers.etag, original.headers.etag);
    assert.equal(server.requests.at(-1)?.fault, 'body');
    assert.equal((await raw(PACKAGES, { 'If-None-Match': String(r.headers.etag) })).status, 304);
  });

  test('substituted bytes look newer to If-Modified-Since even within the file\'s own second', async () => {
    // apt revalidates with If-Modified-Since only; a same-second substitution must not get a 304.
    const path = '/debian/dists/test/fresh';
    await writeFile(join(root, path), 'fresh file');
    const original = await raw(path);
    const since = { 'If-Modified-Since': String(original.headers['last-modified']) };
    assert.equal((await raw(path, since)).status, 304);
    server.fault(path, { once: true, body: 'tampered' });
    const faulted = await raw(path, since);
    assert.deepEqual([faulted.status, faulted.body.toString()], [200, 'tampered']);
    server.serveOverlay(path, 'overlay 1');
    const o1 = await raw(path, since);
    assert.deepEqual([o1.status, o1.body.toString()], [200, 'overlay 1']);
    server.serveOverlay(path, 'overlay 2');
    const o2 = await raw(path, { 'If-Modified-Since': String(o1.headers['last-modified']) });
    assert.deepEqual([o2.status, o2.body.toString()], [200, 'overlay 2']);
    server.removeOverlay(path);
  });

  test('truncateAt sends exactly N bytes with the full Content-Length, then drops the connection', async () => {
    server.fault('Packages.xz', { truncateAt: 1000 });
    const r = await raw(PACKAGES);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(packagesBytes.length));
    assert.equal(r.body.length, 1000);
    assert.deepEqual(r.body, packagesBytes.subarray(0, 1000));
    assert.equal(r.complete, false);
    await assert.rejects(async () => (await fetch(server.url + PACKAGES)).arrayBuffer());

    server.clearFaults();
    server.fault('Packages.xz', { once: true, truncateAt: 0 });
    const headersOnly = await raw(PACKAGES);
    assert.deepEqual([headersOnly.status, headersOnly.body.length, headersOnly.complete], [200, 0, false]);

    server.fault('Packages.xz', { body: 'abcdef', truncateAt: 2 });
    const combined = await raw(PACKAGES);
    assert.equal(combined.body.toString(), 'ab');
    assert.equal(combined.complete, false);
  });

  test('hang never answers, is visible in the log, and close() still returns', async () => {
    const hanging = await startArchiveServer(root);
    hanging.fault('InRelease', { hang: true });
    const started = performance.now();
    const pending = fetch(hanging.url + INRELEASE, { signal: AbortSignal.timeout(200) });
    const seen = await hanging.waitForRequest((r) => r.path === INRELEASE);
    assert.equal(seen.status, 0);
    assert.equal(seen.fault, 'hang');
    await assert.rejects(pending, { name: 'TimeoutError' });
    assert.ok(performance.now() - started >= 190);

    const another = fetch(hanging.url + INRELEASE).catch((e: unknown) => e);
    await hanging.waitForRequest((r) => r !== seen);
    await hanging.close();
    assert.ok((await another) instanceof Error, 'the client sees the connection close');
  });

  test('ignoreConditional answers 200 in full and sends no validators', async () => {
    const first = await raw(INRELEASE);
    server.fault('InRelease', { ignoreConditional: true });
    const r = await raw(INRELEASE, { 'If-None-Match': String(first.headers.etag), 'If-Modified-Since': String(first.headers['last-modified']) });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, inReleaseBytes);
    assert.equal(r.headers.etag, undefined);
    assert.equal(r.headers['last-modified'], undefined);
    assert.deepEqual(
      { conditional: server.requests.at(-1)?.conditional, fault: server.requests.at(-1)?.fault },
      { conditional: true, fault: 'ignoreConditional' },
    );
  });
});

describe('ranges', () => {
  test('with ranges on, Range asks for the rest (206, Content-Range), truncateAt cuts the part, past the end is 416; without, the whole file', async () => {
    const ranged = await startArchiveServer(root, { ranges: true });
    try {
      const get = (headers: Record<string, string>) =>
        new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; complete: boolean }>((ok, fail) => {
          const req = request({ host: '127.0.0.1', port: ranged.port, path: PACKAGES, headers, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            let complete = false;
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => (complete = true));
            res.on('close', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete }));
          });
          req.on('error', fail);
          req.end();
        });
      const rest = await get({ range: 'bytes=60000-' });
      assert.deepEqual([rest.status, rest.headers['content-range'], rest.headers['accept-ranges']], [206, `bytes 60000-99999/${packagesBytes.length}`, 'bytes']);
      assert.deepEqual(rest.body, packagesBytes.subarray(60000));
      const middle = await get({ range: 'bytes=10-19' });
      assert.deepEqual([middle.status, middle.body], [206, packagesBytes.subarray(10, 20)]);
      ranged.fault(PACKAGES, { truncateAt: 1000, once: true });
      const cut = await get({ range: 'bytes=50000-' });
      assert.deepEqual([cut.status, cut.body.length, cut.complete], [206, 1000, false]);
      assert.equal((await get({ range: `bytes=${packagesBytes.length}-` })).status, 416);
      assert.equal((await get({})).status, 200);
    } finally {
      await ranged.close();
    }
    const plain = await raw(PACKAGES, { range: 'bytes=60000-' });
    assert.deepEqual([plain.status, plain.headers['accept-ranges'], plain.body.length], [200, 'none', packagesBytes.length]);
  });
});
