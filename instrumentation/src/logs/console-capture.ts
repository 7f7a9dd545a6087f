// HOPSCOPE_CAPTURE_CONSOLE=true: each console.log/info/warn/error/debug line is also emitted
// as an OTLP log record in the caller's trace context. The console method runs first and
// untouched, so what reaches stdout/stderr is byte for byte what it was; the capture after
// it is guarded, so it can never make a console call throw.
import { type Logger, SeverityNumber, context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { format } from 'node:util';

const SEVERITY = {
  debug: SeverityNumber.DEBUG,
  log: SeverityNumber.INFO,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
} as const;
type ConsoleMethod = keyof typeof SEVERITY;
// Where Node's console writes each method's line (the semantic conventions' log.iostream).
const STREAM: Record<ConsoleMethod, 'stdout' | 'stderr'> = {
  debug: 'stdout',
  log: 'stdout',
  info: 'stdout',
  warn: 'stderr',
  error: 'stderr',
};

// Set while a record is being made: a console line written meanwhile (by a processor, an
// exporter) is not captured, or one record could beget another without end. The SDK's
// diagnostics (OTEL_LOG_LEVEL) never reach the capture: DiagConsoleLogger writes with the
// console methods it saved when @opentelemetry/api was loaded, before the capture.
let uncaptured = 0;

/** Wraps the five console methods; returns a function that puts the originals back. */
export function captureConsole(logger: Logger, target: Console = console): () => void {
  const originals = new Map<ConsoleMethod, Console[ConsoleMethod]>();
  for (const method of Object.keys(SEVERITY) as ConsoleMethod[]) {
    // Unbound on purpose: called with the caller's `this`, and put back as it was.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = target[method];
    originals.set(method, original);
    target[method] = function capturedConsoleMethod(this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      if (uncaptured === 0) emit(logger, method, args);
      return result;
    };
  }
  return () => {
    for (const [method, original] of originals) target[method] = original;
  };
}

function emit(logger: Logger, method: ConsoleMethod, args: unknown[]): void {
  const active = context.active();
  // The SDK's own work (exports run with tracing suppressed) is not the application's output.
  if (isTracingSuppressed(active)) return;
  uncaptured++;
  try {
    logger.emit({
      severityNumber: SEVERITY[method],
      severityText: method,
      body: format(...args),
      attributes: { 'log.iostream': STREAM[method] },
      context: active,
    });
  } catch {
    // A value whose inspection throws, or a failing SDK: the console line was written already.
  } finally {
    uncaptured--;
  }
}
