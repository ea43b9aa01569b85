import type { Db } from 'mongodb';
import { throwIfAborted } from '../errors.js';
import { withIndexesHidden } from '../indexing/hide.js';
import { listIndexes } from '../indexing/inspect.js';
import {
  defaultNeededRule,
  judgeWithout,
  leftOutByNeeded,
  type NeededRule,
  type PlanFacts,
  planFacts,
  verdictWithout,
  withNeeded,
} from '../indexing/needed.js';
import type { HiddenEffect, IndexPrice, IndexSetPrice } from '../indexing/price.js';
import { measurementKey } from '../keys.js';
import { isOverLimit } from '../mongo/over-limit.js';
import { analyzeExplain } from '../plan/analyze.js';
import { indexKeyResolver, measurementOf } from '../plan/measurement.js';
import type { Reporter } from '../progress.js';
import type { Measurement } from '../result.js';
import { explainCommand } from '../route-engine/measure.js';
import { type CommandShape, explainShape, sameCommandKey } from '../route-engine/recorder.js';
import type { ClassContext } from '../users/user-classes.js';
import type { QueryPattern } from '../workload.js';
import type { RoutesRun } from './measure-routes.js';
import { explainQuery, patternShape } from './pattern-query.js';

/**
 * The `needed` check (bench only, on its own target): each index of the set the price found
 * `used` is hidden in turn, every command that used it (a route command, the rewrite's included,
 * or a pattern, per user class) is explained again, executionStats, untimed, under the run's
 * command limit (its cost is bounded by it, not by the time budget: no timed call starts), and the
 * plan is judged against the one it had with the index (src/indexing/needed.ts). The indexes
 * are taken last first; each is hidden together with those of its collection already judged
 * redundant or unused (what `indexes script --only-needed` leaves out), so that two indexes that
 * stand in for each other are never both left out: the later one is. Everything hidden is
 * unhidden before the next index.
 */

/** A command that used an index after the set: its plan then, and how to explain it again on the current state. */
export interface Reexplainable {
  /** The price's `usedBy` entry: `route <id> <step>` or `pattern <id>`. */
  readonly by: string;
  readonly userClass: string;
  /** Its plan as measured after the set (which indexes it used). */
  readonly measured: PlanFacts;
  /**
   * Measured on another state (the rewrite, with the remedy indexes since dropped): its plan with
   * the index is explained again too, before the index is hidden, and is what the hidden plan is judged against.
   */
  readonly measuredElsewhere?: boolean;
  /** Explains it on the target's current state (over the limit: its plan only, `work` null). */
  readonly explain: () => Promise<PlanFacts>;
  /**
   * The command it sends (src/route-engine/recorder.ts sameCommandKey): a route command and a pattern that send the same one
   * (the driver model's steps are the patterns) are explained once per hidden state, and both are judged on that explain.
   */
  readonly sends?: string;
}

/** An explain that fell back to the plan only (over the limit): its work unknown. */
const orPlanOnly = (full: () => Promise<PlanFacts>, planOnly: () => Promise<PlanFacts>, withIt: PlanFacts) => (): Promise<PlanFacts> =>
  // Over the limit with the index: over it without, too; only its plan is compared.
  withIt.work === null
    ? planOnly()
    : full().catch((error: unknown) => {
        if (!isOverLimit(error)) throw error;
        return planOnly();
      });

/** A command's key, with how it is explained again (a command over the limit with the index is only planned). */
const sendsKey = (withIt: PlanFacts, command: string): string => `${withIt.work === null ? 'plan' : 'full'} ${command}`;

/** The gated routes' commands after the set, per class, each with its plan then (a remedy's are not: its indexes are gone). */
export function routeCommands(db: Db, routeRun: RoutesRun | undefined, limitMs: number): Reexplainable[] {
  const keyOf = indexKeyResolver(db);
  return (routeRun?.sent ?? []).flatMap((sent) => {
    const measured = routeRun?.routes
      .find((r) => r.id === sent.route && r.userClass === sent.userClass && r.role === sent.role)
      ?.commands.find((c) => c.step === sent.step)?.after;
    if (!measured) return [];
    const withIt = planFacts(measured);
    const elsewhere = sent.role === 'remedy';
    const first = sent.shapes[0] as CommandShape;
    const planOnly = async (): Promise<PlanFacts> => ({
      ...planFacts(analyzeExplain(await explainShape(db, sent.collection, first, limitMs, 'queryPlanner'), sent.collection)),
      work: null,
    });
    return [
      {
        by: `route ${sent.route} ${sent.step}`,
        userClass: sent.userClass,
        measured: withIt,
        ...(sent.shapes.length === 1 ? { sends: sendsKey(withIt, sameCommandKey(sent.collection, first)) } : {}),
        ...(elsewhere ? { measuredElsewhere: true } : {}),
        explain: orPlanOnly(
          () => explainCommand(db, sent.collection, sent.shapes, limitMs, keyOf).then(planFacts),
          planOnly,
          // The rewrite's own measurement was with other indexes: only a command over the limit on this state is plan-only.
          elsewhere ? { ...withIt, work: 0 } : withIt,
        ),
      },
    ];
  });
}

