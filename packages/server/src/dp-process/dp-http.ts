import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DP_CONTENT_PATH, type Clock } from '@patchday/core';
import type { Logger } from 'pino';
import type { ContentLibrary } from '../content/content-library.ts';
import { authoriseContent } from '../distribution/content-auth.ts';
import { openContent, pipeContent } from '../distribution/content-response.ts';
import { HttpError } from '../http/http-error.ts';

export interface DpHttpContext {
  library: ContentLibrary;
  clock: Clock;
  log: Logger;
  /** The site's content-token key; null until the first answer from the site (or the copy on disk). */
  key(): Buffer | null;
  /** What `GET /dp/v1/health` says about the last pass over the site's targets. */
  health(): Record<string, unknown>;
}

export interface DpHttpServer {
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

const CONTENT = new RegExp(`^${DP_CONTENT_PATH}/content/([^/?]*)(\\?.*)?$`);
const HEALTH = new RegExp(`^${DP_CONTENT_PATH}/health(\\?.*)?$`);

/**
 * A remote distribution point's HTTP side: `GET|HEAD /dp/v1/content/:sha256` to agents with a
 * content token — the same contract, statuses and messages as the site's own distribution point —
 * and `GET /dp/v1/health`. Plain `node:http`, no framework: serving bytes is all this server does,
 * and it is where the distribution point spends its CPU.
 */
export function buildDpServer(dp: DpHttpContext): DpHttpServer {
  const answer = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const content = CONTENT.exec(url);
    if (content && (request.method === 'GET' || request.method === 'HEAD')) {
      const sha256 = authoriseContent(request.headers.authorization, content[1], dp.key(), dp.clock.now());
      return pipeContent(request, response, await openContent(dp.library.pathOf(sha256), sha256));
    }
    if (HEALTH.test(url) && request.method === 'GET') return answer(response, 200, { status: 'ok', ...dp.health() });
    answer(response, 404, { error: `no such endpoint: ${request.method} ${url.split('?')[0]}` });
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof HttpError) return answer(response, error.statusCode, { error: error.message });
      dp.log.error({ err: error, url: request.url }, 'request failed');
      answer(response, 500, { error: 'internal error; the distribution point log has the details' });
    });
  });

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
