// The load generator's settings, all from the environment, all bounded: a demo's load must not
// be able to turn into a flood, nor (in local mode) leave the machine.

export class LoadConfigError extends Error {
  readonly code = 'LOAD_CONFIG_INVALID';
}

export interface LoadConfig {
  /** The gateway's base URL, without a trailing slash. */
  gatewayUrl: string;
  /** Iterations started per second, whatever the responses' latency (an open model). */
  ratePerSecond: number;
  durationMs: number;
  /** Iterations in flight at most; one due while this many are running is dropped and counted. */
  maxInFlight: number;
  /** Per request. */
  requestTimeoutMs: number;
  /** How long to keep retrying the first sign-in while the gateway is not reachable. */
  connectTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

export const MAX_RATE_PER_SECOND = 100;
export const MAX_DURATION_MS = 24 * 3600_000;

export function readLoadConfig(env: Env): LoadConfig {
  const gatewayUrl = readGatewayUrl(env);
  return {
    gatewayUrl,
    ratePerSecond: readBounded(env, 'LOAD_RATE', 2, 0.1, MAX_RATE_PER_SECOND),
    durationMs: readDuration(env, 'LOAD_DURATION', '5m'),
    maxInFlight: readBounded(env, 'LOAD_MAX_IN_FLIGHT', 50, 1, 1000),
    requestTimeoutMs: readBounded(env, 'LOAD_REQUEST_TIMEOUT_MS', 10_000, 100, 120_000),
    connectTimeoutMs: readBounded(env, 'LOAD_CONNECT_TIMEOUT_MS', 10_000, 0, 600_000),
  };
}

function readGatewayUrl(env: Env): string {
  const raw = env['GATEWAY_URL'] || 'http://127.0.0.1:28080';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LoadConfigError(`GATEWAY_URL=${JSON.stringify(raw)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LoadConfigError(`GATEWAY_URL=${JSON.stringify(raw)}: must be http:// or https://`);
  }
  // Local mode targets this machine only; compose sets LOAD_ALLOW_REMOTE=1 for its `gateway` host.
  if (!isLoopback(url.hostname) && env['LOAD_ALLOW_REMOTE'] !== '1') {
    throw new LoadConfigError(
      `GATEWAY_URL=${JSON.stringify(raw)}: not a loopback address; set LOAD_ALLOW_REMOTE=1 to load another host`,
    );
  }
  return raw.replace(/\/+$/, '');
}

export function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127(\.\d{1,3}){3}$/.test(hostname);
}

function readBounded(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new LoadConfigError(`${name}=${JSON.stringify(raw)}: must be a number from ${min} to ${max}`);
  }
  return value;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000 };

/** `90s`, `5m`, `1h` (k6's and Go's notation for the common cases). */
function readDuration(env: Env, name: string, fallback: string): number {
  const raw = env[name] || fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
  if (!(ms > 0 && ms <= MAX_DURATION_MS)) {
    throw new LoadConfigError(`${name}=${JSON.stringify(raw)}: must be a duration such as 90s, 5m or 1h, at most 24h`);
  }
  return ms;
}
