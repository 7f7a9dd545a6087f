// What the messages.* knobs and slow-consumer do before a message handler runs. An injected
// error is an ordinary Error (not transient), so the message takes the real poison path:
// retried, then dead-lettered with the reason. "Down" holds the message unacked, as a stuck
// consumer would: the queue's unacked count grows and the broker redelivers it if we die.
import type { FaultBoard } from './fault-board.ts';
import { latencyMs } from './faults.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export async function applyMessageFaults(board: FaultBoard, random: () => number = Math.random): Promise<void> {
  await board.whileActive('messages.down');
  const slow = board.get('slow-consumer');
  if (slow) await sleep(slow.delayMs);
  const latency = board.get('messages.latency');
  if (latency) await sleep(latencyMs(latency, random));
  const errors = board.get('messages.error-rate');
  if (errors && random() < errors.rate) throw new Error('the messages.error-rate chaos fault failed this message');
}
