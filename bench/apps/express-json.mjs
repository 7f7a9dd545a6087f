// The benchmarked service: an express JSON endpoint that writes one log line per request.
// The same code runs in every stage of bench/stages.ts; only the instrumentation on the command
// line and the logger differ: the package's createLogger() with BENCH_LOGGER=hopscope, else a
// plain pino logger. Lines go to stdout, which the bench discards.
import express from 'express';
import pino from 'pino';

const log =
  process.env.BENCH_LOGGER === 'hopscope'
    ? (await import('@hopscope/instrumentation')).createLogger()
    : pino(pino.destination({ dest: 1, sync: false }));

const app = express();
app.get('/orders/:id', (req, res) => {
  log.info({ order_id: req.params.id }, 'order read');
  res.json({ id: req.params.id, status: 'confirmed', items: [{ sku: 'book', quantity: 1 }] });
});

const server = app.listen(0, '127.0.0.1', () => process.send?.({ listening: server.address().port }));
process.on('message', (message) => {
  if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss });
});
