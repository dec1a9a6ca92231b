import { CatalogueDelta, ClientPolicy, RegisterResponse, StateMessageAck, type Inventory, type StateMessage } from '@patchday/core';
import type { z } from 'zod';

/** Why a request to the site failed, in words an administrator can act on. */
export class SiteError extends Error {
  constructor(
    message: string,
    /** The HTTP status, or null when the site could not be reached. */
    readonly status: number | null,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 120_000;

/** The agent's side of the management point (`/mp/v1`) and update point (`/up/v1`). */
export class SiteConnection {
  constructor(
    readonly server: string,
    private readonly credential: () => string | null,
  ) {}

  async register(name: string, enrolmentToken: string | undefined): Promise<RegisterResponse> {
    const body = enrolmentToken === undefined ? { name } : { name, enrolmentToken };
    return this.json('POST', `${this.server}/mp/v1/register`, body, RegisterResponse);
  }

  /** The client's policy, or null when it is unchanged since `etag`. */
  async policy(clientId: string, etag: string | null): Promise<{ policy: ClientPolicy; etag: string | null } | null> {
    const response = await this.send('GET', `${this.server}/mp/v1/clients/${clientId}/policy`, undefined, etag ? { 'if-none-match': etag } : {});
    if (response.status === 304) return null;
    const policy = await this.parse(response, ClientPolicy);
    return { policy, etag: response.headers.get('etag') };
  }

  async putInventory(clientId: string, inventory: Inventory): Promise<void> {
    await this.expectOk(await this.send('PUT', `${this.server}/mp/v1/clients/${clientId}/inventory`, { inventory }));
  }

  async sendStateMessages(clientId: string, messages: StateMessage[]): Promise<StateMessageAck> {
    return this.json('POST', `${this.server}/mp/v1/clients/${clientId}/state-messages`, { messages }, StateMessageAck);
  }

  /** The catalogue delta from an update point (its URL comes from policy). */
  async catalogue(updatePoint: string, query: { product: string; architecture: string; since: number }): Promise<CatalogueDelta> {
    const params = new URLSearchParams({ product: query.product, architecture: query.architecture, since: String(query.since) });
    return this.json('GET', `${updatePoint}/catalogue?${params}`, undefined, CatalogueDelta);
  }

  private async json<T extends z.ZodType>(method: string, url: string, body: unknown, schema: T): Promise<z.infer<T>> {
    return this.parse(await this.send(method, url, body), schema);
  }

  private async send(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const credential = this.credential();
    try {
      return await fetch(url, {
        method,
        headers: {
          ...headers,
          ...(credential ? { authorization: `Bearer ${credential}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new SiteError(`cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, null);
    }
  }

  private async expectOk(response: Response): Promise<void> {
    if (response.ok) return;
    throw await this.failure(response);
  }

  private async parse<T extends z.ZodType>(response: Response, schema: T): Promise<z.infer<T>> {
    await this.expectOk(response);
    let value: unknown;
    try {
      value = await response.json();
    } catch (error) {
      throw new SiteError(`the site sent a response that is not JSON (${(error as Error).message})`, response.status);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new SiteError(`the site sent an unexpected response: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, response.status);
    return parsed.data;
  }

  private async failure(response: Response): Promise<SiteError> {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: unknown };
      if (typeof body.error === 'string') message = `${response.status}: ${body.error}`;
    } catch {
      // not JSON: the status line says it
    }
    return new SiteError(message, response.status);
  }
}
