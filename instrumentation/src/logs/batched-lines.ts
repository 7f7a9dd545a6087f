// The log lines for the shipping worker, handed over in batches. thread-stream wakes its worker
// for each flush of what was written in one event-loop turn, which under load is one line (one
// request per turn); on a busy core each wake is a switch between threads that costs several
// times the line's conversion. Lines wait here at most FLUSH_DELAY_MS, or until
// MAX_PENDING_CHARS, and cross in one write.
import type { DestinationStream } from 'pino';

const FLUSH_DELAY_MS = 20;
const MAX_PENDING_CHARS = 64 * 1024;

/** The part of pino's transport stream (a thread-stream) that is used here. */
export interface LineSink {
  write(chunk: string): boolean;
  flushSync(): void;
  end(): void;
}

export interface BatchedLines extends DestinationStream {
  /** Hands what is pending to the sink now. */
  flush(): void;
  /** Flushes, then hands the sink's buffer to its worker synchronously (process exit). */
  flushSync(): void;
  /** Flushes, then ends the sink. */
  end(): void;
}

/**
 * `sink` is called for lazily, with the first line of each batch: the batcher must exist first
 * so that its exit listener runs before the transport's own (listeners run in the order they
 * were added), and the sink must exist by the end of the turn a line was written in, so that a
 * process that exits then (process.exit()) still has the sink's exit listener hand it over.
 */
export function batchedLines(sink: () => LineSink | undefined): BatchedLines {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const lines = pending;
    pending = '';
    sink()?.write(lines);
  };
  const lines: BatchedLines = {
    write(line: string) {
      if (pending === '') sink();
      pending += line;
      if (pending.length >= MAX_PENDING_CHARS) flush();
      else timer ??= setTimeout(flush, FLUSH_DELAY_MS).unref();
    },
    flush,
    flushSync() {
      flush();
      sink()?.flushSync();
    },
    end() {
      flush();
      sink()?.end();
    },
  };
  // On exit no timer fires: what is pending goes to the transport, which pino flushes next.
  process.once('exit', flush);
  return lines;
}
