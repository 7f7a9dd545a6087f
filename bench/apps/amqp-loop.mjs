// RabbitMQ publish → consume loop: publishes BENCH_MESSAGES messages on a confirm channel
// (a bounded window in flight) and reports messages/s once the consumer has acked them all.
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';

const total = Number(process.env.BENCH_MESSAGES ?? 5000);
const window = 100;
const queue = `hopscope-bench-${randomUUID()}`;
const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
const publisher = await connection.createConfirmChannel();
const consumer = await connection.createChannel();
await publisher.assertQueue(queue, { exclusive: false, autoDelete: true });
await consumer.prefetch(window);

let consumed = 0;
const done = new Promise((resolve) => {
  void consumer.consume(queue, (msg) => {
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
await consumer.deleteQueue(queue);
await connection.close();
process.disconnect?.();
