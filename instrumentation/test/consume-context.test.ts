// A consumer continues the producer's trace (default) or starts a new trace linked to it
// (HOPSCOPE_AMQP_CONSUME_CONTEXT=link). Baggage such as saga.id survives in both modes: the
// worker's outgoing call carries what the original HTTP request brought.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { KIND, OtlpReceiver } from './helpers/otlp-receiver.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';

async function sendOrderWithBaggage(mode: 'parent' | 'link', t: { after: (fn: () => Promise<void>) => void }) {
  const receiver = new OtlpReceiver();
  const otlp = await receiver.listen();
  const queue = uniqueQueue(mode);
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, ORDER_QUEUE: queue, BANK_URL: otlp };
  const api = new ServiceProcess('order-api.mjs', { ...env, OTEL_SERVICE_NAME: 'order-api' });
  const worker = new ServiceProcess('order-worker.cjs', {
    ...env,
    OTEL_SERVICE_NAME: 'order-worker',
    HOPSCOPE_AMQP_CONSUME_CONTEXT: mode,
  });
  t.after(async () => {
    await Promise.all([api.stop(), worker.stop()]);
    await deleteQueues(queue);
    await receiver.close();
  });
  const port = String((await api.waitForLine('listening'))['port']);
  await worker.waitForLine('listening');
  const sagaId = randomUUID();
  const response = await fetch(`http://127.0.0.1:${port}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', baggage: `saga.id=${sagaId}` },
    body: JSON.stringify({ id: sagaId }),
  });
  assert.equal(response.status, 202);
  const bank = await receiver.waitFor('the bank call', () =>
    receiver.bankRequests.find((headers) => String(headers['baggage']).includes(sagaId)),
  );
  const consumer = await receiver.waitFor('the consumer span', () =>
    receiver.spans.find((s) => s.kind === KIND.CONSUMER && s.service === 'order-worker'),
  );
  const producer = await receiver.waitFor('the producer span', () =>
    receiver.spans.find((s) => s.kind === KIND.PRODUCER),
  );
  return { bank, consumer, producer };
}

test('parent mode: the consumer is the child of the producer and baggage reaches the next hop', async (t) => {
  const { bank, consumer, producer } = await sendOrderWithBaggage('parent', t);
  assert.equal(consumer.traceId, producer.traceId);
  assert.equal(consumer.parentSpanId, producer.spanId);
  assert.deepEqual(consumer.links, []);
  assert.match(String(bank['baggage']), /saga\.id=/);
});

test('link mode: the consumer starts a new trace linked to the producer, baggage still reaches the next hop', async (t) => {
  const { bank, consumer, producer } = await sendOrderWithBaggage('link', t);
  assert.notEqual(consumer.traceId, producer.traceId);
  assert.equal(consumer.parentSpanId, '');
  assert.deepEqual(consumer.links, [{ traceId: producer.traceId, spanId: producer.spanId }]);
  assert.match(String(bank['baggage']), /saga\.id=/);
});
