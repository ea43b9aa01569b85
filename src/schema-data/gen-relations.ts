import { type Quantiles, stratifiedDraws } from '../data/quantiles.js';
import type { Rng } from '../data/random.js';

/**
 * How the children of a relation are dealt to their parents, in typed arrays only (about 4
 * bytes a child and 4 a parent): each parent's number of children drawn from the profile's
 * quantiles (evenly spaced ranks, dealt to the parents in a seeded order, per value of the
 * parent's field when the profile conditions on one), scaled to the children there are; then
 * the children's seats shuffled (a configuration model: a join's two keys are two independent
 * shuffles of the two parents' seats, each side keeping its own fan-out).
 */

/** A child's key that names no parent: left out, null, or an id no parent has. */
export const keyCodes = { absent: -1, null: -2, dangling: -3 } as const;

/** A distribution of `n` drawn at `count` items: the same shape, its sum scaled to the count (src/data/quantiles.ts). */
export const atCount = (q: Quantiles, count: number): Quantiles => ({ n: count, sum: (q.sum * count) / Math.max(1, q.n), q: q.q });

/**
 * Integer counts in proportion to `weights`, adding up to `total`, none above `ceiling`
 * (largest remainder, ties to the lower index; what a ceiling cuts goes to the largest
 * weights still below it). Gives fewer than `total` only when `total` exceeds n × ceiling.
 */
export function apportion(weights: Float64Array, total: number, ceiling = Infinity): Int32Array {
  const n = weights.length;
  const counts = new Int32Array(n);
  if (n === 0 || total <= 0) return counts;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += weights[k] ?? 0;
  const weight = (k: number) => (sum > 0 ? (weights[k] ?? 0) : 1);
  const scale = total / (sum > 0 ? sum : n);
  let given = 0;
  const remainders = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const exact = weight(k) * scale;
    const c = Math.min(ceiling, Math.floor(exact));
    counts[k] = c;
    given += c;
    remainders[k] = exact >= ceiling ? -1 : exact - c;
  }
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => (remainders[b] ?? 0) - (remainders[a] ?? 0) || a - b);
  for (let k = 0; k < n && given < total; k++) {
    const at = order[k] ?? 0;
    if ((remainders[at] ?? -1) < 0 || (counts[at] ?? 0) >= ceiling) continue;
    counts[at] = (counts[at] ?? 0) + 1;
    given++;
  }
  if (given < total) {
    // The ceiling cut some: the rest goes one at a time to the heaviest below it.
    const heaviest = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => weight(b) - weight(a) || a - b);
    let progress = true;
    while (given < total && progress) {
      progress = false;
      for (let k = 0; k < n && given < total; k++) {
        const at = heaviest[k] ?? 0;
        if ((counts[at] ?? 0) < ceiling) {
          counts[at] = (counts[at] ?? 0) + 1;
          given++;
          progress = true;
        }
      }
    }
  }
  return counts;
}

/** The parents' classes (the values of the field the fan-out is conditioned on): a class index per parent, and per class its fan-out. */
export interface ParentClasses {
  readonly of: Uint8Array;
  readonly perParent: readonly Quantiles[];
}

/** Ranks drawn exactly: above it, the draws are interpolated (fitting the curvature costs 40 passes over the ranks). */
const exactRanks = 4096;

/**
 * `stratifiedDraws` at n ranks, in rank order: exact up to `exactRanks`; beyond, drawn there and
 * interpolated linearly between neighbouring ranks (the largest draw stays one parent's). The
 * caller scales the sum (`apportion`).
 */
function rankDraws(q: Quantiles, n: number, ceiling: number): Float64Array {
  const coarse = Math.min(n, exactRanks);
  const base = stratifiedDraws(atCount(q, coarse), coarse, { ceiling });
  if (coarse === n) return base;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const at = (k * (coarse - 1)) / (n - 1);
    const low = Math.floor(at);
    const a = base[low] ?? 0;
    out[k] = Math.round(a + (at - low) * ((base[Math.min(coarse - 1, low + 1)] ?? a) - a));
  }
  return out;
}

/**
 * Each parent's number of children: the distribution (per class, if given) drawn at evenly
 * spaced ranks and dealt to the parents in the order of `rng`, then scaled to `total` under
 * `ceiling`.
 */
export function fanOut(
  perParent: Quantiles,
  parents: number,
  total: number,
  ceiling: number,
  rng: Rng,
  classes?: ParentClasses,
): Int32Array {
  const weights = new Float64Array(parents);
  if (!classes) {
    const draws = rankDraws(perParent, parents, ceiling);
    rng.shuffle(draws);
    weights.set(draws);
  } else {
    classes.perParent.forEach((q, c) => {
      let members = 0;
      for (let p = 0; p < parents; p++) if (classes.of[p] === c) members++;
      const draws = rankDraws(q, members, ceiling);
      rng.shuffle(draws);
      let k = 0;
      for (let p = 0; p < parents; p++) if (classes.of[p] === c) weights[p] = draws[k++] ?? 0;
    });
  }
  return apportion(weights, total, ceiling);
}

