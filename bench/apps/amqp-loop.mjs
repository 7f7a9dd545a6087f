// RabbitMQ publish → consume loop: publishes on a confirm channel (a bounded window in flight)
// and consumes on another channel of the same connection. BENCH_WARMUP_MESSAGES go through
// first, unmeasured (a service runs warm: the first messages compile the code on their path);
// then BENCH_MESSAGES, and the loop reports messages/s once the consumer has acked them all,
// with the CPU time the process spent per message meanwhile (less sensitive to other load on
// the machine than the rate). The broker is AMQP_URL, which bench/run.ts always passes.
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';

const total = Number(process.env.BENCH_MESSAGES ?? 5000);
const warmup = Number(process.env.BENCH_WARMUP_MESSAGES ?? 1000);
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
    let expected = 0;
    let allConsumed = () => {};
    await consumer.consume(queue, (msg) => {
      // amqplib hands the callback null when the broker cancels the consumer, as it does
      // when the queue is deleted below: there is nothing to ack then.
      if (msg === null) return;
      consumer.ack(msg);
      if (++consumed === expected) allConsumed();
    });
    const publishAndConsume = async (count) => {
      const done = new Promise((resolve) => (allConsumed = resolve));
      expected += count;
      for (let sent = 0; sent < count; sent += window) {
        for (let i = sent; i < Math.min(count, sent + window); i++) {
          publisher.sendToQueue(queue, Buffer.from(JSON.stringify({ n: i })));
        }
        await publisher.waitForConfirms();
      }
      await done;
    };

    if (warmup > 0) await publishAndConsume(warmup);
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await publishAndConsume(total);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    process.send?.({ messagesPerSecond: total / seconds, cpuMicrosPerMessage: (cpu.user + cpu.system) / total });
  } finally {
    await publisher.deleteQueue(queue);
  }
} finally {
  await connection.close();
}
process.disconnect?.();
