// The chaos admin API: a small HTTP server of its own, on a separate port bound to loopback
// by default, so the service's public port never exposes it and a firewall rule can keep it
// internal. Every call needs the bearer token; a refused call changes nothing. Every change
// is logged with who (the remote address), what and when, so a run can be reconstructed.
//   GET /faults            the active faults
//   PUT /faults/<name>     turn one on (JSON settings; see faults.ts), or change its settings
//                          (a knob of another service, e.g. bank.timeout on payments: 400)
//   DELETE /faults/<name>  turn one off
//   DELETE /faults         turn all off
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../log.ts';
import { authorized, decodeName, readJsonBody, refuseUnauthorized, sendJson } from './admin-http.ts';
import type { FaultBoard } from './fault-board.ts';
import { FaultError } from './faults.ts';

export interface ChaosAdminOptions {
  board: FaultBoard;
  token: string;
  host: string;
  port: number;
  log: Log;
  /** What the crash fault does once its reply is sent. @default process.exit(1) */
  crash?: () => void;
}

export interface ChaosAdmin {
  url: string;
  stop(): Promise<void>;
}

export async function startChaosAdmin(options: ChaosAdminOptions): Promise<ChaosAdmin> {
  const server: Server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      options.log.error({ err: error }, 'chaos admin request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  server.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  options.log.info({ host: options.host, port }, 'chaos admin API listening');
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(options: ChaosAdminOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { board, log } = options;
  if (!authorized(req.headers.authorization, options.token)) {
    // Logged too: someone reaching the port without the token is worth knowing about.
    log.warn({ who: req.socket.remoteAddress, method: req.method, path: req.url }, 'chaos admin call refused');
    refuseUnauthorized(res);
    return;
  }
  const who = req.socket.remoteAddress;
  const path = new URL(req.url ?? '/', 'http://admin').pathname.replace(/\/+$/, '');
  const named = /^\/faults\/([^/]+)$/.exec(path);
  const state = () => ({ faults: board.active(), known: board.catalog.names });

  if (path === '/faults' && req.method === 'GET') {
    sendJson(res, 200, state());
  } else if (path === '/faults' && req.method === 'DELETE') {
    for (const fault of board.active()) {
      board.clear(fault.name);
      log.info({ who, fault: fault.name, at: new Date().toISOString() }, 'chaos fault cleared');
    }
    sendJson(res, 200, state());
  } else if (named && (req.method === 'PUT' || req.method === 'DELETE')) {
    const name = decodeName(named[1] ?? '');
    try {
      if (req.method === 'DELETE') {
        const fault = board.catalog.faultName(name);
        // Clearing a fault that is off is fine (scripts clear blindly), but it is no change to log.
        if (board.clear(fault)) log.info({ who, fault, at: new Date().toISOString() }, 'chaos fault cleared');
        sendJson(res, 200, state());
        return;
      }
      const { name: fault, settings } = board.catalog.parse(
        name,
        await readJsonBody(req, (message) => new FaultError('body', message)),
      );
      const active = board.set(fault, settings);
      log.info({ who, fault, settings, at: active.since }, 'chaos fault set');
      if (fault === 'crash') {
        // Answer first, so the caller knows it took, then die as a crash would: no shutdown.
        res.once('finish', () => setImmediate(options.crash ?? (() => process.exit(1))));
      }
      sendJson(res, 200, { fault: active, ...state() });
    } catch (error) {
      if (!(error instanceof FaultError)) throw error;
      sendJson(res, 400, { error: { code: error.code, message: error.message, field: error.field } });
    }
  } else if (path === '/faults' || named) {
    res.setHeader('allow', named ? 'PUT, DELETE' : 'GET, DELETE');
    sendJson(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} ${path} is not supported` } });
  } else {
    sendJson(res, 404, {
      error: { code: 'not_found', message: 'the chaos admin API serves /faults and /faults/<name>' },
    });
  }
}
