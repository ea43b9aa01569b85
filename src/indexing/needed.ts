import type { HiddenEffect, IndexPrice, IndexSetPrice, NeededCheck } from './price.js';

/**
 * Whether a used index is *needed*, judged on the evidence: the index hidden (the planner then
 * ignores it; MongoDB still maintains it), each command that used it explained again, and its
 * plan with the index set beside its plan without it. A command loses its plan without the index
 * when a collection scan or a blocking sort appears that it did not have, when it no longer
 * finishes within the run's command limit, or when its work (keys + documents examined) grows
 * past `factor` times and by at least `floor`. Otherwise another index serves it as well, and
 * the plan names which. Pure: src/run/needed.ts hides, explains and unhides.
 */

/** What the judge reads of a plan (a pattern's or a route command's measurement). */
export interface PlanFacts {
  readonly collscan: boolean;
  readonly blockingSort: boolean;
  /** Keys + documents examined; null when the command did not finish within its limit (only its plan is known). */
  readonly work: number | null;
  readonly indexesUsed: readonly string[];
}

/** When more work counts as a lost plan: more than `factor` times the work with the index, and at least `floor` more. */
export interface NeededRule {
  readonly factor: number;
  readonly floor: number;
}

/**
 * 2x and 100 keys + documents: twice the work is the least a planner's switch costs that a
 * reviewer would call another plan (an index walked the other way, or one a field shorter that
 * filters a few documents more, stays under it); the floor keeps a page of 15 documents that
 * becomes 40 from counting as lost.
 */
export const defaultNeededRule: NeededRule = { factor: 2, floor: 100 };

/** The facts of a measurement: a route command's or a pattern's (its work unknown when it was over its limit). */
export function planFacts(m: {
  readonly collscan: boolean;
  readonly blockingSort: boolean;
  readonly totalKeysExamined: number;
  readonly totalDocsExamined: number;
  readonly indexesUsed: readonly string[];
  readonly overLimitMs?: number | undefined;
  readonly overLimit?: unknown;
}): PlanFacts {
  const over = m.overLimitMs !== undefined || (m.overLimit !== undefined && m.overLimit !== null);
  return {
    collscan: m.collscan,
    blockingSort: m.blockingSort,
    work: over ? null : m.totalKeysExamined + m.totalDocsExamined,
    indexesUsed: [...m.indexesUsed],
  };
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * One command's plan with the index and without it: lost (why), or kept (the index of the
 * hidden one's collection, `candidates`, that the plan used instead: one it did not use before
 * first).
 */
export function judgeWithout(
  withIt: PlanFacts,
  without: PlanFacts,
  candidates: readonly string[],
  rule: NeededRule = defaultNeededRule,
): Pick<HiddenEffect, 'lost' | 'why' | 'switchedTo'> {
  const instead =
    without.indexesUsed.find((n) => candidates.includes(n) && !withIt.indexesUsed.includes(n)) ??
    without.indexesUsed.find((n) => candidates.includes(n)) ??
    null;
  const lost = (why: string) => ({ lost: true, why, switchedTo: instead });
  if (without.work === null && withIt.work !== null) return lost('no longer finishes within the command limit');
  if (without.collscan && !withIt.collscan) return lost('a collection scan');
  if (without.blockingSort && !withIt.blockingSort) return lost('a blocking sort');
  if (withIt.work !== null && without.work !== null) {
    const grown = without.work > rule.factor * withIt.work && without.work - withIt.work >= rule.floor;
    if (grown) return lost(`keys + documents examined ${count(withIt.work)} → ${count(without.work)}`);
  }
  const work =
    withIt.work !== null && without.work !== null ? `keys + documents examined ${count(withIt.work)} → ${count(without.work)}` : 'its plan';
  return { lost: false, why: instead ? `${work} on ${instead}` : work, switchedTo: instead };
}

/**
 * The verdict of one used index from its commands' plans without it: `needed` when one lost its
 * plan (`neededBy` names each such command once); `redundant` with the index the plans chose
 * instead when none did and every command that used it was explained again (`unchecked`: how
 * many could not be, e.g. a remedy's, measured with indexes since dropped); else still `used`.
 */
export function verdictWithout(price: IndexPrice, effects: readonly HiddenEffect[], unchecked: number): IndexPrice {
  const neededBy = [...new Set(effects.filter((e) => e.lost).map((e) => e.by))];
  if (neededBy.length > 0) return { ...price, verdict: 'needed', neededBy, whenHidden: effects };
  const chosen = new Map<string, number>();
  for (const e of effects) if (e.switchedTo) chosen.set(e.switchedTo, (chosen.get(e.switchedTo) ?? 0) + 1);
  const [instead] = [...chosen.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  if (effects.length > 0 && unchecked === 0 && instead)
    return {
      ...price,
      verdict: 'redundant',
      redundantWith: { name: instead, reason: 'the queries chose it when hidden' },
      whenHidden: effects,
    };
  return { ...price, whenHidden: effects };
}

/** The price with the hidden-index evidence applied to the indexes checked, and how it was checked. */
export function withNeeded(price: IndexSetPrice, judged: ReadonlyMap<string, IndexPrice>, check: NeededCheck): IndexSetPrice {
  return { ...price, neededCheck: check, indexes: price.indexes.map((p) => judged.get(`${p.collection}.${p.name}`) ?? p) };
}

/** Indexes --only-needed leaves out: judged redundant or unused. */
export const leftOutByNeeded = (p: Pick<IndexPrice, 'verdict'>): boolean => p.verdict === 'redundant' || p.verdict === 'unused';
