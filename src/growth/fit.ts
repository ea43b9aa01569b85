import { tQuantile } from '../timing/stats.js';

/**
 * How a cost grows with the data: y = c · x^k fitted by least squares on logarithms (a
 * straight line on a log-log chart), the exponent k with its 95% interval (Student's t on
 * n − 2 degrees of freedom: with three sizes, one degree, and an interval to match), and
 * where the fitted curve crosses a budget.
 */
export interface PowerFit {
  /** The fitted exponent: 1 grows linearly with the size, 0 stays flat. */
  readonly exponent: number;
  /** 95% interval of the exponent; null with two sizes (a line through two points has no spread). */
  readonly interval: readonly [number, number] | null;
  /** ln c. */
  readonly logScale: number;
  readonly points: number;
}

/** Fits y = c · x^k to points with x > 0 and y > 0 (the others are left out); null below two points or with one size. */
export function fitPowerLaw(points: ReadonlyArray<{ readonly x: number; readonly y: number }>): PowerFit | null {
  const used = points.filter((p) => p.x > 0 && p.y > 0).map((p) => ({ lx: Math.log(p.x), ly: Math.log(p.y) }));
  const n = used.length;
  if (n < 2) return null;
  const mx = used.reduce((s, p) => s + p.lx, 0) / n;
  const my = used.reduce((s, p) => s + p.ly, 0) / n;
  const sxx = used.reduce((s, p) => s + (p.lx - mx) ** 2, 0);
  if (sxx === 0) return null;
  const exponent = used.reduce((s, p) => s + (p.lx - mx) * (p.ly - my), 0) / sxx;
  const logScale = my - exponent * mx;
  let interval: readonly [number, number] | null = null;
  if (n > 2) {
    const residual = used.reduce((s, p) => s + (p.ly - (logScale + exponent * p.lx)) ** 2, 0);
    const se = Math.sqrt(residual / (n - 2) / sxx);
    const t = tQuantile(0.975, n - 2);
    interval = [exponent - t * se, exponent + t * se];
  }
  return { exponent, interval, logScale, points: n };
}

/** The fitted curve at x. */
export function fittedAt(fit: PowerFit, x: number): number {
  return Math.exp(fit.logScale + fit.exponent * Math.log(x));
}

/** Where a growing cost reaches `budget`: the size x with c · x^k = budget; null when it does not grow (k ≤ 0.05). */
export function crossingSize(fit: PowerFit, budget: number): number | null {
  if (fit.exponent <= 0.05) return null;
  return Math.exp((Math.log(budget) - fit.logScale) / fit.exponent);
}
