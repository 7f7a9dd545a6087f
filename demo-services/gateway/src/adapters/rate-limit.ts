// A per-client rate limit with express-rate-limit: counted per signed-in user (else per client
// IP), so one noisy client cannot starve the others. The load generator's user has its own,
// higher limit. Over the limit → 429 with Retry-After and the IETF RateLimit headers.
import { sendError } from '@hopscope/demo-shared';
import type { RequestHandler } from 'express';
import { type RateLimitInfo, ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { isSynthetic } from '../domain/users.ts';
import { userOf } from './auth.ts';

export interface RateLimitSettings {
  perMinute: number;
  syntheticPerMinute: number;
}

export function perClientRateLimit(settings: RateLimitSettings): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: (req) => {
      const user = userOf(req);
      return user !== undefined && isSynthetic(user) ? settings.syntheticPerMinute : settings.perMinute;
    },
    keyGenerator: (req) => {
      const user = userOf(req);
      return user !== undefined ? `user:${user}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      const user = userOf(req);
      // express-rate-limit puts the counts on the request (its types do not declare it).
      const { limit } = (req as unknown as { rateLimit: RateLimitInfo }).rateLimit;
      sendError(
        res,
        429,
        'rate_limited',
        `too many requests from ${user ?? 'this address'}: the limit is ${limit} per minute`,
      );
    },
  });
}
