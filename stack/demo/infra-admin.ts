// The infra admin API: the demo runner's own chaos knobs (infra-fault-catalog.ts), with the same
// shape and rules as each service's admin API (demo-services/shared/src/chaos/admin-server.ts):
// loopback only, every call needs the bearer token, a refused call changes nothing, and every
// change is logged with who (the remote address), what and when.
//   GET /faults                        the active faults
//   PUT /faults/<name>                 turn one on (JSON settings), or change its settings
//   DELETE /faults/<name>[?service=x]  turn one off (for every service, or for one)
//   DELETE /faults                     turn all off
import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { HOST } from '../ports.ts';
import {
  INFRA_FAULT_NAMES,
  InfraFaultError,
  infraFaultName,
  parseInfraFault,
  serviceName,
} from './infra-fault-catalog.ts';
import type { InfraFaults } from './infra-faults.ts';

export interface InfraAdminOptions {
  faults: InfraFaults;
  token: string;
  port: number;
  say: (line: string) => void;
}

export interface InfraAdmin {
  url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;

export async function startInfraAdmin(options: InfraAdminOptions): Promise<InfraAdmin> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.say(`chaos: infra admin request ${req.method} ${req.url} failed: ${message}`);
      if (!res.headersSent) send(res, 500, { error: { code: 'internal', message } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`the infra admin API's port ${HOST}:${options.port} is in use (another demo running?)`)
          : error,
      ),
    );
    server.listen(options.port, HOST, resolve);
  });
  return {
    url: `http://${HOST}:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(options: InfraAdminOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { faults, say } = options;
  const who = req.socket.remoteAddress;
  if (!authorized(req.headers.authorization, options.token)) {
    // Logged too: someone reaching the port without the token is worth knowing about.
    say(`chaos: infra admin call refused (no valid token): ${req.method} ${req.url} from ${who}`);
    res.setHeader('www-authenticate', 'Bearer realm="hopscope-chaos"');
    send(res, 401, { error: { code: 'unauthorized', message: 'a valid Authorization: Bearer <token> is required' } });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://admin');
  const path = url.pathname.replace(/\/+$/, '');
  const named = /^\/faults\/([^/]+)$/.exec(path);
  const state = () => ({ faults: faults.list(), known: INFRA_FAULT_NAMES });
  const logCleared = (cleared: Awaited<ReturnType<InfraFaults['clearAll']>>) => {
    for (const fault of cleared) {
      say(
        `chaos: ${who} cleared infra fault ${fault.name} ${JSON.stringify(fault.settings)} at ${new Date().toISOString()}`,
      );
    }
  };

  if (path === '/faults' && req.method === 'GET') {
    send(res, 200, state());
  } else if (path === '/faults' && req.method === 'DELETE') {
    logCleared(await faults.clearAll());
    send(res, 200, state());
  } else if (named && (req.method === 'PUT' || req.method === 'DELETE')) {
    try {
      const name = decodeName(named[1] ?? '');
      if (req.method === 'DELETE') {
        const fault = infraFaultName(name);
        const service = url.searchParams.get('service');
        logCleared(await faults.clear(fault, service === null ? undefined : serviceName(fault, service)));
        send(res, 200, state());
        return;
      }
      const { name: fault, settings } = parseInfraFault(name, await readJson(req));
      const { fault: active, killed } = await faults.set(fault, settings);
      const what = killed ? ` (killed ${killed.map((k) => `${k.instance} pid ${k.pid}`).join(', ') || 'none'})` : '';
      say(`chaos: ${who} set infra fault ${fault} ${JSON.stringify(settings)} at ${active.since}${what}`);
      send(res, 200, { fault: active, ...(killed ? { killed } : {}), ...state() });
    } catch (error) {
      if (!(error instanceof InfraFaultError)) throw error;
      send(res, 400, { error: { code: error.code, message: error.message, field: error.field } });
    }
  } else if (path === '/faults' || named) {
    res.setHeader('allow', named ? 'PUT, DELETE' : 'GET, DELETE');
    send(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} ${path} is not supported` } });
  } else {
    send(res, 404, { error: { code: 'not_found', message: 'the infra admin API serves /faults and /faults/<name>' } });
  }
}

/** A malformed %-escape stays as it is, and is then refused as an unknown fault (a 400, not a 500). */
function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Compares digests, so the comparison takes the same time whatever the length or prefix guessed. */
function authorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new InfraFaultError('body', `the settings body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InfraFaultError('body', 'the settings body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