/** Every pattern for every class, with its plan after the set. */
export function patternCommands(
  db: Db,
  patterns: readonly QueryPattern[],
  classes: readonly ClassContext[],
  after: ReadonlyMap<string, Measurement> | undefined,
  limitMs: number,
): Reexplainable[] {
  const keyOf = indexKeyResolver(db);
  return patterns.flatMap((p) =>
    classes.flatMap(({ user, context }) => {
      const measured = after?.get(measurementKey(p.id, user.userClass));
      if (!measured) return [];
      const query = p.build(context);
      const withIt = planFacts(measured);
      const planOnly = async (): Promise<PlanFacts> => ({
        ...planFacts(await measurementOf(await explainQuery(db, p.collection, query, { verbosity: 'queryPlanner' }), p.collection, keyOf)),
        work: null,
      });
      const full = async () =>
        planFacts(await measurementOf(await explainQuery(db, p.collection, query, { maxTimeMS: limitMs }), p.collection, keyOf));
      const sent = patternShape(p.collection, query);
      return [
        {
          by: `pattern ${p.id}`,
          userClass: user.userClass,
          measured: withIt,
          explain: orPlanOnly(full, planOnly, withIt),
          sends: sendsKey(withIt, sameCommandKey(sent.collection, sent.shape)),
        },
      ];
    }),
  );
}

export interface NeededInput {
  readonly db: Db;
  readonly price: IndexSetPrice;
  readonly commands: readonly Reexplainable[];
  readonly limitMs: number;
  readonly reporter: Reporter;
  readonly signal?: AbortSignal | undefined;
  readonly rule?: NeededRule;
}

export async function checkNeeded(input: NeededInput): Promise<IndexSetPrice> {
  const started = performance.now();
  const { db, price, reporter } = input;
  const rule = input.rule ?? defaultNeededRule;
  // An index of the set held under its own name (not the baseline's index an `equivalent` one names): only those are hidden.
  const own = (p: IndexPrice) => p.sizeBytes !== null && p.serverName === p.name;
  const leftOut = price.indexes.filter((p) => own(p) && leftOutByNeeded(p));
  const candidates = new Map<string, string[]>();
  for (const collection of new Set(price.indexes.map((p) => p.collection)))
    candidates.set(
      collection,
      (await listIndexes(db, collection)).map((ix) => ix.name),
    );
  const judged = new Map<string, IndexPrice>();
  let explains = 0;
  // The plan with the index of a command measured on another state, explained on this one once.
  const current = new Map<Reexplainable, PlanFacts>();
  // Last first: of two indexes that stand in for each other the later is left out, as of two with the same key (src/indexing/price.ts).
  for (const p of [...price.indexes].reverse()) {
    if (p.verdict !== 'used' || !own(p)) continue;
    throwIfAborted(input.signal);
    const jobs = input.commands.filter((c) => p.usedBy.includes(c.by) && c.measured.indexesUsed.includes(p.serverName));
    for (const job of jobs.filter((j) => j.measuredElsewhere && !current.has(j))) {
      current.set(job, await job.explain());
      explains++;
    }
    const withOf = (job: Reexplainable) => current.get(job) ?? job.measured;
    const unchecked = p.usedBy.filter((by) => !jobs.some((c) => c.by === by)).length;
    const others = (candidates.get(p.collection) ?? []).filter((n) => n !== p.serverName);
    const hidden = [p, ...leftOut.filter((l) => l.collection === p.collection)];
    reporter.notice(
      `needed: hiding ${hidden.map((h) => h.name).join(', ')}; ${jobs.length} command(s) that used ${p.name} explained again`,
    );
    // One explain at a time: an explain's outcome here, over the limit or its work, is a reported fact, and two at once slow each
    // other on the same server (under Wine a 1 M-document scan reached the 10 s limit beside a `$lookup`; alone it takes about 3 s).
    // The same command sent by a route and by a pattern is explained once on this state.
    const sending = new Map<string, PlanFacts>();
    let reused = 0;
    const explainWithout = async (job: Reexplainable): Promise<PlanFacts> => {
      const once = job.sends === undefined ? undefined : sending.get(job.sends);
      if (once) {
        reused++;
        return once;
      }
      explains++;
      const explained = await job.explain();
      if (job.sends !== undefined) sending.set(job.sends, explained);
      return explained;
    };
    const effects = await withIndexesHidden(
      db,
      hidden.map((h) => ({ collection: h.collection, name: h.serverName })),
      async () => {
        const out: HiddenEffect[] = [];
        for (const by of new Set(jobs.map((j) => j.by))) {
          // Class by class: one class that loses its plan makes the index needed by this command; the others are not asked.
          for (const job of jobs.filter((j) => j.by === by)) {
            throwIfAborted(input.signal);
            const without = await explainWithout(job);
            const judgement = judgeWithout(withOf(job), without, others, rule);
            out.push({ by, userClass: job.userClass, ...judgement, work: { with: withOf(job).work, without: without.work } });
            if (judgement.lost) break;
          }
        }
        return out;
      },
    );
    if (reused > 0) reporter.notice(`needed: ${reused} command(s) sent by a route and a pattern alike, judged on one explain`);
    const verdict = verdictWithout(p, effects, unchecked);
    judged.set(`${p.collection}.${p.name}`, verdict);
    reporter.notice(
      `needed: ${p.name} ${verdict.verdict === 'needed' ? `needed by ${(verdict.neededBy ?? []).join('; ')}` : verdict.verdict === 'redundant' ? `redundant with ${verdict.redundantWith?.name} (the queries chose it when hidden)` : `still "used" (${unchecked > 0 ? `${unchecked} command(s) that used it could not be explained again` : 'no command lost its plan, and no other index served them'})`}`,
    );
    if (leftOutByNeeded(verdict)) leftOut.push(verdict);
  }
  return withNeeded(price, judged, {
    checked: true,
    explains,
    ms: Math.round(performance.now() - started),
    rule: { factor: rule.factor, floor: rule.floor },
    limitMs: input.limitMs,
  });
}
