import { diag } from '@opentelemetry/api';
import { safely } from '../safely.ts';

/** Takes an instrumentation off again: its listeners, its wrapper and its gauges. */
export interface Instrumentation {
  /** Unhooks the telemetry (the policy works on, unobserved); calling it again does nothing. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * What the `instrument*` helpers return: the policy itself, now with `dispose()` (so that it can
 * stand wherever the policy did, and `using` takes its instrumentation off at the end of a scope).
 */
export type Instrumented<P> = P & Instrumentation;

// The policies instrumented now, with the name they are recorded under.
const instrumented = new WeakMap<object, string>();

/**
 * Instruments `policy` once: `install` hooks it and returns how to unhook it. A second call
 * returns the policy as the first one left it, so no event is ever recorded twice.
 */
export function instrumentOnce<P extends object>(policy: P, name: string, install: () => () => void): Instrumented<P> {
  const current = instrumented.get(policy);
  if (current !== undefined) {
    if (current !== name)
      diag.warn(`hopscope: "${name}" is already instrumented as "${current}"; keeping "${current}"`);
    return policy as Instrumented<P>;
  }
  let uninstall: (() => void) | undefined;
  const dispose = () => {
    if (!uninstall) return;
    instrumented.delete(policy);
    safely('unhooking the instrumentation', uninstall);
    uninstall = undefined;
  };
  // Defined first: a policy that cannot take them (a frozen object) fails before anything is hooked.
  Object.defineProperty(policy, 'dispose', { value: dispose, configurable: true, writable: true });
  Object.defineProperty(policy, Symbol.dispose, { value: dispose, configurable: true, writable: true });
  uninstall = install();
  instrumented.set(policy, name);
  return policy as Instrumented<P>;
}

/**
 * Replaces `target[key]` with `wrap(original)`; the function returned puts the original back.
 * If something wrapped the method again since, the replacement stays (removing it would remove
 * theirs too) but only passes calls through.
 */
export function replaceMethod<T extends object, K extends keyof T>(
  target: T,
  key: K,
  wrap: (original: T[K]) => T[K],
): () => void {
  const ownBefore = Object.getOwnPropertyDescriptor(target, key);
  const original = (target[key] as (...args: unknown[]) => unknown).bind(target) as T[K];
  const wrapped = wrap(original) as (...args: unknown[]) => unknown;
  let active = true;
  const replacement = ((...args: unknown[]) =>
    active ? wrapped(...args) : (original as (...args: unknown[]) => unknown)(...args)) as T[K];
  target[key] = replacement;
  return () => {
    active = false;
    if (target[key] !== replacement) return;
    if (ownBefore) Object.defineProperty(target, key, ownBefore);
    else delete target[key];
  };
}
