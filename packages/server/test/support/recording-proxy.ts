import { createServer, request as httpRequest, type Server } from 'node:http';
import { Transform, pipeline } from 'node:stream';

/** One request a distribution point made of its site, as the proxy saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  range: string | null;
  /** Parsed JSON body of POSTs. */
  body: unknown;
  /** Response bytes passed on so far. */
  bytesOut: number;
}

/**
 * Stands between a distribution point and its site on 127.0.0.1: records what the distribution
 * point asks for (Range headers, reports), and can slow file bodies down (so a test can kill the
 * process in the middle of a transfer) or change their bytes on the wire.
 */
export interface RecordingProxy {
  url: string;
  seen: SeenRequest[];
  /** Bytes per second of `/dpm/v1/content` bodies; null = as fast as the site sends. */
  throttle: number | null;
  /** Flip one bit in the first bytes of every `/dpm/v1/content` body, as a faulty network or a meddler would. */
  corrupt: boolean;
  contentBytes(): number;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const seen: SeenRequest[] = [];
  const proxy: RecordingProxy = {
    url: '',
    seen,
    throttle: null,
    corrupt: false,
    contentBytes: () => seen.filter((s) => s.path.startsWith('/dpm/v1/content/')).reduce((n, s) => n + s.bytesOut, 0),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: SeenRequest = { method: req.method!, path: req.url!, range: (req.headers.range as string | undefined) ?? null, body: body.length ? JSON.parse(body.toString()) : null, bytesOut: 0 };
      seen.push(entry);
      const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        const content = req.url!.startsWith('/dpm/v1/content/');
        let first = true;
        const pace = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            if (content && proxy.corrupt && first && chunk.length > 0) {
              chunk = Buffer.from(chunk);
              chunk[0] ^= 0x01;
            }
            first = false;
            const rate = content ? proxy.throttle : null;
            if (rate === null) {
              entry.bytesOut += chunk.length;
              return done(null, chunk);
            }
            // Small slices at the given rate: the process dies mid-file, not between files.
            const slice = 16 * 1024;
            let offset = 0;
            const next = () => {
              if (offset >= chunk.length) return done();
              const part = chunk.subarray(offset, offset + slice);
              offset += part.length;
              entry.bytesOut += part.length;
              this.push(part);
              setTimeout(next, (part.length / rate) * 1000);
            };
            next();
          },
        });
        pipeline(answer, pace, res, () => upstream.destroy());
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
