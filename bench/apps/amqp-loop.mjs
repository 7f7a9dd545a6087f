// RabbitMQ publish → consume loop: publishes BENCH_MESSAGES messages on a confirm channel
// (a bounded window in flight) and reports messages/s once the consumer has acked them all.
// The broker is AMQP_URL, which bench/run.ts always passes.
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';

const total = Number(process.env.BENCH_MESSAGES ?? 5000);
const window = 100;
const queue = `hopscope-bench-${randomUUID()}`;
const connection = await amqp.connect(process.env.AMQP_URL);
try {
  const publisher = await connection.createConfirmChannel();
  const consumer = await connection.createChannel();
  await publisher.assertQueue(queue, { exclusive: false, autoDelete: true });
  try {
    await consumer.prefetch(window);
    let consumed = 0;
    const done = new Promise((resolve) => {
      void consumer.consume(queue, (msg) => {
        // amqplib hands the callback null when the broker cancels the consumer, as it does
        // when the queue is deleted below: there is nothing to ack then.
        if (msg === null) return;
        consumer.ack(msg);
        if (++consumed === total) resolve();
      });
    });

    const started = process.hrtime.bigint();
    for (let sent = 0; sent < total; sent += window) {
      for (let i = sent; i < Math.min(total, sent + window); i++) {
        publisher.sendToQueue(queue, Buffer.from(JSON.stringify({ n: i })));
      }
      await publisher.waitForConfirms();
    }
    await done;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.send?.({ messagesPerSecond: total / seconds });
  } finally {
    await publisher.deleteQueue(queue);
  }
} finally {
  await connection.close();
}
process.disconnect?.();
