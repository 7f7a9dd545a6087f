// Loopback ports of the local stack: one block (2xxxx) that collides neither with the
// backends' usual ports (a developer may run compose too) nor with the services this machine
// runs (RabbitMQ 5672/15672/25672/4369, PostgreSQL 5432, Redis 6379, MariaDB 3306,
// Mosquitto 1883, NATS 4222).
export const HOST = '127.0.0.1';

export const PORTS = {
  collectorOtlpGrpc: 24317,
  collectorOtlpHttp: 24318,
  collectorHealth: 24133,
  collectorMetrics: 24888,
  jaegerOtlpGrpc: 24417,
  jaegerQueryHttp: 26686,
  jaegerQueryGrpc: 26685,
  jaegerHealth: 24134,
  jaegerMetrics: 24889,
  lokiHttp: 23100,
  lokiGrpc: 29095,
  prometheus: 29090,
  /** Where the stack tests' fixture service serves /metrics; Prometheus scrapes it. */
  fixtureMetrics: 29464,
} as const;

export const URLS = {
  collectorOtlpHttp: `http://${HOST}:${PORTS.collectorOtlpHttp}`,
  jaeger: `http://${HOST}:${PORTS.jaegerQueryHttp}`,
  loki: `http://${HOST}:${PORTS.lokiHttp}`,
  prometheus: `http://${HOST}:${PORTS.prometheus}`,
} as const;
