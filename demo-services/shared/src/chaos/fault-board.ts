// Which faults are on in this process, with their settings and since when. The admin API
// writes it; the HTTP middleware and the message handlers read it on every request/message,
// so a change takes effect at once, without a restart.
import { COMMON_CATALOG, type FaultCatalog, type FaultName, type FaultSettings, type Settings } from './faults.ts';

export interface ActiveFault {
  name: string;
  settings: Settings;
  /** When it was turned on (ISO 8601). */
  since: string;
}

export type FaultChange = (name: string, active: ActiveFault | undefined) => void;

export class FaultBoard {
  /** The knobs this service accepts (the admin API validates against it). */
  readonly catalog: FaultCatalog;
  private readonly faults = new Map<string, ActiveFault>();
  private readonly listeners: FaultChange[] = [];
  /** Handlers held by a "down" fault, released when it is cleared (or rejected on close). */
  private readonly waiters = new Map<string, Array<{ resolve: () => void; reject: (error: Error) => void }>>();

  constructor(catalog: FaultCatalog = COMMON_CATALOG) {
    this.catalog = catalog;
  }

  onChange(listener: FaultChange): void {
    this.listeners.push(listener);
  }

  /** A common knob's settings, typed; undefined when it is off. */
  get<N extends FaultName>(name: N): FaultSettings<N> | undefined;
  /** A service's own knob's settings (its owner knows their fields); undefined when it is off. */
  get(name: string): Settings | undefined;
  get(name: string): Settings | undefined {
    return this.faults.get(name)?.settings;
  }

  active(): ActiveFault[] {
    return [...this.faults.values()];
  }

  set(name: string, settings: Settings, now: Date = new Date()): ActiveFault {
    const fault = { name, settings, since: now.toISOString() };
    this.faults.set(name, fault);
    for (const listener of this.listeners) listener(name, fault);
    return fault;
  }

  /** Turns a fault off; false when it was not on (clearing is idempotent). */
  clear(name: string): boolean {
    const was = this.faults.delete(name);
    for (const waiter of this.waiters.get(name) ?? []) waiter.resolve();
    this.waiters.delete(name);
    for (const listener of this.listeners) listener(name, undefined);
    return was;
  }

  /** Resolves at once when `name` is off, else when it is cleared. */
  whileActive(name: string): Promise<void> {
    if (!this.faults.has(name)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.set(name, [...(this.waiters.get(name) ?? []), { resolve, reject }]);
    });
  }

  /** The service is stopping: held handlers fail (their message goes back to the broker) instead of hanging. */
  close(): void {
    for (const list of this.waiters.values()) {
      for (const waiter of list)
        waiter.reject(new Error('service stopping while a chaos "down" fault held the handler'));
    }
    this.waiters.clear();
  }
}
