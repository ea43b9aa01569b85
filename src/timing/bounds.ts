import { percentile, tQuantile } from './stats.js';

// ---------------------------------------------------------------------------------------
// Speedup bounds
// ---------------------------------------------------------------------------------------

/** The samples of one user class: latencies (ms) before and after the indexes. */
export interface SpeedupClassInput {
  key: string;
  before: readonly number[];
  after: readonly number[];
}

export interface SpeedupBoundsInput {
  classes: ReadonlyArray<SpeedupClassInput>;
  /** One-sided confidence of each bound (default 0.975: together a 95% two-sided interval). */
  confidence?: number;
  /** Least pooled degrees of freedom of the before side, Σ(n_j − 1) (default 2). */
  minBeforeDf?: number;
  /** Least after samples of a class (default 5; never below 2). */
  minAfter?: number;
}

export const speedupMethod = 'log-welch-pooled-before-conservative-df';

/** A class whose samples support an interval. `df` is the degrees of freedom of its t quantile, min(df_b, m − 1). */
export interface MeasuredSpeedupBound {
  state: 'measured';
  key: string;
  ratio: number;
  ciLow: number;
  ciHigh: number;
  method: typeof speedupMethod;
  confidence: number;
  beforeSamples: number;
  afterSamples: number;
  df: number;
}

/** A class whose samples do not support an interval: the point estimate where both sides have a sample, and why not. */
export interface InsufficientSpeedupBound {
  state: 'insufficient';
  key: string;
  ratio?: number;
  beforeSamples: number;
  afterSamples: number;
  reason: string;
}

export type SpeedupBound = MeasuredSpeedupBound | InsufficientSpeedupBound;

export const speedupDefaults = { confidence: 0.975, minBeforeDf: 2, minAfter: 5 } as const;

const isValidSample = (x: number): boolean => Number.isFinite(x) && x > 0;

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Unbiased sample variance (n − 1 denominator); 0 for fewer than two values. */
function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / (xs.length - 1);
}

