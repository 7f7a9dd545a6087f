// The infra admin API: the demo runner's own chaos knobs (infra-fault-catalog.ts), with the same
// shape and rules as each service's admin API (demo-services/shared/src/chaos/admin-server.ts):
// loopback only, every call needs the bearer token, a refused call changes nothing, and every
// change is logged with who (the remote address), what and when.
//   GET /faults                        the active faults
//   PUT /faults/<name>                 turn one on (JSON settings), or change its settings
//   DELETE /faults/<name>[?service=x]  turn one off (for every service, or for one)
//   DELETE /faults                     turn all off
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import {
  authorized,
  decodeName,
  readJsonBody,
  refuseUnauthorized,
  sendJson,
} from '@hopscope/demo-shared/chaos-admin-http';
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

export async function startInfraAdmin(options: InfraAdminOptions): Promise<InfraAdmin> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.say(`chaos: infra admin request ${req.method} ${req.url} failed: ${message}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message } });
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
    refuseUnauthorized(res);
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
    sendJson(res, 200, state());
  } else if (path === '/faults' && req.method === 'DELETE') {
    logCleared(await faults.clearAll());
    sendJson(res, 200, state());
  } else if (named && (req.method === 'PUT' || req.method === 'DELETE')) {
    try {
      const name = decodeName(named[1] ?? '');
      if (req.method === 'DELETE') {
        const fault = infraFaultName(name);
        const service = url.searchParams.get('service');
        logCleared(await faults.clear(fault, service === null ? undefined : serviceName(fault, service)));
        sendJson(res, 200, state());
        return;
      }
      const { name: fault, settings } = parseInfraFault(
        name,
        await readJsonBody(req, (message) => new InfraFaultError('body', message)),
      );
      const { fault: active, killed } = await faults.set(fault, settings);
      const what = killed ? ` (killed ${killed.map((k) => `${k.instance} pid ${k.pid}`).join(', ') || 'none'})` : '';
      say(`chaos: ${who} set infra fault ${fault} ${JSON.stringify(settings)} at ${active.since}${what}`);
      sendJson(res, 200, { fault: active, ...(killed ? { killed } : {}), ...state() });
    } catch (error) {
      if (!(error instanceof InfraFaultError)) throw error;
      sendJson(res, 400, { error: { code: error.code, message: error.message, field: error.field } });
    }
  } else if (path === '/faults' || named) {
    res.setHeader('allow', named ? 'PUT, DELETE' : 'GET, DELETE');
    sendJson(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} ${path} is not supported` } });
  } else {
    sendJson(res, 404, {
      error: { code: 'not_found', message: 'the infra admin API serves /faults and /faults/<name>' },
    });
  }
}
