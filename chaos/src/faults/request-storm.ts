// The rate-limit storm: one signed-in user reading orders far faster than the gateway's
// per-user limit allows, so the gateway answers 429 and nothing of it reaches the services
// behind. Bounded: at most `rate` requests a second, each with a short timeout.
import { GatewayClient } from '@hopscope/demo-load/gateway-client';

/** The storm's user: not the user of the run's own orders, whose requests must keep passing. */
export const STORM_USER = 'bob';

export class RequestStorm {
  private readonly client: GatewayClient;
  private readonly rate: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Replies by HTTP status (0 = no reply). */
  readonly statuses = new Map<number, number>();

  constructor(gatewayUrl: string, rate: number) {
    this.client = new GatewayClient(gatewayUrl, 5000, STORM_USER);
    this.rate = rate;
  }

  async start(): Promise<void> {
    await this.client.signIn();
    this.timer = setInterval(() => {
      const call = this.client.listOrders().then(
        (reply) => this.count(reply.status),
        () => this.count(0),
      );
      this.inFlight.add(call);
      void call.finally(() => this.inFlight.delete(call));
    }, 1000 / this.rate);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private count(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }
}
