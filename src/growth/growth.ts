import type { RunResult } from '../result.js';
import type { RouteAudience } from '../checks.js';
import { crossingSize, fitPowerLaw, type PowerFit } from './fit.js';

/**
 * Cost growth (`bench --scales`): the same routes measured at several dataset sizes, and
 * how their cost grows with the number of conversations: per route and user class the
 * TOTAL after the set (and before it), per command the documents it examined and returned
 * to the client; each a fitted exponent with its interval, the command whose work grows
 * most, and the size at which the route's TOTAL crosses the budget (always a projection
 * from the fitted curve: between the sizes measured or beyond them).
 */

/** One run of `bench --scales`: its scale and its result. */
export interface ScaleRun {
  readonly scale: string;
  readonly result: RunResult;
}

export interface SizePoint {
  readonly scale: string;
  /** Conversations in the dataset: the size the costs are fitted against. */
  readonly conversations: number;
  readonly value: number;
  /** A lower bound: the route's TOTAL when a command reached its limit (left out of the fit). */
  readonly lowerBound: boolean;
  /** A command's work projected from a probe because it reached its limit (an estimate). */
  readonly projected?: boolean;
  /**
   * A projection not fitted: its probe (the first outer documents of the `$lookup`) used an
   * index, so its work per outer document depends on which documents came first (the global
   * conversations, with every user as a member, come first in `_id` order). A probe whose
   * `$lookup` scans the collection does the same work for every outer document: that
   * projection is fitted.
   */
  readonly unreliable?: boolean;
}

export interface Growth {
  readonly points: readonly SizePoint[];
  readonly fit: PowerFit | null;
}

export interface CommandGrowth {
  readonly step: string;
  readonly docsExamined: Growth;
  readonly returnedDocs: Growth;
}

/** Where the fitted TOTAL reaches the budget: the size, and whether it lies between the sizes measured or beyond them. */
export interface Crossing {
  readonly conversations: number;
  readonly where: 'below the sizes measured' | 'between the sizes measured' | 'beyond the sizes measured';
}

export interface RouteGrowth {
  /** The route's id, or `<route> + <remedy>` for a remedy measured on it (its TOTAL with the remedy). */
  readonly route: string;
  readonly userClass: RouteAudience;
  readonly totalAfter: Growth;
  readonly totalBefore?: Growth;
  readonly commands: readonly CommandGrowth[];
  /** The command whose documents examined grow the most at the largest size (the one that decides the route's growth). */
  readonly dominant: { readonly step: string; readonly exponent: number | null } | null;
  /** null when the TOTAL after does not grow, or is under the budget and flat. */
  readonly crossing: Crossing | null;
  /** The TOTAL after is over the budget at every size measured. */
  readonly overBudgetEverywhere: boolean;
}

export interface GrowthReport {
  readonly scales: ReadonlyArray<{
    readonly scale: string;
    readonly conversations: number;
    readonly messages: number;
    readonly verdict: string;
  }>;
  /** The budget the crossing is against (the thresholds' route.afterBudgetMs p50). */
  readonly budgetMs: number | null;
  readonly routes: readonly RouteGrowth[];
}

/** Fitted on the points that are not lower bounds (a TOTAL cut off by a limit says only that it is at least that). */
const growthOf = (points: SizePoint[]): Growth => ({
  points,
  fit: fitPowerLaw(points.filter((p) => !p.lowerBound && !p.unreliable).map((p) => ({ x: p.conversations, y: p.value }))),
});

/** A crossing further than this many times the largest size measured is not projected (the fit says nothing that far out). */
export const farthestProjection = 100;

function crossingOf(fit: PowerFit | null, points: readonly SizePoint[], budgetMs: number | null): Crossing | null {
  if (!fit || budgetMs === null || points.every((p) => p.value > budgetMs)) return null;
  const at = crossingSize(fit, budgetMs);
  const sizes = points.map((p) => p.conversations);
  if (at === null || !Number.isFinite(at) || at > farthestProjection * Math.max(...sizes)) return null;
  const where =
    at < Math.min(...sizes)
      ? 'below the sizes measured'
      : at > Math.max(...sizes)
        ? 'beyond the sizes measured'
        : 'between the sizes measured';
  return { conversations: Math.round(at), where };
}

