// A kept-alive connection between requests: Node arms its idle timer as each response finishes,
// inside the request's context. The timer must not keep the request's SERVER span in memory
// (under load, one span per connection survived every garbage collection), and the connection
// must still close when the server's keep-alive timeout says so.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, get } from 'node:http';
import { type Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { ServiceProcess } from './helpers/service-process.ts';

// Node's Date header cache resets itself with a timer made in whichever request needed it first
// that second: it keeps that one request's context, for under a second.
const DATE_CACHE_MS = 1_000;
const CONNECTIONS = 10;
const SHORT_KEEP_ALIVE_MS = 300;

/** The fixture with the given keep-alive timeout; its base URL. */
async function startService(keepAliveTimeoutMs: number): Promise<{ service: ServiceProcess; baseUrl: string }> {
  const service = new ServiceProcess('kept-alive-server.mjs', {
    OTEL_SERVICE_NAME: 'kept-alive',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    KEEP_ALIVE_TIMEOUT_MS: String(keepAliveTimeoutMs),
  });
  return { service, baseUrl: await service.baseUrl() };
}

let services: Array<{ service: ServiceProcess; baseUrl: string }>;

before(async () => {
  services = await Promise.all([startService(30_000), startService(SHORT_KEEP_ALIVE_MS)]);
});

after(() => Promise.all(services.map(({ service }) => service.stop())));

/** GET `url` through `agent`; the body and the socket it came on. */
function getText(url: string, agent: Agent | false): Promise<{ body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      const socket = response.socket; // an agent takes it back at the end
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, socket }));
    }).on('error', reject);
  });
}

test('an idle kept-alive connection does not keep its last request’s SERVER span in memory', async () => {
  const { baseUrl } = services[0];
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const answers = await Promise.all(Array.from({ length: CONNECTIONS }, () => getText(`${baseUrl}/span`, agent)));
    assert.equal(new Set(answers.map((answer) => answer.socket)).size, CONNECTIONS, 'one request per connection');
    await sleep(DATE_CACHE_MS + 100);
    // The connections stay open and idle; the question comes on a connection of its own.
    const { body } = await getText(`${baseUrl}/alive`, false);
    assert.deepEqual(JSON.parse(body), { noted: CONNECTIONS, alive: 0 });
    assert.equal(answers.filter((answer) => !answer.socket.destroyed).length, CONNECTIONS, 'still open');
  } finally {
    agent.destroy();
  }
});

test('the server still closes an idle kept-alive connection after its keep-alive timeout', async () => {
  // A bare socket: an http.Agent would close first, on the Keep-Alive header's whole seconds.
  const socket = connect(Number(new URL(services[1].baseUrl).port), '127.0.0.1');
  try {
    socket.write('GET /span HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [answer] = (await once(socket, 'data')) as [Buffer];
    assert.match(answer.toString(), /^HTTP\/1\.1 200 OK\r\n[^]*Connection: keep-alive/);
    const answered = Date.now();
    await once(socket, 'close');
    const idleMs = Date.now() - answered;
    // Node adds a buffer of its own to the advertised timeout (1 s by default on Node 24).
    assert.ok(idleMs >= SHORT_KEEP_ALIVE_MS - 50, `closed after ${idleMs} ms`);
    assert.ok(idleMs < SHORT_KEEP_ALIVE_MS + 3_000, `closed after ${idleMs} ms`);
  } finally {
    socket.destroy();
  }
});
