// The settings every demo service shares, and the typed readers each service uses for its
// own (in its app.ts or config.ts): every variable has a default, and a bad value stops the
// service at startup with a message naming the variable. Local mode (npm run demo) and compose
// set the same variables; only the addresses differ.

export class ConfigError extends Error {
  readonly code = 'DEMO_CONFIG_INVALID';
}

export interface DemoConfig {
  /** The service's own name (also its database's suffix). */
  service: string;
  /** Prefix of every database, exchange and queue name, so that tests and the demo share a broker. */
  namespace: string;
  host: string;
  port: number;
  /** The PostgreSQL server; each service uses its own database on it. */
  databaseUrl: string;
  amqpUrl: string;
  /** The chaos admin API (fault knobs); undefined = off, which is the default. */
  chaos: ChaosConfig | undefined;
}

export interface ChaosConfig {
  host: string;
  port: number;
  token: string;
}

type Env = Record<string, string | undefined>;

const NAMESPACE = /^[a-z][a-z0-9_]{0,30}$/;

export function readDemoConfig(service: string, env: Env = process.env): DemoConfig {
  const namespace = env['HOPSCOPE_DEMO_NAMESPACE'] ?? 'shop';
  if (!NAMESPACE.test(namespace)) {
    throw new ConfigError(`HOPSCOPE_DEMO_NAMESPACE=${JSON.stringify(namespace)}: must match ${String(NAMESPACE)}`);
  }
  return {
    service,
    namespace,
    host: env['HOST'] ?? '0.0.0.0',
    port: readPort(env, 'PORT', 8080),
    databaseUrl: readUrl(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres', [
      'postgres:',
      'postgresql:',
    ]),
    amqpUrl: readUrl(env, 'AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', ['amqp:', 'amqps:']),
    chaos: readChaosConfig(env),
  };
}

const MIN_CHAOS_TOKEN_LENGTH = 16;

/**
 * The chaos admin API is off unless HOPSCOPE_CHAOS_TOKEN is set: a service must never be
 * breakable by whoever reaches a port. A token without a port is a mistake worth stopping for
 * (the user meant to turn it on); a port without a token leaves it off.
 */
export function readChaosConfig(env: Env = process.env): ChaosConfig | undefined {
  const token = env['HOPSCOPE_CHAOS_TOKEN'];
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_CHAOS_TOKEN_LENGTH) {
    throw new ConfigError(`HOPSCOPE_CHAOS_TOKEN: must be at least ${MIN_CHAOS_TOKEN_LENGTH} characters`);
  }
  if (env['HOPSCOPE_CHAOS_PORT'] === undefined || env['HOPSCOPE_CHAOS_PORT'] === '') {
    throw new ConfigError('HOPSCOPE_CHAOS_PORT is not set: the chaos admin API needs its own port (0-65535)');
  }
  const host = env['HOPSCOPE_CHAOS_HOST'] || '127.0.0.1';
  return { host, port: readPort(env, 'HOPSCOPE_CHAOS_PORT', 0), token };
}

export function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)}: must be a port number, 0-65535`);
  }
  return port;
}

function readUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}: not a URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name}: must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/**
 * The base URLs of another service: `<NAME>_URL`, one URL or several separated by commas
 * (several instances are balanced round-robin). Compose sets one name that its DNS resolves;
 * local mode lists the instances.
 */
export function readUpstreamUrls(upstream: string, env: Env = process.env): string[] {
  const name = `${upstream.toUpperCase().replaceAll('-', '_')}_URL`;
  const raw = env[name];
  if (!raw) throw new ConfigError(`${name} is not set: the base URL(s) of ${upstream}, comma-separated`);
  const urls = raw.split(',').map((u) => u.trim().replace(/\/+$/, ''));
  for (const url of urls) {
    if (!/^https?:\/\/[^/\s]+$/.test(url)) {
      throw new ConfigError(`${name}: ${JSON.stringify(url)} is not an http(s)://host:port base URL`);
    }
  }
  return urls;
}

/** A number variable within bounds, with a default. */
export function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)}: must be a number from ${min} to ${max}`);
  }
  return value;
}
