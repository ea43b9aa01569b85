/**
 * Quantiles of a count distribution (members per conversation, messages per conversation,
 * memberships per user): what a data profile keeps of them, and the quantile function the
 * generators draw from when they are fitted to a profile.
 *
 * Quantiles are of the "type 7" kind (R's default, numpy's `linear`): the value at rank
 * p × (n − 1) of the sorted values, interpolated between neighbours. A sample drawn at the
 * evenly spaced ranks u_k = k / (n − 1) of a quantile function Q has exactly Q(p) as its
 * type-7 quantile at p wherever p × (n − 1) is a whole number: that is how the generators
 * reproduce a profile's quantiles (see `stratifiedDraws`).
 */

/** The probabilities a profile keeps: every 5%, and finer towards the top (counts here are heavy-tailed). */
export const profileProbabilities = [
  0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 1,
] as const;

/** A distribution as a profile keeps it: how many values, their sum, and one quantile per `profileProbabilities`. */
export interface Quantiles {
  readonly n: number;
  readonly sum: number;
  /** Values at `profileProbabilities`, non-decreasing. */
  readonly q: readonly number[];
}

/**
 * The quantiles of a distribution given as a histogram (value → how many times), exact: the
 * profiler groups on the server and brings back only distinct values and their counts.
 */
export function quantilesOfHistogram(histogram: ReadonlyMap<number, number>): Quantiles {
  const entries = [...histogram.entries()].filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((t, [, count]) => t + count, 0);
  const sum = entries.reduce((t, [value, count]) => t + value * count, 0);
  if (n === 0) return { n: 0, sum: 0, q: profileProbabilities.map(() => 0) };
  const valueAtRank = (rank: number): number => {
    let seen = 0;
    for (const [value, count] of entries) {
      seen += count;
      if (rank < seen) return value;
    }
    return entries[entries.length - 1]?.[0] ?? 0;
  };
  const q = profileProbabilities.map((p) => {
    const h = p * (n - 1);
    const low = Math.floor(h);
    const a = valueAtRank(low);
    const b = valueAtRank(Math.min(n - 1, low + 1));
    return a + (h - low) * (b - a);
  });
  return { n, sum, q };
}

/** The quantiles of plain values (tests and the seeded side of a comparison). */
export function quantilesOf(values: Iterable<number>): Quantiles {
  const histogram = new Map<number, number>();
  for (const v of values) histogram.set(v, (histogram.get(v) ?? 0) + 1);
  return quantilesOfHistogram(histogram);
}

/**
 * The quantile function through the profile's points: between two neighbouring points a
 * curve t ↦ a + (b − a) t^γ with one curvature γ for all segments, chosen so that the
 * evenly spaced draws add up to the profile's `sum`. Straight segments (γ = 1) would
 * overshoot the total of a heavy-tailed count (a convex quantile function lies below its
 * chords); the points themselves, and so the quantiles, do not depend on γ.
 */
export class QuantileFunction {
  constructor(
    private readonly quantiles: Quantiles,
    readonly gamma = 1,
  ) {}

  /** Q(u) for u in [0, 1]. */
  at(u: number): number {
    const p = profileProbabilities;
    const q = this.quantiles.q;
    const clamped = Math.min(1, Math.max(0, u));
    let i = 1;
    while (i < p.length - 1 && clamped > (p[i] ?? 1)) i++;
    const lo = p[i - 1] ?? 0;
    const hi = p[i] ?? 1;
    const t = hi > lo ? (clamped - lo) / (hi - lo) : 0;
    const a = q[i - 1] ?? 0;
    const b = q[i] ?? 0;
    return a + (b - a) * t ** this.gamma;
  }
}

const rank = (k: number, n: number) => (n === 1 ? 0.5 : k / (n - 1));

/** Which draws to make: the `take` lowest ranks of n (default all), none above `ceiling`, adding up to `total` (default the profile's sum scaled to n). */
export interface DrawOptions {
  readonly take?: number | undefined;
  readonly ceiling?: number | undefined;
  readonly total?: number | undefined;
}

/** The curvature whose draws add up to the total (bisection on log γ, γ in [1/20, 20]). */
export function fitCurvature(quantiles: Quantiles, n: number, options: DrawOptions = {}): number {
  const take = options.take ?? n;
  if (take === 0 || quantiles.n === 0) return 1;
  const target = options.total ?? (quantiles.sum / quantiles.n) * n;
  const ceiling = options.ceiling ?? Infinity;
  const total = (gamma: number) => {
    const f = new QuantileFunction(quantiles, gamma);
    let s = 0;
    for (let k = 0; k < take; k++) s += Math.min(ceiling, f.at(rank(k, n)));
    return s;
  };
  // The total falls as γ grows.
  let lo = Math.log(1 / 20);
  let hi = Math.log(20);
  if (total(Math.exp(lo)) <= target) return Math.exp(lo);
  if (total(Math.exp(hi)) >= target) return Math.exp(hi);
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (total(Math.exp(mid)) > target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Integer draws of Q at the evenly spaced ranks k / (n − 1) (the median for n = 1), in
 * rank order, rounded so that they add up to the draws' own total: the caller shuffles
 * them over the entities (conversations, users) with its seeded stream.
 */
export function stratifiedDraws(quantiles: Quantiles, n: number, options: DrawOptions = {}): Float64Array {
  const take = options.take ?? n;
  const ceiling = options.ceiling ?? Infinity;
  const f = new QuantileFunction(quantiles, fitCurvature(quantiles, n, options));
  const draws = new Float64Array(take);
  let carry = 0;
  for (let k = 0; k < take; k++) {
    const exact = Math.min(ceiling, f.at(rank(k, n))) + carry;
    const rounded = Math.max(0, Math.round(exact));
    carry = exact - rounded;
    draws[k] = rounded;
  }
  return draws;
}
