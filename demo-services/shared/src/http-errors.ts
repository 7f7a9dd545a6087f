// One JSON error shape for every demo service: {"error": {"code", "message", "field"?}}.
// Routes throw HttpError (or a ContractError from validation); the error middleware turns
// either into its status and body, and anything else into a 500 that is logged, not leaked.
import type { ErrorRequestHandler, Response } from 'express';
import { ContractError } from './contracts.ts';
import type { Log } from './log.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.headers = headers;
  }
}

export function sendError(res: Response, status: number, code: string, message: string, field?: string): void {
  res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });
}

export function errorMiddleware(log: Log): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      res.set(error.headers);
      sendError(res, error.status, error.code, error.message, error.field);
      return;
    }
    if (error instanceof ContractError) {
      sendError(res, 400, 'invalid_request', error.message, error.field || undefined);
      return;
    }
    // express.json(): malformed JSON (400) or a body over the limit (413).
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.parse.failed') {
      sendError(res, 400, 'malformed_json', 'the request body is not valid JSON');
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, 'bad_request', (error as Error).message);
      return;
    }
    log.error({ err: error }, 'request failed');
    sendError(res, 500, 'internal', 'internal error');
  };
}
