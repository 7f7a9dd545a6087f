// @hopscope/demo-shared: what every demo service shares. Contracts are also exported alone
// (`@hopscope/demo-shared/contracts`) for the load generator and the tests.
export { AmqpClient, HEADER_MESSAGE_TYPE, declareTopology } from './amqp-client.ts';
export type { AmqpClientOptions, Handlers, MessageMeta } from './amqp-client.ts';
export {
  ContractError,
  MESSAGES,
  ORDER_STATUSES,
  isMessageType,
  orderLine,
  parseMessage,
  placeOrderRequest,
  validate,
} from './contracts.ts';
export type { Message, MessageType, OrderLine, OrderStatus, PlaceOrderRequest, SagaStep } from './contracts.ts';
export { ConfigError, readDemoConfig, readNumber, readPort, readUpstreamUrls } from './config.ts';
export type { DemoConfig } from './config.ts';
export { databaseName, databaseUrl, openDatabase } from './database.ts';
export { HttpError, errorMiddleware, sendError } from './http-errors.ts';
export type { Log } from './log.ts';
export { OUTBOX_TABLE, Publisher } from './publisher.ts';
export { retryForever } from './retry-forever.ts';
export { runSagaStep, sagaOf } from './saga-step.ts';
export type { StepResult } from './saga-step.ts';
export { runService, startService } from './service.ts';
export type { RunningService, ServiceContext, ServiceDefinition, ServiceParts } from './service.ts';
export { QUEUES, Topology, exchangeOf } from './topology.ts';
export type { QueueName } from './topology.ts';
export { Upstream } from './upstream.ts';
