import { throwIfAborted } from '../errors.js';

/**
 * Calls `task` `warmup` times untimed, then `samples` times timed, one after another, and
 * returns each timed call's latency (ms) in call order together with the call's own
 * value (for per-phase timings). The count is fixed by the caller's plan, never by the
 * clock; the signal is checked between calls.
 */
export async function timeCalls<T>(
  task: () => Promise<T>,
  counts: { samples: number; warmup: number },
  signal?: AbortSignal,
): Promise<{ ms: number; value: T }[]> {
  for (let i = 0; i < counts.warmup; i++) {
    throwIfAborted(signal);
    await task();
  }
  const taken: { ms: number; value: T }[] = [];
  for (let i = 0; i < counts.samples; i++) {
    throwIfAborted(signal);
    const started = performance.now();
    const value = await task();
    taken.push({ ms: performance.now() - started, value });
  }
  return taken;
}
