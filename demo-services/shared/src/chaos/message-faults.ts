// What the messages.* knobs and slow-consumer do before a message handler runs. An injected
// error is an ordinary Error (not transient), so the message takes the real poison path:
// retried, then dead-lettered with the reason. "Down" holds the message unacked, as a stuck
// consumer would: the queue's unacked count grows and the broker redelivers it if we die.
import type { FaultBoard } from './fault-board.ts';
import { latencyMs } from './faults.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * slow-consumer lets one message through per delayMs, per service. A delay per message alone
 * would not make a slow consumer: with a prefetch of 16 the messages wait side by side, and
 * the service still drains 16 per delay, faster than the demo's load ever fills a queue.
 */
const slowLanes = new WeakMap<FaultBoard, Promise<void>>();

function slowConsumerTurn(board: FaultBoard): Promise<void> {
  const turn = (slowLanes.get(board) ?? Promise.resolve()).then(async () => {
    // Read when this message's turn comes: once the knob is off, the ones in line pass at once.
    const slow = board.get('slow-consumer');
    if (slow) await sleep(slow.delayMs);
  });
  slowLanes.set(board, turn);
  return turn;
}

export async function applyMessageFaults(board: FaultBoard, random: () => number = Math.random): Promise<void> {
  await board.whileActive('messages.down');
  if (board.get('slow-consumer')) await slowConsumerTurn(board);
  const latency = board.get('messages.latency');
  if (latency) await sleep(latencyMs(latency, random));
  const errors = board.get('messages.error-rate');
  if (errors && random() < errors.rate) throw new Error('the messages.error-rate chaos fault failed this message');
}
