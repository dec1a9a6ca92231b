import { Readable } from 'node:stream';
import { DpReportResult, DpTargets, type DpPackageReport } from '@patchday/core';

/** The site answered, but not with what was asked (its message is kept). */
export class SiteRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A file's bytes from `offset` on, as the site sent them. */
export interface ContentDownload {
  /** Where the body starts: `offset` when the site honoured the Range, else 0. */
  start: number;
  body: Readable;
}

/**
 * A remote distribution point's HTTP client of its site's `/dpm/v1`, with its own credential.
 * Every answer is validated with core's schemas before it is believed.
 */
export class SiteLink {
  constructor(
    readonly siteUrl: string,
    private readonly credential: string,
    /** Ends every request in flight (the distribution point is stopping; partial files stay). */
    private readonly signal?: AbortSignal,
  ) {}

  private async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.siteUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.credential}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.signal,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new Error(`cannot reach the site at ${this.siteUrl} (${cause})`);
    }
    if (!response.ok && response.status !== 206) {
      const text = await response.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new SiteRefused(response.status, `the site answered ${response.status} to ${method} ${path}: ${message}`);
    }
    return response;
  }

  async targets(): Promise<DpTargets> {
    return DpTargets.parse(await (await this.call('GET', '/dpm/v1/targets')).json());
  }

  async report(reports: DpPackageReport[]): Promise<DpReportResult> {
    return DpReportResult.parse(await (await this.call('POST', '/dpm/v1/reports', { reports })).json());
  }

  /** GET of a library file, resuming at `offset` when it is not 0. */
  async content(sha256: string, offset: number): Promise<ContentDownload> {
    const response = await this.call('GET', `/dpm/v1/content/${sha256}`, undefined, offset > 0 ? { range: `bytes=${offset}-` } : {});
    if (!response.body) throw new Error(`the site sent no body for ${sha256}`);
    let start = 0;
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/\d+$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== offset) {
        await response.body.cancel();
        throw new Error(`the site answered a resumed download of ${sha256} with the wrong range (${response.headers.get('content-range')})`);
      }
      start = offset;
    }
    return { start, body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) };
  }
}
