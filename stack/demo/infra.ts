// The two servers the demo needs from the machine, RabbitMQ and PostgreSQL: started when they
// are down (with the same commands .ci/run uses), and RabbitMQ's own Prometheus endpoint
// enabled BEFORE any demo queue is declared (queues declared earlier never report per-queue
// metrics on it).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { portInUse } from '../runner.ts';

const run = promisify(execFile);

export const RABBITMQ_PORT = 5672;
export const POSTGRES_PORT = 5432;
/** rabbitmq_prometheus: /metrics (aggregated) and /metrics/per-object (per queue). */
export const RABBITMQ_PROMETHEUS_PORT = 15692;

async function waitForPort(what: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portInUse(port))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function ensureRabbitMq(log: (line: string) => void): Promise<void> {
  if (!(await portInUse(RABBITMQ_PORT))) {
    log('starting RabbitMQ (rabbitmq-server -detached)');
    await run('rabbitmq-server', ['-detached']);
    await waitForPort('RabbitMQ', RABBITMQ_PORT, 90_000);
  }
  if (!(await portInUse(RABBITMQ_PROMETHEUS_PORT))) {
    log('enabling RabbitMQ metrics (rabbitmq-plugins enable rabbitmq_prometheus)');
    await run('rabbitmq-plugins', ['enable', 'rabbitmq_prometheus'], { timeout: 120_000 });
    await waitForPort('rabbitmq_prometheus', RABBITMQ_PROMETHEUS_PORT, 30_000);
  }
}

export async function ensurePostgres(log: (line: string) => void): Promise<void> {
  if (await portInUse(POSTGRES_PORT)) return;
  const [version] = readdirSync('/etc/postgresql');
  if (!version) throw new Error('PostgreSQL is down and no cluster is installed in /etc/postgresql');
  log(`starting PostgreSQL ${version} (pg_ctlcluster)`);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  await waitForPort('PostgreSQL', POSTGRES_PORT, 60_000);
}
