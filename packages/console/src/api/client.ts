/**
 * The console's one way to the site: `/api/v1` on the same origin, with the session's bearer token.
 * Every failure becomes an `ApiError` whose message a person can read: the API's own `{error}` text
 * when it gave one, otherwise what went wrong in words.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResponse<T> {
  status: number;
  etag: string | null;
  /** Undefined for 304 Not Modified. */
  body: T | undefined;
}

export interface ApiClient {
  get<T>(path: string, options?: { signal?: AbortSignal }): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string, body?: unknown): Promise<T>;
  /** The low-level call: conditional requests (ETag) and the status are the caller's. */
  request<T>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }): Promise<ApiResponse<T>>;
}

export const API_BASE = '/api/v1';

export interface ApiClientOptions {
  token: string | null;
  /** A request with a token was refused as unauthenticated: the session has ended. */
  onUnauthorized?: (message: string) => void;
}

export function createApiClient({ token, onUnauthorized }: ApiClientOptions): ApiClient {
  const request = async <T,>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${API_BASE}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, `The site did not answer (${(error as Error).message}). Check that it is running and reachable.`);
    }
    const etag = response.headers.get('etag');
    if (response.status === 304) return { status: 304, etag, body: undefined };
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const message = apiErrorText(body) ?? `The site answered ${response.status} ${response.statusText || 'without a message'}.`;
      if (response.status === 401 && token) onUnauthorized?.('Your session has ended: sign in again.');
      throw new ApiError(response.status, message);
    }
    if (body === undefined) throw new ApiError(response.status, `The site's answer to ${method} ${path} was not JSON.`);
    return { status: response.status, etag, body: body as T };
  };
  const call =
    (method: string) =>
    async <T,>(path: string, body?: unknown): Promise<T> =>
      (await request<T>(method, path, { body })).body as T;
  return {
    get: async <T,>(path: string, options: { signal?: AbortSignal } = {}) => (await request<T>('GET', path, options)).body as T,
    post: call('POST'),
    put: call('PUT'),
    patch: call('PATCH'),
    delete: call('DELETE'),
    request,
  };
}

function apiErrorText(body: unknown): string | null {
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    const text = (body as { error: string }).error;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  return null;
}

/** What to show for any error a page caught. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** `?a=1&b=x` from the defined, non-empty values (in the order given). */
export function queryString(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
