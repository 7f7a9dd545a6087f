// @hopscope/demo-shared: what every demo service shares. Contracts are also exported alone
// (`@hopscope/demo-shared/contracts`) for the load generator and the tests.
export { AmqpClient, HEADER_MESSAGE_TYPE } from './amqp-client.ts';
export type { AmqpClientOptions, Handlers, MessageMeta } from './amqp-client.ts';
export {
  ContractError,
  MESSAGES,
  ORDER_STATUSES,
  orderLine,
  parseMessage,
  placeOrderRequest,
  validate,
} from './contracts.ts';
export type { Message, MessageType, OrderLine, OrderStatus, PlaceOrderRequest, SagaStep } from './contracts.ts';
export { ConfigError, readDemoConfig, readNumber, readUpstreamUrls } from './config.ts';
export type { DemoConfig } from './config.ts';
export { databaseName, databaseUrl } from './database.ts';
export { HttpError, sendError } from './http-errors.ts';
export type { Log } from './log.ts';
export { Publisher } from './publisher.ts';
export { runSagaStep, sagaOf } from './saga-step.ts';
export type { StepResult } from './saga-step.ts';
export { runService, startService } from './service.ts';
export type { RunningService, ServiceContext, ServiceDefinition, ServiceParts } from './service.ts';
export { QUEUES, Topology } from './topology.ts';
export type { QueueName } from './topology.ts';
export { Upstream } from './upstream.ts';
