// JWT bearer auth with jose (HS256). A token says who the caller is (`sub`); the gateway
// verifies it once per request, before the baggage boundary and the rate limit (both depend
// on who it is), and protected routes then require a verified user.
import { HttpError } from '@hopscope/demo-shared';
import type { RequestHandler } from 'express';
import { SignJWT, errors, jwtVerify } from 'jose';
import type { IncomingMessage } from 'node:http';
import { isDemoUser } from '../domain/users.ts';

export const ISSUER = 'hopscope-gateway';
const ALGORITHM = 'HS256';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** Who a request comes from: a verified user, nobody (no Authorization header), or why the token was refused. */
type Identity = { user: string } | { user?: undefined; refused?: string };

// Keyed by the request object itself, so nothing is added to express's types.
const identities = new WeakMap<IncomingMessage, Identity>();

/** The verified user of a request, if it carried a valid token. */
export function userOf(request: IncomingMessage): string | undefined {
  return identities.get(request)?.user;
}

export class TokenService {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
    this.ttlSeconds = ttlSeconds;
  }

  async issue(user: string): Promise<IssuedToken> {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(user)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds };
  }

  /** The user a token was issued to; throws with a reason a client may read. */
  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: [ALGORITHM] });
      if (!isDemoUser(payload.sub)) throw new Error('the token names no known user');
      return payload.sub;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new Error('the token has expired', { cause: error });
      throw new Error('the token is not valid', { cause: error });
    }
  }

  /** Reads `Authorization: Bearer …` if present; never rejects (requireUser does, where a user is needed). */
  identify(): RequestHandler {
    return async (req, _res, next) => {
      const header = req.headers.authorization;
      if (header === undefined) {
        identities.set(req, {});
        next();
        return;
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) {
        identities.set(req, { refused: 'the Authorization header must be "Bearer <token>"' });
        next();
        return;
      }
      try {
        identities.set(req, { user: await this.verify(match[1]) });
      } catch (error) {
        identities.set(req, { refused: (error as Error).message });
      }
      next();
    };
  }
}

/** For protected routes: 401 with `WWW-Authenticate: Bearer` unless the request carries a valid token. */
export const requireUser: RequestHandler = (req, _res, next) => {
  const identity = identities.get(req);
  if (identity?.user !== undefined) {
    next();
    return;
  }
  const refused = identity?.refused;
  throw new HttpError(
    401,
    'unauthorized',
    refused ?? 'sign in first: POST /auth/token, then send "Authorization: Bearer <token>"',
    undefined,
    {
      'www-authenticate': refused
        ? `Bearer realm="hopscope", error="invalid_token", error_description="${quotedString(refused)}"`
        : 'Bearer realm="hopscope"',
    },
  );
};

/** The verified user of a request behind requireUser. */
export function authenticatedUser(request: IncomingMessage): string {
  const user = userOf(request);
  if (user === undefined) throw new HttpError(401, 'unauthorized', 'sign in first');
  return user;
}

/** The text of an HTTP quoted-string (RFC 9110): backslash and double quote escaped. */
function quotedString(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`);
}