/** Each parent's index repeated as many times as it has children: the seats, in parent order. */
export function seatsOf(counts: Int32Array, length: number): Int32Array {
  const seats = new Int32Array(length);
  let at = 0;
  for (let p = 0; p < counts.length; p++) for (let k = 0; k < (counts[p] ?? 0) && at < length; k++) seats[at++] = p;
  return seats;
}

/** The children's keys: `counts` seats, then the left-out, null and dangling keys, all shuffled. */
export function childKeys(
  counts: Int32Array,
  children: number,
  missing: { absent: number; null: number; dangling: number },
  rng: Rng,
): Int32Array {
  const keys = seatsOf(counts, children);
  let at = counts.reduce((a, b) => a + b, 0);
  for (const [code, n] of [
    [keyCodes.absent, missing.absent],
    [keyCodes.null, missing.null],
    [keyCodes.dangling, missing.dangling],
  ] as const) {
    for (let k = 0; k < n && at < children; k++) keys[at++] = code;
  }
  rng.shuffle(keys);
  return keys;
}

/**
 * Makes the pairs (a[i], b[i]) distinct where both name a parent, by swapping b's between
 * children (so both sides keep their counts): what a `@@unique` over the two keys asks.
 * Throws when a duplicate finds no partner (a fan-out near the other side's count; the
 * profile check refuses those first).
 */
export function separatePairs(a: Int32Array, b: Int32Array, bCount: number, rng: Rng, what: string): void {
  const key = (x: number, y: number) => x * bCount + y;
  const seen = new Set<number>();
  const duplicates: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x < 0 || y < 0) continue;
    if (seen.has(key(x, y))) duplicates.push(i);
    else seen.add(key(x, y));
  }
  // A duplicate not yet fixed holds no key of its own in `seen` (its key is its twin's): never swap with one.
  const pending = new Set(duplicates);
  for (const i of duplicates) {
    let fixed = false;
    for (let tries = 0; tries < 1000 && !fixed; tries++) {
      const j = rng.int(a.length);
      const [ai, bi, aj, bj] = [a[i] ?? 0, b[i] ?? 0, a[j] ?? 0, b[j] ?? 0];
      if (j === i || pending.has(j) || aj < 0 || bj < 0) continue;
      const mine = key(ai, bj);
      const theirs = key(aj, bi);
      if (mine === theirs || seen.has(mine) || seen.has(theirs)) continue;
      seen.delete(key(aj, bj));
      seen.add(mine);
      seen.add(theirs);
      b[i] = bj;
      b[j] = bi;
      fixed = true;
      pending.delete(i);
    }
    if (!fixed) throw new Error(`${what}: cannot make the pair of child ${i} unique; lower the fan-out or raise the factor`);
  }
}

/** A many-to-many relation kept on both sides: each side's lists, as offsets into one array of the other side's indexes. */
export interface Adjacency {
  readonly offsets: Int32Array;
  readonly others: Int32Array;
}

/** Both sides' lists from both sides' lengths (which must add up to the same total): a configuration model, pairs made distinct. */
export function pairLists(aLengths: Int32Array, bLengths: Int32Array, rng: Rng, what: string): { a: Adjacency; b: Adjacency } {
  const edges = aLengths.reduce((s, v) => s + v, 0);
  const aSeats = seatsOf(aLengths, edges);
  const bSeats = seatsOf(bLengths, edges);
  rng.shuffle(bSeats);
  separatePairs(aSeats, bSeats, bLengths.length, rng, what);
  const offsets = (lengths: Int32Array) => {
    const o = new Int32Array(lengths.length + 1);
    for (let k = 0; k < lengths.length; k++) o[k + 1] = (o[k] ?? 0) + (lengths[k] ?? 0);
    return o;
  };
  // aSeats is in a's order: a's lists are bSeats as they stand. b's lists: a counting sort of the pairs by b.
  const bOffsets = offsets(bLengths);
  const bOthers = new Int32Array(edges);
  const filled = bOffsets.slice(0, bLengths.length);
  for (let k = 0; k < edges; k++) {
    const y = bSeats[k] ?? 0;
    const at = filled[y] ?? 0;
    bOthers[at] = aSeats[k] ?? 0;
    filled[y] = at + 1;
  }
  return { a: { offsets: offsets(aLengths), others: bSeats }, b: { offsets: bOffsets, others: bOthers } };
}