/** Rounds outward to 2 decimals, so that rounding never narrows a bound. */
const floor2 = (x: number): number => Math.floor(x * 100 + 1e-9) / 100;
const ceil2 = (x: number): number => Math.ceil(x * 100 - 1e-9) / 100;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * One-sided lower and upper bounds for the speedup before / after of each user class,
 * made for few expensive "before" samples (collection scans) and many cheap "after"
 * samples, several classes at once ("log-scale Welch bound, before variance pooled
 * across classes").
 *
 * Method: on natural logs of the latencies, per class j, d_j = mean(log before_j) −
 * mean(log after_j), so `ratio` = exp(d_j) is the ratio of geometric means, which under
 * a lognormal model estimates the ratio of medians. The before log-variance is pooled over
 * all classes: s_p² = Σ(n_j − 1)·s_j² / Σ(n_j − 1) with df_b = Σ(n_j − 1) (a class with one
 * before sample contributes its mean, no degrees of freedom); the after log-variance s_a_j²
 * is per class with m_j − 1 degrees of freedom. SE_j² = s_p²/n_j + s_a_j²/m_j, degrees of
 * freedom ν_j = min(df_b, m_j − 1) (conservative: Welch–Satterthwaite's estimate undercovers
 * with so few before degrees of freedom), and the bounds are exp(d_j ∓ t_{confidence, ν_j}·SE_j), each one-sided at `confidence`.
 *
 * Assumptions: latencies are lognormal (multiplicative noise) and independent; the before
 * log-variance is the same in every class: the before side is collection scans whose noise
 * is the machine's multiplicative noise, not the class's. Where that fails (a class much
 * noisier than the others) its bounds are too narrow.
 *
 * A class is 'insufficient' (with the point estimate where both sides have a sample, and
 * the reason) when a sample is ≤ 0 or not finite, when it has no before sample, when the
 * pooled before degrees of freedom are below `minBeforeDf`, or when it has fewer than
 * `minAfter` after samples. `ratio` is rounded to 2 decimals, `ciLow` down and `ciHigh` up.
 */
export function speedupBounds(input: SpeedupBoundsInput): SpeedupBound[] {
  const confidence = input.confidence ?? speedupDefaults.confidence;
  if (!(confidence > 0.5 && confidence < 1)) throw new RangeError(`confidence must lie in (0.5, 1), got ${confidence}`);
  const minBeforeDf = Math.max(1, input.minBeforeDf ?? speedupDefaults.minBeforeDf);
  const minAfter = Math.max(2, input.minAfter ?? speedupDefaults.minAfter);

  const classes = input.classes.map((c) => {
    const beforeValid = c.before.every(isValidSample);
    const afterValid = c.after.every(isValidSample);
    const logBefore = beforeValid ? c.before.map(Math.log) : [];
    const logAfter = afterValid ? c.after.map(Math.log) : [];
    return { ...c, beforeValid, afterValid, logBefore, logAfter };
  });

  // Pool the before log-variance over every class whose before samples are usable.
  let pooledSum = 0;
  let dfBefore = 0;
  for (const c of classes) {
    if (!c.beforeValid || c.logBefore.length < 2) continue;
    pooledSum += (c.logBefore.length - 1) * variance(c.logBefore);
    dfBefore += c.logBefore.length - 1;
  }
  const pooledVariance = dfBefore > 0 ? pooledSum / dfBefore : 0;

  return classes.map((c): SpeedupBound => {
    const beforeSamples = c.before.length;
    const afterSamples = c.after.length;
    const insufficient = (reason: string, withRatio: boolean): InsufficientSpeedupBound => ({
      state: 'insufficient',
      key: c.key,
      ...(withRatio && beforeSamples > 0 && afterSamples > 0 ? { ratio: round2(Math.exp(mean(c.logBefore) - mean(c.logAfter))) } : {}),
      beforeSamples,
      afterSamples,
      reason,
    });
    if (!c.beforeValid || !c.afterValid) {
      const sides = [!c.beforeValid ? 'before' : '', !c.afterValid ? 'after' : ''].filter(Boolean).join(' and ');
      return insufficient(`a ${sides} sample is zero, negative or not finite`, false);
    }
    if (beforeSamples === 0 || afterSamples === 0) {
      const sides = [beforeSamples === 0 ? 'before' : '', afterSamples === 0 ? 'after' : ''].filter(Boolean).join(' and ');
      return insufficient(`no ${sides} samples`, false);
    }
    if (dfBefore < minBeforeDf) {
      return insufficient(
        `the before samples pooled across ${classes.length} class(es) give ${dfBefore} degree(s) of freedom, at least ${minBeforeDf} needed (Σ(n−1) over classes)`,
        true,
      );
    }
    if (afterSamples < minAfter) return insufficient(`${afterSamples} after sample(s), at least ${minAfter} needed`, true);

    const n = beforeSamples;
    const m = afterSamples;
    const d = mean(c.logBefore) - mean(c.logAfter);
    const vb = pooledVariance / n;
    const va = variance(c.logAfter) / m;
    const se2 = vb + va;
    const se = Math.sqrt(se2);
    // Conservative degrees of freedom, min(df_b, m − 1) (the Hsu/Scheffé choice for Welch's
    // test): the Welch–Satterthwaite estimate is itself noisy with 2–6 pooled before degrees
    // of freedom and comes out high exactly when the before variance is small by chance;
    // simulated, it covered 0.958–0.977 where this covers ≥ 0.97 (test/unit/speedup-bound.test.ts).
    const df = Math.min(dfBefore, m - 1);
    const t = tQuantile(confidence, df);
    return {
      state: 'measured',
      key: c.key,
      ratio: round2(Math.exp(d)),
      ciLow: floor2(Math.exp(d - t * se)),
      ciHigh: ceil2(Math.exp(d + t * se)),
      method: speedupMethod,
      confidence,
      beforeSamples,
      afterSamples,
      df: Math.round(df * 100) / 100,
    };
  });
}

/**
 * A speedup bound against a required speedup: 'pass' when the lower bound reaches it,
 * 'fail' when the upper bound stays below it, else (and always for an 'insufficient'
 * bound) 'inconclusive'. Each side errs with probability at most 1 − confidence.
 */
export function judgeAgainst(bound: SpeedupBound, threshold: number): 'pass' | 'fail' | 'inconclusive' {
  if (bound.state !== 'measured') return 'inconclusive';
  if (bound.ciLow >= threshold) return 'pass';
  if (bound.ciHigh < threshold) return 'fail';
  return 'inconclusive';
}

// ---------------------------------------------------------------------------------------
// Quantile bounds
// ---------------------------------------------------------------------------------------

export const quantileMethod = 'order-statistic (binomial)';

export interface QuantileBounds {
  q: number;
  n: number;
  /** The R-7 percentile (linear interpolation between order statistics); NaN without samples. */
  estimate: number;
  /** One-sided lower bound at `confidence`; absent when the samples cannot give one. */
  lower?: number;
  /** One-sided upper bound at `confidence`; absent when the samples cannot give one. */
  upper?: number;
  confidence: number;
  method: typeof quantileMethod;
}

function checkProbability(name: string, p: number, low: number): void {
  if (!(p > low && p < 1)) throw new RangeError(`${name} must lie in (${low}, 1), got ${p}`);
}

/**
 * The probabilities P(Bin(n, q) = k), k = 0…n, by exact summation in log space
 * (log pmf(k+1) = log pmf(k) + log((n−k)/(k+1)) + log(q/(1−q))). 0 < q < 1.
 */
function binomialPmf(n: number, q: number): number[] {
  const logs: number[] = new Array<number>(n + 1);
  let log = n * Math.log1p(-q);
  const logOdds = Math.log(q) - Math.log1p(-q);
  logs[0] = log;
  for (let k = 0; k < n; k++) {
    log += Math.log((n - k) / (k + 1)) + logOdds;
    logs[k + 1] = log;
  }
  return logs.map(Math.exp);
}

/**
 * Distribution-free one-sided bounds for the q-quantile of a latency distribution from
 * order statistics. With x_(1) ≤ … ≤ x_(n): P(x_(k) ≥ ξ_q) ≥ P(Bin(n, q) ≤ k − 1), so the
 * upper bound is the smallest x_(k) with P(Bin(n, q) ≤ k − 1) ≥ confidence, and the lower
 * bound the largest x_(k) with P(Bin(n, q) ≥ k) ≥ confidence; either is absent when no
 * order statistic qualifies (too few samples). Binomial probabilities by exact summation.
 *
 * Assumption: the samples are independent draws from one continuous distribution (no
 * shape assumed); the coverage is then at least `confidence` for each bound.
 */
export function quantileBounds(samples: readonly number[], q: number, confidence = 0.975): QuantileBounds {
  checkProbability('q', q, 0);
  checkProbability('confidence', confidence, 0);
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const out: QuantileBounds = { q, n, estimate: percentile(sorted, q * 100), confidence, method: quantileMethod };
  if (n === 0) return out;
  const pmf = binomialPmf(n, q);

  // Upper: smallest k (1-based) with P(Bin ≤ k − 1) ≥ confidence.
  let cdf = 0;
  for (let k = 1; k <= n; k++) {
    cdf += pmf[k - 1] ?? 0;
    if (cdf >= confidence) {
      out.upper = sorted[k - 1];
      break;
    }
  }
  // Lower: largest k with P(Bin ≥ k) ≥ confidence (upper tail summed from the top).
  let tail = 0;
  for (let k = n; k >= 1; k--) {
    tail += pmf[k] ?? 0;
    if (tail >= confidence) {
      out.lower = sorted[k - 1];
      break;
    }
  }
  return out;
}

/**
 * Quantile bounds against a latency budget: 'pass' when the upper bound is within the
 * budget, 'fail' when the lower bound exceeds it, else 'inconclusive'.
 */
export function judgeBudget(bounds: Pick<QuantileBounds, 'lower' | 'upper'>, budgetMs: number): 'pass' | 'fail' | 'inconclusive' {
  if (bounds.upper !== undefined && bounds.upper <= budgetMs) return 'pass';
  if (bounds.lower !== undefined && bounds.lower > budgetMs) return 'fail';
  return 'inconclusive';
}

/**
 * The fewest samples whose largest can bound the q-quantile from above at `confidence`:
 * the smallest n with P(Bin(n, q) ≤ n − 1) = 1 − qⁿ ≥ confidence (e.g. 72 for q = 0.95,
 * confidence = 0.975). Computed from the binomial condition quantileBounds uses.
 */
export function minSamplesForUpperBound(q: number, confidence: number): number {
  checkProbability('q', q, 0);
  checkProbability('confidence', confidence, 0);
  let n = 1;
  // 1 − qⁿ, in log space so that q near 1 stays exact.
  while (-Math.expm1(n * Math.log(q)) < confidence) n++;
  return n;
}
