import { Bench } from 'tinybench';
import { InterruptedError } from '../errors.js';

export interface SamplingPlan {
  /** At least this many timed calls. */
  minSamples: number;
  /** Keep sampling until this much time has been spent (and minSamples reached). */
  timeMs: number;
  /** Untimed calls first (connection set-up, caches, plan cache). */
  warmupIterations: number;
}

/**
 * Times an async task with tinybench and returns every latency sample (ms, sorted).
 * `onSample` sees each timed call's own result (for per-phase timings); warm-up calls
 * are not reported.
 */
export async function collectSamples<T>(
  name: string,
  task: () => Promise<T>,
  plan: SamplingPlan,
  options: { signal?: AbortSignal | undefined; onSample?: (value: T) => void } = {},
): Promise<number[]> {
  let mode: 'run' | 'warmup' = 'warmup';
  const bench = new Bench({
    iterations: Math.max(1, plan.minSamples),
    time: Math.max(0, plan.timeMs),
    warmup: plan.warmupIterations > 0,
    warmupIterations: plan.warmupIterations,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
    // Not given the AbortSignal: tinybench adds a listener per run; callers check it between tasks.
  });
  bench.add(
    name,
    async () => {
      const value = await task();
      if (mode === 'run') options.onSample?.(value);
    },
    {
      async: true,
      beforeAll(hookMode) {
        mode = hookMode === 'warmup' ? 'warmup' : 'run';
      },
    },
  );
  if (options.signal?.aborted) throw new InterruptedError();
  await bench.run();
  if (options.signal?.aborted) throw new InterruptedError();
  const result = bench.tasks[0]?.result;
  if (!result || !('latency' in result)) {
    const error = result && 'error' in result ? result.error : undefined;
    throw error ?? new Error(`no samples were taken for ${name}`);
  }
  return [...(result.latency.samples ?? [])];
}
