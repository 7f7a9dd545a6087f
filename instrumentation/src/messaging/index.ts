// @hopscope/instrumentation/messaging: transactional outbox, idempotent consumer, poison messages.
export { IdempotentConsumer } from './idempotent-consumer.ts';
export type { IdempotentConsumerOptions, ProcessResult } from './idempotent-consumer.ts';
export { Outbox } from './outbox.ts';
export type { OutboxMessage, OutboxOptions, OutboxRow } from './outbox.ts';
export { OutboxRelay } from './outbox-relay.ts';
export type { AmqpConnectionLike, ConfirmChannelLike, OutboxRelayOptions } from './outbox-relay.ts';
export {
  HEADER_ATTEMPTS,
  HEADER_DEAD_LETTER_ERROR,
  HEADER_DEAD_LETTER_REASON,
  HEADER_ORIGINAL_QUEUE,
  consumeWithRetries,
} from './poison-messages.ts';
export type { AmqpChannelLike, AmqpMessage, PoisonMessageOptions } from './poison-messages.ts';
export { inTransaction } from './sql.ts';
export type { ConnectionPool, Queryable } from './sql.ts';
