/** What an upstream answered: the body, or "not modified" for a conditional request. */
export type FetchResult =
  | { status: 'ok'; body: Buffer; etag: string | null; lastModified: string | null }
  | { status: 'not-modified' };

export interface FetchOptions {
  /** Refuse bodies larger than this many bytes, without reading the rest. */
  maxBytes: number;
  timeoutMs: number;
  etag?: string | null;
  lastModified?: string | null;
}

/**
 * GET with a hard size bound and timeout. Errors carry a reason an administrator can act on
 * ("HTTP 404 Not Found", "timed out after 30 s", "larger than …").
 */
export async function httpGet(url: string, options: FetchOptions): Promise<FetchResult> {
  const headers: Record<string, string> = { 'user-agent': 'Patchday update point' };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw new Error(describeNetworkError(url, error, options.timeoutMs));
    }
    if (response.status === 304) {
      await response.body?.cancel();
      // A 304 we did not ask for would mean reusing something we never verified: refuse it.
      if (!options.etag && !options.lastModified) throw new Error(`${url} answered 304 Not Modified to an unconditional request`);
      return { status: 'not-modified' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${url} answered HTTP ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > options.maxBytes) {
      await response.body?.cancel();
      throw new Error(`${url} is ${declared} bytes, larger than the limit of ${options.maxBytes}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > options.maxBytes) {
          controller.abort();
          throw new Error(`${url} is larger than the limit of ${options.maxBytes} bytes`);
        }
        chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
    } catch (error) {
      if ((error as Error).message.includes('larger than the limit')) throw error;
      throw new Error(describeNetworkError(url, error, options.timeoutMs));
    }
    return {
      status: 'ok',
      body: Buffer.concat(chunks, total),
      etag: response.headers.get('etag'),
      lastModified: response.headers.get('last-modified'),
    };
  } finally {
    clearTimeout(timer);
  }
}

function describeNetworkError(url: string, error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'AbortError') return `${url} did not answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = e.cause?.code ?? e.cause?.message ?? e.message;
  return `${url} is unreachable (${cause})`;
}
