// The demo shop's public API as a user (or the load generator) calls it: sign in, place,
// read and cancel orders, and the trace id each response names in its traceresponse header.
import { randomUUID } from 'node:crypto';
import { eventually } from './eventually.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  /** From the W3C traceresponse header. */
  traceId: string | undefined;
}

export interface Line {
  sku: string;
  quantity: number;
}

const TRACERESPONSE = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export class ShopClient {
  readonly baseUrl: string;
  private token: string | undefined;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  static async signIn(baseUrl: string, username: string): Promise<ShopClient> {
    const client = new ShopClient(baseUrl);
    const response = await client.call<{ access_token: string }>('POST', '/auth/token', { username });
    if (response.status !== 200)
      throw new Error(`sign-in as ${username}: ${response.status} ${JSON.stringify(response.body)}`);
    client.token = response.body.access_token;
    return client;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    const traceId = TRACERESPONSE.exec(response.headers.get('traceresponse') ?? '')?.[1];
    return { status: response.status, body: parsed as T, headers: response.headers, traceId };
  }

  placeOrder(
    items: Line[],
    idempotencyKey: string = randomUUID(),
  ): Promise<ApiResponse<{ orderId: string; status: string }>> {
    return this.call('POST', '/api/orders', { items }, { 'idempotency-key': idempotencyKey });
  }

  getOrder(orderId: string): Promise<ApiResponse> {
    return this.call('GET', `/api/orders/${orderId}`);
  }

  /** Polls the order until its status is one of `statuses`; returns the order. */
  async waitForStatus(orderId: string, statuses: string[], timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return eventually(
      `order ${orderId} to be ${statuses.join(' or ')}`,
      async () => {
        const { status, body } = await this.getOrder(orderId);
        return status === 200 && statuses.includes(String(body['status'])) ? body : undefined;
      },
      timeoutMs,
    );
  }
}
