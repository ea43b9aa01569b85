import type { Reporter } from '../progress.js';

/** Runs named stages, saying each on the reporter and adding its wall time (ms) to `timings`. */
export function stageTimer(reporter: Reporter): {
  timings: Record<string, number>;
  stage: <T>(name: string, work: () => Promise<T>) => Promise<T>;
} {
  const timings: Record<string, number> = {};
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    reporter.notice(`${name}…`);
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round((timings[name] ?? 0) + performance.now() - started);
    }
  };
  return { timings, stage };
}
