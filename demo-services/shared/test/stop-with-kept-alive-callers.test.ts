// A stopping service must not be kept alive by its callers: a client that keeps one kept-alive
// connection busy (the payments refund retrier calling the bank every few seconds) once kept a
// stopping bank serving on it, slowly, and its stop waiting, for as long as it kept calling.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import express from 'express';
import { type ServiceDefinition, startService } from '../src/index.ts';
import { dropNamespace, testEnv, uniqueNamespace } from '../src/testing.ts';

const ns = uniqueNamespace();
after(() => dropNamespace(ns));

const slow: ServiceDefinition = {
  name: 'probe',
  migrations: [],
  usesBroker: false,
  build() {
    const routes = express.Router();
    routes.get('/slow', async (_req, res) => {
      await sleep(300);
      res.json({ ok: true });
    });
    return { routes };
  },
};

function get(url: string, agent: Agent): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    })
      .on('error', reject)
      .end();
  });
}

test('stop ends a kept-alive connection once its answer is sent, however often the caller sends on it', async () => {
  const service = await startService(slow, testEnv(ns));
  await service.ready;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const inFlight = get(`${service.url}/slow`, agent);
    await sleep(50);
    const stopped = service.stop();
    const first = await inFlight;
    assert.equal(first.status, 200, 'the call under way is answered');
    // The caller goes on calling on its pooled connection, every 200 ms (under the 5 s keep-alive).
    const answers: string[] = [];
    const caller = (async () => {
      for (let i = 0; i < 10; i++) {
        const reply = await get(`${service.url}/slow`, agent).then(
          (r) => `${r.status} ${r.connection ?? ''}`.trim(),
          (error: NodeJS.ErrnoException) => error.code ?? 'error',
        );
        answers.push(reply);
        if (reply === 'ECONNREFUSED') break;
        await sleep(200);
      }
    })();
    const started = Date.now();
    await stopped;
    const tookMs = Date.now() - started;
    await caller;
    assert.ok(tookMs < 2000, `stop took ${tookMs} ms while the caller kept calling: ${answers.join(', ')}`);
    assert.equal(answers.at(-1), 'ECONNREFUSED', `the caller ends up refused: ${answers.join(', ')}`);
  } finally {
    agent.destroy();
  }
});
