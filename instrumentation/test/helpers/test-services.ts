// Where the package's tests and the bench find the RabbitMQ and PostgreSQL they run against:
// the local servers `.ci/run` starts, unless the usual variables point elsewhere — AMQP_URL for
// the broker; DATABASE_URL, or libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE for the
// database. The only module that names these addresses: child processes (fixture services,
// bench apps) get them through SERVICES_ENV, as a deployed service gets its own.
const env = process.env;

/** e.g. `amqp://guest:guest@127.0.0.1:5672`; a vhost in the path is kept. */
export const AMQP_URL = env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** e.g. `postgres://postgres@127.0.0.1:5432/postgres`: where the tests create their tables. */
export const DATABASE_URL = env['DATABASE_URL'] ?? databaseUrlFromLibpqVariables();

/** The variables a fixture service or bench app reads its broker and database from. */
export const SERVICES_ENV: Readonly<Record<'AMQP_URL' | 'DATABASE_URL', string>> = { AMQP_URL, DATABASE_URL };

const broker = new URL(AMQP_URL);

/** The broker's host and port, for a TCP proxy put in front of it. */
export const BROKER_ADDRESS = { host: broker.hostname, port: Number(broker.port || 5672) };

/** AMQP_URL with its host and port replaced by a proxy's: same credentials, same vhost. */
export function amqpUrlVia(port: number, host = '127.0.0.1'): string {
  const url = new URL(AMQP_URL);
  url.hostname = host;
  url.port = String(port);
  return url.href;
}

function databaseUrlFromLibpqVariables(): string {
  const user = encodeURIComponent(env['PGUSER'] ?? 'postgres');
  const password = env['PGPASSWORD'] ? `:${encodeURIComponent(env['PGPASSWORD'])}` : '';
  const host = env['PGHOST'] ?? '127.0.0.1';
  // A socket directory (PGHOST=/var/run/postgresql) is written percent-encoded in the host part.
  const hostPart = host.startsWith('/') ? encodeURIComponent(host) : host;
  const port = env['PGPORT'] ?? '5432';
  return `postgres://${user}${password}@${hostPart}:${port}/${encodeURIComponent(env['PGDATABASE'] ?? 'postgres')}`;
}
