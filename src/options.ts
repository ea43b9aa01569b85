import { InvalidArgumentError } from 'commander';

/**
 * Parsers for command-line values. Each returns the typed value or throws commander's
 * InvalidArgumentError, which the CLI turns into one line and exit code 2.
 */

export { type Baseline, baselines } from '../indexes/index.js';

export const reportFormats = ['md', 'html', 'junit'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const defaultSeed = 20260126;

export function parseNonNegativeInt(what: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a non-negative integer, got "${value}".`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be at most ${Number.MAX_SAFE_INTEGER}, got "${value}".`);
    return n;
  };
}

export function parsePositiveNumber(what: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= min) {
      throw new InvalidArgumentError(`${what} must be a number greater than ${min}, got "${value}".`);
    }
    return n;
  };
}

/** For repeatable options: `--pattern a --pattern b` (also accepts `--pattern a,b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [...(previous ?? []), ...parts];
}
