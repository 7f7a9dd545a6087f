// Calls to another service's HTTP API, balanced round-robin over its instances (local mode
// lists them in <NAME>_URL; compose gives one name its DNS resolves). undici's
// instrumentation makes each call a CLIENT span and sends traceparent and baggage.
import { readUpstreamUrls } from './config.ts';

export class Upstream {
  readonly name: string;
  readonly urls: readonly string[];
  private next = 0;

  constructor(name: string, urls: readonly string[]) {
    this.name = name;
    this.urls = urls;
    if (urls.length === 0) throw new TypeError(`${name}: no instance URL`);
  }

  static fromEnv(name: string, env: Record<string, string | undefined> = process.env): Upstream {
    return new Upstream(name, readUpstreamUrls(name, env));
  }

  /** The base URL of the next instance, round-robin. */
  pick(): string {
    const url = this.urls[this.next % this.urls.length];
    this.next = (this.next + 1) % this.urls.length;
    return url;
  }

  /** fetch() against the next instance; `path` starts with '/'. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.pick()}${path}`, init);
  }
}
