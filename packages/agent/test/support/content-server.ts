import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A distribution point's content route as agents see it (`GET /content/{sha256}`, bearer content
 * token, Range), on 127.0.0.1, serving files it is given. Tests make it misbehave the ways a real
 * one can: not holding a file, holding a tampered copy, dropping the connection mid-transfer.
 */
export class ContentServer {
  readonly files = new Map<string, Buffer>();
  /** Every request: the sha256 asked for and its Range header. */
  readonly requests: Array<{ sha256: string; range: string | null; status: number }> = [];
  /** Drop the connection after this many body bytes, once per file. */
  readonly cutAfter = new Map<string, number>();
  private server!: Server;
  url = '';

  constructor(readonly token: string) {}

  /** Holds `bytes` under their own sha256, or — to simulate tampering — under another one. */
  hold(bytes: Buffer, as?: string): string {
    const sha = as ?? createHash('sha256').update(bytes).digest('hex');
    this.files.set(sha, bytes);
    return sha;
  }

  holdFile(path: string, as?: string): string {
    return this.hold(readFileSync(path), as);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const m = /^\/content\/([0-9a-f]{64})$/.exec(req.url ?? '');
      const record = (status: number) => this.requests.push({ sha256: m?.[1] ?? '', range: req.headers.range ?? null, status });
      if (!m) return void res.writeHead(404).end();
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        record(401);
        return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the content token is not valid' }));
      }
      const bytes = this.files.get(m[1]);
      if (!bytes) {
        record(404);
        return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no such content' }));
      }
      let start = 0;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range) start = Number(range[1]);
      if (start >= bytes.length && bytes.length > 0) {
        record(416);
        return void res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      }
      const status = range ? 206 : 200;
      record(status);
      res.writeHead(status, {
        'content-length': bytes.length - start,
        'accept-ranges': 'bytes',
        ...(range ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
      });
      const cut = this.cutAfter.get(m[1]);
      if (cut !== undefined) {
        this.cutAfter.delete(m[1]);
        res.write(bytes.subarray(start, start + cut), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.end(bytes.subarray(start));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
