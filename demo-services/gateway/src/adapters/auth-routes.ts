import { HttpError, type Log, validate } from '@hopscope/demo-shared';
import express, { type Router } from 'express';
import { z } from 'zod';
import { isDemoUser } from '../domain/users.ts';
import type { TokenService } from './auth.ts';

const tokenRequest = z.strictObject({ username: z.string().min(1).max(64) });

export function authRoutes(tokens: TokenService, log: Log): Router {
  const router = express.Router();

  router.post('/auth/token', express.json({ limit: '1kb' }), async (req, res) => {
    const { username } = validate(tokenRequest, req.body, 'token request');
    if (!isDemoUser(username)) {
      log.info({ username }, 'token refused: not a demo user');
      throw new HttpError(401, 'unknown_user', `${JSON.stringify(username)} is not a demo user`, 'username');
    }
    log.info({ user: username }, 'token issued');
    res.json(await tokens.issue(username));
  });
  return router;
}
