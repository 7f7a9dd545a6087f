/** Waits `ms`; the latency knobs use it (a timer per request/message, nothing shared). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