/** The growth of every route (and remedy) measured at every scale, in the order of the first run. */
export function costGrowth(runs: readonly ScaleRun[], budgetMs: number | null): GrowthReport {
  const conversationsOf = (run: ScaleRun) => run.result.dataset.counts.Conversation ?? 0;
  const keys = new Map<string, { route: string; userClass: RouteAudience }>();
  for (const run of runs) {
    for (const r of run.result.routes) keys.set(`${r.id}|${r.userClass}`, { route: r.id, userClass: r.userClass });
    // A rewrite remedy is also a route of its own (role `remedy`) with its commands: that entry is the one kept.
    const rewriteRouted = run.result.routes.some((r) => r.role === 'remedy');
    for (const remedy of run.result.remedies ?? [])
      if (!(remedy.kind === 'rewrite' && rewriteRouted))
        for (const c of remedy.classes)
          keys.set(`${remedy.route} + ${remedy.title}|${c.userClass}`, {
            route: `${remedy.route} + ${remedy.title}`,
            userClass: c.userClass,
          });
  }
  const routes: RouteGrowth[] = [];
  for (const { route, userClass } of keys.values()) {
    const after: SizePoint[] = [];
    const before: SizePoint[] = [];
    const commandPoints = new Map<string, { docs: SizePoint[]; returned: SizePoint[] }>();
    for (const run of runs) {
      const conversations = conversationsOf(run);
      const entry = run.result.routes.find((r) => r.id === route && r.userClass === userClass);
      if (entry) {
        after.push({ scale: run.scale, conversations, value: entry.after.total, lowerBound: entry.overLimit.after });
        if (entry.before) before.push({ scale: run.scale, conversations, value: entry.before.total, lowerBound: entry.overLimit.before });
        for (const c of entry.commands) {
          const points = commandPoints.get(c.step) ?? { docs: [], returned: [] };
          const projected = c.after.overLimit !== undefined;
          const unreliable = projected && (c.after.overLimit?.probe?.collectionScans ?? 0) === 0;
          points.docs.push({ scale: run.scale, conversations, value: c.after.totalDocsExamined, lowerBound: false, projected, unreliable });
          points.returned.push({ scale: run.scale, conversations, value: c.returnedDocs, lowerBound: projected });
          commandPoints.set(c.step, points);
        }
        continue;
      }
      const remedy = (run.result.remedies ?? []).find((m) => `${m.route} + ${m.title}` === route);
      const effect = remedy?.classes.find((c) => c.userClass === userClass);
      if (effect) after.push({ scale: run.scale, conversations, value: effect.after.total, lowerBound: effect.overLimit.after });
    }
    if (after.length === 0) continue;
    const commands = [...commandPoints.entries()].map(([step, p]) => ({
      step,
      docsExamined: growthOf(p.docs),
      returnedDocs: growthOf(p.returned),
    }));
    // The work at the largest size whose figure is sound: a projection from a probe that used an index is left out (it is
    // biased by the first outer documents, see `unreliable`), as it is from the fits.
    const largest = (g: Growth) =>
      g.points
        .filter((p) => !p.unreliable)
        .reduce<SizePoint | undefined>((m, p) => (!m || p.conversations > m.conversations ? p : m), undefined);
    const dominant = commands.reduce<CommandGrowth | null>(
      (best, c) => (!best || (largest(c.docsExamined)?.value ?? 0) > (largest(best.docsExamined)?.value ?? 0) ? c : best),
      null,
    );
    const totalAfter = growthOf(after);
    routes.push({
      route,
      userClass,
      totalAfter,
      ...(before.length > 0 ? { totalBefore: growthOf(before) } : {}),
      commands,
      dominant: dominant ? { step: dominant.step, exponent: dominant.docsExamined.fit?.exponent ?? null } : null,
      crossing: crossingOf(totalAfter.fit, after, budgetMs),
      overBudgetEverywhere: budgetMs !== null && after.every((p) => p.value > budgetMs),
    });
  }
  return {
    scales: runs.map((run) => ({
      scale: run.scale,
      conversations: conversationsOf(run),
      messages: run.result.dataset.counts.Message ?? 0,
      verdict: run.result.gate.verdict,
    })),
    budgetMs,
    routes,
  };
}
