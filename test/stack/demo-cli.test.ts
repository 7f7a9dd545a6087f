// npm run demo:up / demo:down as a user runs them (the CLI itself, on a machine whose backends
// are built): every service ready and the endpoints written within a minute; down leaves no
// process of the demo behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { dropNamespace, uniqueNamespace } from '@hopscope/demo-shared/testing';
import { DEMO_DIR } from '../../stack/demo/system.ts';
import { REPO_ROOT } from '../../stack/paths.ts';
import { alive } from '../../stack/runner.ts';

const run = promisify(execFile);
const namespace = uniqueNamespace();
const cli = (...args: string[]) =>
  run(process.execPath, [join(REPO_ROOT, 'stack/demo-cli.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOPSCOPE_DEMO_NAMESPACE: namespace },
    timeout: 180_000,
  });

after(async () => {
  await cli('down').catch(() => undefined);
  await dropNamespace(namespace);
});

test('demo:up is ready within 60 s with every endpoint written; demo:down leaves no process behind', async (t) => {
  const started = Date.now();
  const up = await cli('up', '--no-load');
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(`demo:up ready in ${seconds.toFixed(1)} s`);
  assert.match(up.stdout, /demo up/);
  assert.ok(seconds < 60, `ready in ${seconds} s`);

  const endpoints = JSON.parse(readFileSync(join(DEMO_DIR, 'endpoints.json'), 'utf8')) as {
    gateway: string;
    jaeger: string;
    prometheus: string;
    loki: string;
    services: Record<string, string>;
  };
  for (const name of [
    'gateway',
    'orders',
    'inventory',
    'payments',
    'bank',
    'shipping',
    'notifications',
    'order-view',
  ]) {
    const response = await fetch(`${endpoints.services[name]}/readyz`);
    assert.equal(response.status, 200, `${name} is ready`);
  }
  for (const url of [
    `${endpoints.jaeger}/api/services`,
    `${endpoints.prometheus}/-/ready`,
    `${endpoints.loki}/ready`,
  ]) {
    assert.equal((await fetch(url)).status, 200, url);
  }
  const products = await fetch(`${endpoints.gateway}/api/products`);
  assert.equal(products.status, 200);

  const pids = Object.values(JSON.parse(readFileSync(join(DEMO_DIR, 'pids.json'), 'utf8')) as Record<string, number>);
  const runner = Number(readFileSync(join(DEMO_DIR, 'runner.pid'), 'utf8'));
  assert.ok(pids.length >= 13, `${pids.length} processes recorded (9 service instances, 4 backends)`);

  await cli('down');
  const left = [runner, ...pids].filter(alive);
  assert.deepEqual(left, [], 'no process of the demo is left');
  assert.equal(existsSync(join(DEMO_DIR, 'endpoints.json')), false, 'the endpoints file is gone');
});
