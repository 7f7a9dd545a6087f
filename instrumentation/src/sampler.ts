import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  createAlwaysRecordSampler,
} from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';

/**
 * The OTEL_TRACES_SAMPLER sampler, made to record (not export) the spans it drops, so that
 * the RED metrics derived from spans count every request whatever the sampling ratio.
 */
export function createSampler(config: Pick<TelemetryConfig, 'sampler' | 'samplerRatio'>): Sampler {
  return createAlwaysRecordSampler(baseSampler(config));
}

function baseSampler({ sampler, samplerRatio }: Pick<TelemetryConfig, 'sampler' | 'samplerRatio'>): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
  }
}
