// A client of the chaos admin APIs (each service instance's, and the demo runner's own for the
// infrastructure): the same small REST shape, `PUT /faults/<name>` with the settings as JSON,
// `DELETE /faults/<name>`, `DELETE /faults`, every call with the bearer token.

export class AdminCallError extends Error {
  readonly code = 'CHAOS_ADMIN_CALL_FAILED';
}

export class AdminClient {
  readonly baseUrl: string;
  private readonly token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  set(fault: string, settings: object = {}): Promise<unknown> {
    return this.call('PUT', `/faults/${encodeURIComponent(fault)}`, settings);
  }

  /** `service`: for the runner's per-service faults (database.*), that service's only. */
  clear(fault: string, service?: string): Promise<unknown> {
    const query = service === undefined ? '' : `?service=${encodeURIComponent(service)}`;
    return this.call('DELETE', `/faults/${encodeURIComponent(fault)}${query}`);
  }

  clearAll(): Promise<unknown> {
    return this.call('DELETE', '/faults');
  }

  active(): Promise<{ faults: Array<{ name: string; settings: object; since: string }> }> {
    return this.call('GET', '/faults') as Promise<{ faults: Array<{ name: string; settings: object; since: string }> }>;
  }

  private async call(method: string, path: string, body?: object): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      throw new AdminCallError(`${method} ${this.baseUrl}${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new AdminCallError(`${method} ${this.baseUrl}${path}: HTTP ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
