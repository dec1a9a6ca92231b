import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventStreamParser, VirtualClock } from '@patchday/core';
import { debianKeyring, startTestSite, type TestSite } from '../../test/site-harness.ts';
import { describeEachStore } from '../../test/stores.ts';

/** A console's view of GET /api/v1/events: the events read so far, and a wait for the next ones. */
class EventReader {
  readonly events: Array<{ event: string; data: any }> = [];
  ended = false;
  private waiters: Array<() => void> = [];

  static async open(url: string, token: string): Promise<EventReader> {
    const response = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = new EventReader();
    void reader.read(response.body!.pipeThrough(new TextDecoderStream()).getReader());
    return reader;
  }

  /** Reads as the console does, with core's parser. */
  private async read(body: ReadableStreamDefaultReader<string>): Promise<void> {
    const parser = new EventStreamParser();
    try {
      for (;;) {
        const { done, value } = await body.read();
        if (done) break;
        for (const e of parser.push(value)) this.events.push({ event: e.event, data: e.data ? JSON.parse(e.data) : null });
        this.wake();
      }
    } catch {
      // the site closed the connection
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits (up to 5 s) until `ready` holds for what was read; the event stream is asynchronous by nature. */
  async until(ready: (r: EventReader) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!ready(this)) {
      if (this.ended || Date.now() > deadline) assert.fail(`${what}: got ${JSON.stringify(this.events)}${this.ended ? ' and the stream ended' : ''}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  kinds(): string[] {
    return this.events.map((e) => e.event);
  }
}

describeEachStore('site events (GET /api/v1/events)', (kind) => {
  let t: TestSite;
  let stopped = false;
  const clock = new VirtualClock('2026-11-25T10:00:00Z');
  before(async () => {
    t = await startTestSite(kind, { clock });
  });
  after(async () => {
    if (!stopped) await t.stop();
  });

  test('needs a signed-in user like every admin route', async () => {
    const anonymous = await fetch(`${t.url}/api/v1/events`);
    assert.equal(anonymous.status, 401);
    assert.match((await anonymous.json()).error, /authentication required/);
  });

  test('an administrator\'s change and an agent\'s report reach an open console as events', async () => {
    const stream = await EventReader.open(t.url, t.token);
    const created = await t.api('POST', '/enrolment-tokens', { name: 'events', expiresInHours: 1, uses: 1 });
    assert.equal(created.status, 201);
    await stream.until((r) => r.kinds().includes('changes'), 'an enrolment token created is a change');
    assert.equal(stream.events[0].data.kind, 'changes');
    assert.equal(stream.events[0].data.at, clock.now().toISOString(), 'events carry site time');

    const registered = await t.mp('POST', '/register', null, { enrolmentToken: created.body.token, name: 'node-1' });
    assert.equal(registered.status, 201);
    await stream.until((r) => r.kinds().includes('clients'), 'a registration is a client report');

    // What was refused changed nothing, so it is not announced.
    const before = stream.events.length;
    assert.equal((await t.mp('POST', '/register', null, { enrolmentToken: created.body.token, name: 'node-2' })).status, 401);
    assert.equal((await t.api('POST', '/users', { username: 'x' })).status, 400);
    await t.api('POST', '/enrolment-tokens', { name: 'marker', expiresInHours: 1 });
    await stream.until((r) => r.events.length > before, 'the marker change');
    assert.deepEqual(stream.kinds().slice(before), ['changes']);
  });

  test('many changes at once reach the console as one event per kind', async () => {
    const stream = await EventReader.open(t.url, t.token);
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.api('POST', '/enrolment-tokens', { name: `burst-${i}`, expiresInHours: 1 })));
    await stream.until((r) => r.kinds().includes('changes'), 'the burst');
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.ok(stream.events.length < 20, `20 changes in a burst were coalesced, got ${stream.events.length} events`);
  });

  test('a sync is announced, even one that fails', async () => {
    const stream = await EventReader.open(t.url, t.token);
    const upstream = await t.api('POST', '/upstreams', { kind: 'debian', name: 'nowhere', url: 'http://127.0.0.1:9/debian', suites: ['bookworm'], keyring: debianKeyring });
    assert.equal(upstream.status, 201, JSON.stringify(upstream.body));
    const started = await t.api('POST', '/sync/runs', {});
    assert.equal(started.status, 202, JSON.stringify(started.body));
    await t.site.sync.whenIdle();
    await stream.until((r) => r.kinds().includes('sync'), 'the sync');
    const status = (await t.api('GET', '/sync/status')).body;
    assert.equal(status.lastRun.status, 'failed');
  });

  test('signing out ends the session\'s stream with a reason', async () => {
    const login = await t.api('POST', '/auth/login', { username: 'admin', password: t.adminPassword }, null);
    const stream = await EventReader.open(t.url, login.body.token);
    assert.equal((await t.api('POST', '/auth/logout', {}, login.body.token)).status, 200);
    await stream.until((r) => r.ended, 'the stream ends');
    assert.equal(stream.events.at(-1)?.event, 'ended');
    assert.match(stream.events.at(-1)?.data.reason, /session has ended/);
  });

  test('a Read-only Analyst may listen too; closing the site ends every stream', async () => {
    assert.equal((await t.api('POST', '/users', { username: 'ana', password: 'analyst-password-1', role: 'Read-only Analyst' })).status, 201);
    const login = await t.api('POST', '/auth/login', { username: 'ana', password: 'analyst-password-1' }, null);
    const stream = await EventReader.open(t.url, login.body.token);
    stopped = true;
    await t.stop();
    await stream.until((r) => r.ended, 'the site closing ends the stream');
  });
});
