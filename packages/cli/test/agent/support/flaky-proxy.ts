import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'drop-response' | 'hold-response';

/**
 * A TCP proxy between an agent and its site that can fail the way networks do: refuse every
 * connection (site down), deliver the request and lose the response, or deliver it and hold
 * the response back for as long as the test likes.
 */
export interface FlakyProxy {
  url: string;
  mode: ProxyMode;
  /** Requests whose response was dropped so far. */
  dropped: number;
  /** Responses held back so far. */
  held: number;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: FlakyProxy = { url: '', mode: 'pass', dropped: 0, held: 0, close: async () => undefined };
  // The mode is read on every chunk, so connections kept alive from before a change obey it too.
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (proxy.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.on('data', (chunk) => {
      if (proxy.mode === 'refuse') closeBoth();
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (proxy.mode === 'pass') {
        client.write(chunk);
        return;
      }
      // The site got the whole request and answered; the answer never arrives.
      if (proxy.mode === 'hold-response') {
        proxy.held++;
        return;
      }
      if (proxy.mode === 'drop-response') proxy.dropped++;
      closeBoth();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  proxy.url = `http://127.0.0.1:${address.port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
