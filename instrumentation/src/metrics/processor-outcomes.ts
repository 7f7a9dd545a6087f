import { type Attributes, type Counter, type Meter, type MeterProvider, createNoopMeter } from '@opentelemetry/api';

export type ProcessorOutcome = 'exported' | 'dropped' | 'failed';

// The SDK's batch processors report what became of each span and log record on their
// self-observability counters (`otel.sdk.processor.{span,log}.processed`, with
// error.type=queue_full for drops and the error's name for failed exports). This meter
// provider turns those reports into calls we can map onto prom-client counters, so the
// drop and failure counts are the SDK's own, not a second bookkeeping of ours.
const PROCESSED_COUNTER = /^otel\.sdk\.processor\.(span|log)\.processed$/;

export function processorOutcomeMeterProvider(
  record: (outcome: ProcessorOutcome, count: number) => void,
): MeterProvider {
  const noop = createNoopMeter();
  const meter: Meter = Object.create(noop) as Meter;
  meter.createCounter = <A extends Attributes>(name: string, options?: object): Counter<A> => {
    if (!PROCESSED_COUNTER.test(name)) return noop.createCounter<A>(name, options);
    return {
      add(count: number, attributes?: A) {
        const errorType = attributes?.['error.type'];
        record(errorType === undefined ? 'exported' : errorType === 'queue_full' ? 'dropped' : 'failed', count);
      },
    };
  };
  return { getMeter: () => meter };
}
