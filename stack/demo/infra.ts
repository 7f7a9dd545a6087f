// The two servers the demo needs from the machine, RabbitMQ and PostgreSQL: started when they
// are down (with the same commands .ci/run uses), and RabbitMQ's own Prometheus endpoint
// enabled BEFORE any demo queue is declared (queues declared earlier never report per-queue
// metrics on it).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const RABBITMQ_PORT = 5672;
export const POSTGRES_PORT = 5432;
/** rabbitmq_prometheus: /metrics (aggregated) and /metrics/per-object (per queue). */
export const RABBITMQ_PROMETHEUS_PORT = 15692;

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function waitForPort(what: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function ensureRabbitMq(log: (line: string) => void): Promise<void> {
  if (!(await portOpen(RABBITMQ_PORT))) {
    log('starting RabbitMQ (rabbitmq-server -detached)');
    await run('rabbitmq-server', ['-detached']);
    await waitForPort('RabbitMQ', RABBITMQ_PORT, 90_000);
  }
  if (!(await portOpen(RABBITMQ_PROMETHEUS_PORT))) {
    log('enabling RabbitMQ metrics (rabbitmq-plugins enable rabbitmq_prometheus)');
    await run('rabbitmq-plugins', ['enable', 'rabbitmq_prometheus'], { timeout: 120_000 });
    await waitForPort('rabbitmq_prometheus', RABBITMQ_PROMETHEUS_PORT, 30_000);
  }
}

export async function ensurePostgres(log: (line: string) => void): Promise<void> {
  if (await portOpen(POSTGRES_PORT)) return;
  const [version] = readdirSync('/etc/postgresql');
  if (!version) throw new Error('PostgreSQL is down and no cluster is installed in /etc/postgresql');
  log(`starting PostgreSQL ${version} (pg_ctlcluster)`);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  await waitForPort('PostgreSQL', POSTGRES_PORT, 60_000);
}
