// Queues of a test's own on the shared RabbitMQ: a unique name, and their deletion once the
// services that declared them have stopped (in an after hook, so also when the test failed).
// The fixture services declare their queue durable and not auto-deleted, as a real service
// would: nothing but this removes it, and a leftover keeps its messages for the next run.
import { randomUUID } from 'node:crypto';
import { AMQP_URL } from './test-services.ts';

/** e.g. `hopscope-config-<uuid>`. */
export function uniqueQueue(purpose: string): string {
  return `hopscope-${purpose}-${randomUUID()}`;
}

export async function deleteQueues(...queues: string[]): Promise<void> {
  // Loaded here, not at import: tests that start the SDK in-process must load amqplib after it.
  const { default: amqp } = await import('amqplib');
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}
