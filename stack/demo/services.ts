// The demo's services in local mode, as data: name, loopback port(s) (several = several
// instances, balanced round-robin by whoever calls them), which other services each calls,
// and its own settings. Compose runs the same services with the same variables; only the
// addresses differ (service names there, loopback ports here).
import { HOST } from '../ports.ts';

export interface DemoServiceSpec {
  name: string;
  /** One port per instance. */
  ports: number[];
  /** Services whose base URLs it gets in <NAME>_URL. */
  calls: string[];
  env?: Record<string, string>;
}

export const DEMO_SERVICES: readonly DemoServiceSpec[] = [
  { name: 'bank', ports: [28084], calls: [] },
  { name: 'inventory', ports: [28082], calls: [] },
  { name: 'payments', ports: [28083], calls: ['bank'] },
  { name: 'orders', ports: [28081], calls: [] },
  { name: 'shipping', ports: [28085], calls: [] },
  // Two instances: the gateway balances its reads over them (service discovery by a list).
  { name: 'order-view', ports: [28087, 28097], calls: ['orders'] },
  { name: 'notifications', ports: [28086], calls: ['order-view'] },
  { name: 'gateway', ports: [28080], calls: ['orders', 'order-view', 'inventory', 'shipping'] },
];

export const GATEWAY_URL = `http://${HOST}:28080`;

// Chaos (when the runner has a token): each instance's admin API listens on its port + 1000
// (28084 → 29084); the runner's own infra admin API on 29000. The loopback proxies in front of
// RabbitMQ and PostgreSQL are in the same block: RabbitMQ's own 25672 (its inter-node port) is
// taken on every machine that runs it.
const CHAOS_PORT_OFFSET = 1000;
export const INFRA_ADMIN_PORT = 29000;
export const BROKER_PROXY_PORT = 29672;
const DATABASE_PROXY_BASE_PORT = 29432;

export function chaosPort(port: number): number {
  return port + CHAOS_PORT_OFFSET;
}

/** The port of the proxy in front of PostgreSQL that this service's DATABASE_URL names (chaos on). */
export function databaseProxyPort(name: string): number {
  return DATABASE_PROXY_BASE_PORT + DEMO_SERVICES.indexOf(serviceSpec(name));
}

/** Base URLs of every instance's chaos admin API. */
export function chaosUrls(name: string): string[] {
  return serviceSpec(name).ports.map((port) => `http://${HOST}:${chaosPort(port)}`);
}

export function serviceSpec(name: string): DemoServiceSpec {
  const spec = DEMO_SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`no demo service named ${name}`);
  return spec;
}

/** Base URLs of every instance of a service. */
export function instanceUrls(name: string): string[] {
  return serviceSpec(name).ports.map((port) => `http://${HOST}:${port}`);
}

/** <NAME>_URL for each service `spec` calls: the instance list, comma-separated. */
export function upstreamEnv(spec: DemoServiceSpec): Record<string, string> {
  return Object.fromEntries(
    spec.calls.map((name) => [`${name.toUpperCase().replaceAll('-', '_')}_URL`, instanceUrls(name).join(',')]),
  );
}
