// The gateway's public API as the load generator calls it, with Node's own fetch and nothing
// else: no instrumentation runs in this process, so no request carries a `traceparent` (each
// one is a trace root at the gateway's server span) nor `baggage` (the gateway sets its own,
// `synthetic=true` for this user, past the trust boundary).
import type { OrderLine } from './mix.ts';

/** The gateway's demo user for synthetic traffic: its requests are marked synthetic. */
export const LOAD_USER = 'load-generator';

export interface Reply {
  status: number;
  body: unknown;
  ms: number;
}

export class GatewayClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Who signs in: the load generator's synthetic user, or a person (the chaos runs' traffic). */
  readonly username: string;
  private token: string | undefined;

  constructor(baseUrl: string, timeoutMs: number, username: string = LOAD_USER) {
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.username = username;
  }

  async signIn(): Promise<void> {
    const reply = await this.send('POST', '/auth/token', { body: { username: this.username }, auth: false });
    const token = (reply.body as { access_token?: unknown } | undefined)?.access_token;
    if (reply.status !== 200 || typeof token !== 'string') {
      throw new Error(
        `POST ${this.baseUrl}/auth/token as ${this.username}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`,
      );
    }
    this.token = token;
  }

  /** `idempotencyKey` null sends none (a bad request the gateway must refuse). */
  placeOrder(lines: OrderLine[], idempotencyKey: string | null): Promise<Reply> {
    const headers: Record<string, string> = idempotencyKey !== null ? { 'idempotency-key': idempotencyKey } : {};
    return this.call('POST', '/api/orders', { body: { items: lines }, headers });
  }

  readOrder(orderId: string): Promise<Reply> {
    return this.call('GET', `/api/orders/${encodeURIComponent(orderId)}`);
  }

  listOrders(): Promise<Reply> {
    return this.call('GET', '/api/orders');
  }

  cancelOrder(orderId: string): Promise<Reply> {
    return this.call('POST', `/api/orders/${encodeURIComponent(orderId)}/cancel`);
  }

  /** An authenticated call; an expired token is renewed once. */
  private async call(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    if (!this.token) await this.signIn();
    const reply = await this.send(method, path, options);
    if (reply.status !== 401) return reply;
    await this.signIn();
    return this.send(method, path, options);
  }

  private async send(method: string, path: string, options: SendOptions): Promise<Reply> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.auth !== false && this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the report.
    }
    return { status: response.status, body, ms: performance.now() - started };
  }
}

interface SendOptions {
  body?: unknown;
  headers?: Record<string, string>;
  auth?: boolean;
}
