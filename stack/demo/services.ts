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
