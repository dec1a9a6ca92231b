import { CliError, ExitCode } from './cli-error.ts';
import { storedToken } from './credentials.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:8530';

export function serverUrl(): string {
  return (process.env.PATCHDAY_SERVER || DEFAULT_SERVER).replace(/\/+$/, '');
}

/** Talks to a site's `/api/v1`, with PATCHDAY_TOKEN or the token `patchday login` stored. */
export class ApiClient {
  constructor(
    readonly server = serverUrl(),
    private readonly token = process.env.PATCHDAY_TOKEN || storedToken(server),
  ) {}

  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return this.request<T>('GET', qs ? `${path}?${qs}` : path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.server}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`cannot reach the site at ${this.server} (${cause}); is it running? (set PATCHDAY_SERVER to another site)`, ExitCode.unreachable);
    }
    const text = await response.text();
    let payload: unknown;
    try {
      payload = text ? JSON.parse(text) : {};
    } catch {
      payload = { error: text };
    }
    if (!response.ok) {
      const message = (payload as { error?: string }).error ?? `HTTP ${response.status}`;
      const code = response.status === 401 || response.status === 403 ? ExitCode.auth : response.status === 404 ? ExitCode.notFound : response.status < 500 ? ExitCode.usage : ExitCode.failed;
      const hint = response.status === 401 ? (this.token ? ' (log in again: `patchday login`)' : ' (run `patchday login` or set PATCHDAY_TOKEN)') : '';
      throw new CliError(`${message}${hint}`, code);
    }
    return payload as T;
  }
}
