// What every chaos admin API shares over HTTP (each service's, and the demo runner's own for
// the infrastructure): the bearer-token check, the bounded JSON body, the JSON answer.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 4096;

/** Compares digests, so the comparison takes the same time whatever the length or prefix guessed. */
export function authorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

/** A malformed %-escape stays as it is, and is then refused as an unknown fault (a 400, not a 500). */
export function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The settings body (undefined when empty); `invalid` makes the error a 400 names. */
export async function readJsonBody(req: IncomingMessage, invalid: (message: string) => Error): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw invalid(`the settings body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('the settings body is not valid JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The answer to a call without the right token (the caller logs it: each API says who in its own way). */
export function refuseUnauthorized(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer realm="hopscope-chaos"');
  sendJson(res, 401, { error: { code: 'unauthorized', message: 'a valid Authorization: Bearer <token> is required' } });
}
