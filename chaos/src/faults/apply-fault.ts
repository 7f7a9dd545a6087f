// A scenario's fault, made real: a service knob on every instance of the service, an
// infrastructure fault through the demo runner, messages put onto a queue, or a storm of
// requests. Each becomes `on()` and, for those that last, `off()`; the runner calls them at
// the scenario's times and always calls `off()` in the end, also when the run fails or is
// interrupted.
import type { DemoEndpoints } from '../demo-endpoints.ts';
import type { Fault } from '../scenario/schema.ts';
import { AdminClient } from './admin-client.ts';
import { injectDuplicate, injectPoison } from './inject-messages.ts';
import { RequestStorm } from './request-storm.ts';

export interface AppliedFault {
  label: string;
  /** False: it happens once (a kill, an injected message) and there is nothing to turn off. */
  lasts: boolean;
  on(): Promise<string | undefined>;
  off(): Promise<void>;
}

type ChaosEndpoints = DemoEndpoints & { chaos: NonNullable<DemoEndpoints['chaos']> };

export function applyFault(fault: Fault, endpoints: ChaosEndpoints): AppliedFault {
  const infra = new AdminClient(endpoints.chaos.infra, endpoints.chaos.token);
  switch (fault.target) {
    case 'broker':
    case 'collector':
      return lasting(`${fault.target} ${fault.fault}`, infra, `${fault.target}.${fault.fault}`, {});
    case 'database':
      return lasting(`database ${fault.fault} (${fault.service})`, infra, `database.${fault.fault}`, {
        service: fault.service,
        ...fault.settings,
      });
    case 'process':
      return once(`process kill (${fault.service})`, async () => {
        const reply = (await infra.set('process.kill', { service: fault.service })) as { killed?: unknown } | undefined;
        return reply?.killed ? `killed ${JSON.stringify(reply.killed)}` : undefined;
      });
    case 'queue': {
      const options = {
        amqpUrl: endpoints.amqpUrl,
        databaseUrl: endpoints.databaseUrl,
        namespace: endpoints.namespace,
        queue: fault.queue,
        count: fault.count ?? 1,
      };
      return once(`queue ${fault.fault} ${fault.queue}`, async () => {
        const ids = fault.fault === 'poison' ? await injectPoison(options) : await injectDuplicate(options);
        return `message ids ${ids.join(', ')}`;
      });
    }
    case 'traffic': {
      const storm = new RequestStorm(endpoints.gateway, fault.settings.rate);
      return {
        label: `traffic storm ${fault.settings.rate}/s`,
        lasts: true,
        on: async () => {
          await storm.start();
          return undefined;
        },
        off: async () => {
          await storm.stop();
        },
      };
    }
    default: {
      const urls = endpoints.chaos.services[fault.target] ?? [];
      if (urls.length === 0) throw new Error(`the demo lists no chaos admin API for ${fault.target}`);
      const clients = urls.map((url) => new AdminClient(url, endpoints.chaos.token));
      const label = `${fault.target} ${fault.fault}`;
      // A crash ends the process once it answered; the restarted one starts with no fault.
      if (fault.fault === 'crash') {
        return once(label, async () => (await Promise.all(clients.map((c) => c.set('crash'))), undefined));
      }
      return {
        label,
        lasts: true,
        on: async () => (await Promise.all(clients.map((c) => c.set(fault.fault, fault.settings))), undefined),
        off: async () => void (await Promise.all(clients.map((c) => c.clear(fault.fault)))),
      };
    }
  }
}

function lasting(label: string, client: AdminClient, name: string, settings: object): AppliedFault {
  return {
    label,
    lasts: true,
    on: async () => (await client.set(name, settings), undefined),
    off: async () => void (await client.clear(name)),
  };
}

function once(label: string, act: () => Promise<string | undefined>): AppliedFault {
  return { label, lasts: false, on: act, off: () => Promise.resolve() };
}
