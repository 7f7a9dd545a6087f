// What each infrastructure fault does to the real components, and which are on. The broker and
// the database are reached by the services through loopback TCP proxies (tcp-proxy.ts), so a
// fault is a proxy refusing or delaying; the collector is stopped and started by the stack
// runner; a kill is a SIGKILL the supervisor answers with a restart.
import type { InfraFaultName, InfraFaultSettings } from './infra-fault-catalog.ts';
import type { TcpProxy } from './tcp-proxy.ts';

export interface InfraTargets {
  /** In front of RabbitMQ: every service's AMQP_URL. */
  broker: TcpProxy;
  /** In front of PostgreSQL, one per service: its DATABASE_URL. */
  databases: ReadonlyMap<string, TcpProxy>;
  collector: { stop(): Promise<void>; start(): Promise<void> };
  /** SIGKILLs every instance of a service; what it killed. */
  kill(service: string): KilledInstance[];
}

export interface KilledInstance {
  instance: string;
  pid: number;
}

export interface ActiveInfraFault {
  name: InfraFaultName;
  settings: InfraFaultSettings;
  /** When it was turned on (ISO 8601). */
  since: string;
}

export class InfraFaults {
  private readonly targets: InfraTargets;
  /** By name, or name and service for the per-service faults (several can be on at once). */
  private readonly active = new Map<string, ActiveInfraFault>();
  // One change at a time: stopping and starting the collector takes seconds, and a clear
  // racing a set must not leave a proxy refusing with no fault listed.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(targets: InfraTargets) {
    this.targets = targets;
  }

  list(): ActiveInfraFault[] {
    return [...this.active.values()];
  }

  /** Turns a fault on, or changes its settings; a kill happens at once and is not listed. */
  set(
    name: InfraFaultName,
    settings: InfraFaultSettings,
    now: Date = new Date(),
  ): Promise<{ fault: ActiveInfraFault; killed?: KilledInstance[] }> {
    return this.serially(async () => {
      const fault = { name, settings, since: now.toISOString() };
      if (name === 'process.kill') return { fault, killed: this.targets.kill(settings.service!) };
      // Listed before it is applied: one that fails halfway (a collector half stopped) must
      // still be cleared by DELETE /faults.
      this.active.set(key(name, settings.service), fault);
      await this.apply(fault, true);
      return { fault };
    });
  }

  /** Turns off a fault (for one service, or for all when `service` is undefined); what it turned off. */
  clear(name: InfraFaultName, service?: string): Promise<ActiveInfraFault[]> {
    return this.serially(() =>
      this.clearWhere((fault) => fault.name === name && (service === undefined || fault.settings.service === service)),
    );
  }

  clearAll(): Promise<ActiveInfraFault[]> {
    return this.serially(() => this.clearWhere(() => true));
  }

  /** Resolves once no change is under way (the runner stops after it). */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Tries every matching fault even when one fails to clear (it stays listed), then reports the failures. */
  private async clearWhere(match: (fault: ActiveInfraFault) => boolean): Promise<ActiveInfraFault[]> {
    const cleared: ActiveInfraFault[] = [];
    const failures: unknown[] = [];
    for (const [id, fault] of this.active) {
      if (!match(fault)) continue;
      try {
        await this.apply(fault, false);
      } catch (error) {
        failures.push(error);
        continue;
      }
      this.active.delete(id);
      cleared.push(fault);
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} infra faults could not be cleared`);
    return cleared;
  }

  private async apply({ name, settings }: ActiveInfraFault, on: boolean): Promise<void> {
    const database = () => this.targets.databases.get(settings.service!)!;
    switch (name) {
      case 'broker.down':
        return on ? this.targets.broker.refuse() : this.targets.broker.accept();
      case 'database.slow':
        database().latencyMs = on ? settings.latencyMs! : 0;
        return;
      case 'database.down':
        return on ? database().refuse() : database().accept();
      case 'collector.down':
        return on ? this.targets.collector.stop() : this.targets.collector.start();
      case 'process.kill':
        return;
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(work);
    this.queue = next;
    return next;
  }
}

function key(name: InfraFaultName, service: string | undefined): string {
  return service === undefined ? name : `${name}:${service}`;
}
