// The gateway's own settings, read once from the environment (the frame reads the common
// ones: port, namespace, database). A bad value stops the gateway at startup, naming the variable.
import { ConfigError, Upstream, readNumber } from '@hopscope/demo-shared';

type Env = Record<string, string | undefined>;

/**
 * The signing secret when GATEWAY_JWT_SECRET is not set. A development default, public in this
 * repository: anyone can mint tokens with it. Fine for the demo on loopback; set your own elsewhere.
 */
export const DEV_JWT_SECRET = 'hopscope-demo-gateway-dev-secret-not-for-production';

export interface ResilienceSettings {
  /** Per attempt. @default 3000 */
  timeoutMs: number;
  /** Retries after the first attempt, on network errors, 502/503/504 and timeouts. @default 2 */
  maxRetries: number;
  /** Consecutive failed calls that open an upstream's breaker. @default 5 */
  breakerFailures: number;
  /** How long an open breaker rejects before letting a test call through. @default 5000 */
  breakerHalfOpenAfterMs: number;
  /** Calls in flight per upstream… @default 32 */
  bulkheadSlots: number;
  /** …and waiting behind them; beyond that a call is rejected (503). @default 64 */
  bulkheadQueue: number;
}

export interface GatewayConfig {
  jwtSecret: string;
  /** @default 3600 */
  tokenTtlSeconds: number;
  /** Requests per minute per user (or per client IP before sign-in). @default 600 */
  rateLimitPerMinute: number;
  /** The load generator's own, higher limit. @default 6000 */
  syntheticRateLimitPerMinute: number;
  /** How long the product catalog (for SKU checks and BFF names) is reused. @default 5000 */
  catalogTtlMs: number;
  resilience: ResilienceSettings;
  upstreams: { orders: Upstream; orderView: Upstream; inventory: Upstream; shipping: Upstream };
}

export function readGatewayConfig(env: Env): GatewayConfig {
  const jwtSecret = env['GATEWAY_JWT_SECRET'] || DEV_JWT_SECRET;
  // HS256 with a short secret can be brute-forced offline from any token.
  if (jwtSecret.length < 32) throw new ConfigError('GATEWAY_JWT_SECRET: must be at least 32 characters');
  return {
    jwtSecret,
    tokenTtlSeconds: readNumber(env, 'GATEWAY_TOKEN_TTL_SECONDS', 3600, 1, 7 * 24 * 3600),
    rateLimitPerMinute: readNumber(env, 'GATEWAY_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    syntheticRateLimitPerMinute: readNumber(env, 'GATEWAY_SYNTHETIC_RATE_LIMIT_PER_MINUTE', 6000, 1, 1_000_000),
    catalogTtlMs: readNumber(env, 'GATEWAY_CATALOG_TTL_MS', 5000, 0, 3_600_000),
    resilience: {
      timeoutMs: readNumber(env, 'GATEWAY_UPSTREAM_TIMEOUT_MS', 3000, 10, 60_000),
      maxRetries: readNumber(env, 'GATEWAY_UPSTREAM_RETRIES', 2, 0, 10),
      breakerFailures: readNumber(env, 'GATEWAY_BREAKER_FAILURES', 5, 1, 1000),
      breakerHalfOpenAfterMs: readNumber(env, 'GATEWAY_BREAKER_HALF_OPEN_AFTER_MS', 5000, 100, 600_000),
      bulkheadSlots: readNumber(env, 'GATEWAY_BULKHEAD_SLOTS', 32, 1, 10_000),
      bulkheadQueue: readNumber(env, 'GATEWAY_BULKHEAD_QUEUE', 64, 0, 100_000),
    },
    upstreams: {
      orders: Upstream.fromEnv('orders', env),
      orderView: Upstream.fromEnv('order-view', env),
      inventory: Upstream.fromEnv('inventory', env),
      shipping: Upstream.fromEnv('shipping', env),
    },
  };
}
