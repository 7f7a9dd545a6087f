// `chaos schedule`: for a demo left running, turns random scenarios' faults on and off
// unattended — every `interval` one more starts if fewer than `maxConcurrent` are on, never
// two touching the same target at once. The same seed gives the same sequence. It checks no
// hypothesis (that is `run`'s job); it only makes things break and heal, and says so.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoEndpoints } from '../demo-endpoints.ts';
import { type AppliedFault, applyFault } from '../faults/apply-fault.ts';
import type { Fault, Scenario } from '../scenario/schema.ts';

export interface ScheduleOptions {
  seed: number;
  intervalMs: number;
  maxConcurrent: number;
  /** Stop after this long; undefined = until interrupted. */
  forMs?: number;
  signal: AbortSignal;
  say: (line: string) => void;
}

/** mulberry32: a small, well-known seeded generator; the sequence is what makes a schedule reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a scenario's faults touch: two scenarios touching the same thing never overlap. */
export function targetsOf(scenario: Scenario): Set<string> {
  return new Set(scenario.faults.map((f) => ('service' in f && f.service ? `${f.target}:${f.service}` : f.target)));
}

/** The order scenarios would start in, for a seed (what `schedule` prints up front). */
export function pickNext(scenarios: Scenario[], random: () => number, busy: ReadonlySet<string>): Scenario | undefined {
  const free = scenarios.filter((s) => [...targetsOf(s)].every((t) => !busy.has(t)));
  return free.length ? free[Math.floor(random() * free.length)] : undefined;
}

export async function schedule(
  scenarios: Scenario[],
  endpoints: DemoEndpoints & { chaos: NonNullable<DemoEndpoints['chaos']> },
  options: ScheduleOptions,
): Promise<void> {
  const random = seededRandom(options.seed);
  const busy = new Set<string>();
  const active = new Set<Promise<void>>();
  const on = new Set<AppliedFault>();
  const ends = options.forMs === undefined ? Infinity : Date.now() + options.forMs;
  const stamp = () => new Date().toISOString().slice(11, 19);

  const play = async (scenario: Scenario) => {
    const targets = targetsOf(scenario);
    for (const t of targets) busy.add(t);
    options.say(`${stamp()} ▶ ${scenario.name}: ${scenario.title} (${scenario.duration / 1000}s)`);
    const faults: AppliedFault[] = [];
    // One fault failing ends the scenario's other faults too (they may still be waiting for
    // their time): none may turn on after the cleanup below.
    const ended = new AbortController();
    const signal = AbortSignal.any([options.signal, ended.signal]);
    const playFault = async (fault: Fault) => {
      const applied = applyFault(fault, endpoints);
      faults.push(applied);
      await sleep(fault.at ?? 0, undefined, { signal });
      // Tracked before the call: a call that fails halfway may have turned it on somewhere.
      if (applied.lasts) on.add(applied);
      const detail = await applied.on();
      options.say(`${stamp()}   ⚡ on  ${applied.label}${detail ? ` — ${detail}` : ''}`);
      if (applied.lasts) {
        await sleep('for' in fault && fault.for !== undefined ? fault.for : scenario.duration, undefined, { signal });
      }
    };
    const results = await Promise.allSettled(
      scenario.faults.map((fault) =>
        playFault(fault).catch((error: unknown) => {
          ended.abort();
          throw error;
        }),
      ),
    );
    for (const result of results) {
      if (result.status === 'rejected' && (result.reason as Error).name !== 'AbortError') {
        options.say(`${stamp()}   ${scenario.name}: ${(result.reason as Error).message}`);
      }
    }
    for (const applied of faults) {
      if (!on.delete(applied)) continue;
      await applied.off().catch((error: unknown) => options.say(`   off failed: ${(error as Error).message}`));
      options.say(`${stamp()}   ⏹ off ${applied.label}`);
    }
    for (const t of targets) busy.delete(t);
    options.say(`${stamp()} ■ ${scenario.name} ended`);
  };

  options.say(
    `schedule: seed ${options.seed}, a scenario every ${options.intervalMs / 1000}s, at most ${options.maxConcurrent} at once; Ctrl-C stops and turns everything off`,
  );
  while (!options.signal.aborted && Date.now() < ends) {
    if (active.size < options.maxConcurrent) {
      const next = pickNext(scenarios, random, busy);
      if (next) {
        const playing = play(next);
        active.add(playing);
        void playing.finally(() => active.delete(playing));
      }
    }
    await sleep(Math.min(options.intervalMs, Math.max(0, ends - Date.now())), undefined, {
      signal: options.signal,
    }).catch(() => undefined);
  }
  await Promise.allSettled([...active]);
  options.say(
    options.signal.aborted ? 'interrupted: every fault the schedule turned on is off again' : 'schedule ended',
  );
}
