// The two fixture services (gateway → inventory) pointed at the local stack's collector.
import { FIXTURE_SERVICE } from '../../../stack/backends.ts';
import { HOST, PORTS, URLS } from '../../../stack/ports.ts';
import { ServiceProcess } from '../../../instrumentation/test/helpers/service-process.ts';

export type Mode = 'ok' | 'slow' | 'error';

const SHOP_FIXTURE = new URL('../fixtures/shop.ts', import.meta.url);

export class Shop {
  readonly inventory: ServiceProcess;
  readonly gateway: ServiceProcess;
  readonly gatewayUrl: string;

  private constructor(inventory: ServiceProcess, gateway: ServiceProcess, gatewayUrl: string) {
    this.inventory = inventory;
    this.gateway = gateway;
    this.gatewayUrl = gatewayUrl;
  }

  static async start(): Promise<Shop> {
    const common = {
      OTEL_EXPORTER_OTLP_ENDPOINT: URLS.collectorOtlpHttp,
      HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES: 'synthetic',
    };
    const inventory = new ServiceProcess(SHOP_FIXTURE, {
      ...common,
      SHOP_ROLE: 'inventory',
      OTEL_SERVICE_NAME: 'stack-inventory',
    });
    const gateway = new ServiceProcess(SHOP_FIXTURE, {
      ...common,
      SHOP_ROLE: 'gateway',
      OTEL_SERVICE_NAME: FIXTURE_SERVICE,
      INVENTORY_URL: await inventory.baseUrl(),
      // Prometheus scrapes this port (the services job of the local stack).
      HOPSCOPE_METRICS_PORT: String(PORTS.fixtureMetrics),
      HOPSCOPE_METRICS_HOST: HOST,
    });
    return new Shop(inventory, gateway, await gateway.baseUrl());
  }

  /** One GET /checkout (`synthetic`: as the load generator); the trace id comes back in the body. */
  async checkout(mode: Mode, synthetic = false): Promise<{ status: number; traceId: string }> {
    const response = await fetch(`${this.gatewayUrl}/checkout?mode=${mode}${synthetic ? '&synthetic=1' : ''}`);
    const body = (await response.json()) as { trace_id: string };
    return { status: response.status, traceId: body.trace_id };
  }

  async stop(): Promise<void> {
    await Promise.all([this.gateway.stop(), this.inventory.stop()]);
  }
}
