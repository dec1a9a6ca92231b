/**
 * The console's files at `/`: hashed assets cached for a year, index.html for every page path,
 * the site's API prefixes never shadowed, nothing outside the console's folder, and a site whose
 * console is not built still starts and says why `/` is empty.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { registerConsole } from './serve-console.ts';

const INDEX = '<!doctype html><title>Patchday</title><div id="root"></div>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(5000))});`;

function appWith(dir: string, lines: string[] = []): FastifyInstance {
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const app = Fastify();
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));
  app.get('/api/v1/health', async () => ({ status: 'ok' }));
  registerConsole(app, log, dir);
  return app;
}

describe('the web console served by the site', () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;
  const lines: string[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'patchday-console-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-Bx7f3kQ1.js'), SCRIPT);
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'secret.txt'), 'not for the browser');
    app = appWith(dist, lines);
    await app.ready();
  });
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('/ and every page path answer index.html, never cached; the log says where the console is', async () => {
    for (const url of ['/', '/software-updates/all-updates', '/software-updates/all-updates/8c4b4d6e-0000-5000-8000-000000000000?x=1', '/updates', '/deployments']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX, url);
      assert.match(String(res.headers['content-type']), /^text\/html/, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
    }
    assert.ok(lines.some((l) => l.includes('web console served at /')), lines.join('\n'));
  });

  test('hashed assets are cached for a year and sent gzipped to a browser that accepts it', async () => {
    const plain = await app.inject({ url: '/assets/index-Bx7f3kQ1.js' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.body, SCRIPT);
    assert.match(String(plain.headers['content-type']), /^text\/javascript/);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    const zipped = await app.inject({ url: '/assets/index-Bx7f3kQ1.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.rawPayload.length < SCRIPT.length / 10, `${zipped.rawPayload.length} bytes`);
    assert.equal(gunzipSync(zipped.rawPayload).toString(), SCRIPT);
    const head = await app.inject({ method: 'HEAD', url: '/assets/index-Bx7f3kQ1.js' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    const icon = await app.inject({ url: '/favicon.svg' });
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  test('a missing asset is a 404, not the page', async () => {
    const res = await app.inject({ url: '/assets/index-OLDHASH.js' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().error, /no such file: \/assets\/index-OLDHASH\.js/);
  });

  test('the site\'s own prefixes are never answered by the console', async () => {
    assert.deepEqual((await app.inject({ url: '/api/v1/health' })).json(), { status: 'ok' });
    for (const url of ['/api', '/api/v1/nowhere', '/mp/v1/nowhere', '/up/v1/nowhere', '/dp/v1/content/abc', '/dpm/v1/nowhere']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.match(res.json().error, /^no such endpoint: GET /, url);
    }
  });

  test('nothing outside the console folder is served, however the path is spelled', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await app.inject({ url });
      assert.ok(!res.body.includes('not for the browser'), url);
    }
    const bad = await app.inject({ url: '/%E0%A4%A' });
    assert.equal(bad.statusCode, 400);
  });

  test('a console that is not built: the app still starts, warns once, and / says how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'patchday-console-none-'));
    const warnings: string[] = [];
    const bare = appWith(join(empty, 'dist'), warnings);
    await bare.ready();
    try {
      assert.ok(warnings.some((l) => l.includes('the web console is not built')), warnings.join('\n'));
      const res = await bare.inject({ url: '/' });
      assert.equal(res.statusCode, 404);
      assert.match(res.json().error, /npm run build:console/);
      assert.deepEqual((await bare.inject({ url: '/api/v1/health' })).json(), { status: 'ok' });
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
