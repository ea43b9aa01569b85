import type { GateCheck, Phases, RemedyResult, RouteResult, RunResult } from '../result.js';
import { compactStages } from '../plan/compact-stages.js';
import type { Speedup, SpeedupEstimate } from '../timing/stats.js';

/**
 * The route models as the reports show them: one row per (route, class), the application's
 * commands, the remedies, and the sentence that answers the sign-off question. Built once
 * here; each format only dresses the rows.
 */

export interface RouteRow {
  route: string;
  userClass: string;
  before: string;
  after: string;
  speedup: string;
  verdict: string;
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`);
const ratio = (x: number) => (x >= 100 ? `${Math.round(x)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const bytes = (n: number) => (n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`);

export function formatTotal(p: Phases | undefined, overLimit: boolean, limitMs: number, failed?: string): string {
  if (failed) return `failed (${failed.split(' ')[0]})`;
  if (overLimit) return `over ${limitMs / 1000} s`;
  return p ? ms(p.total) : '–';
}

export function formatRouteSpeedup(r: { speedup?: Speedup; speedupEstimate?: SpeedupEstimate }): string {
  if (r.speedup) return `${ratio(r.speedup.ratio)} [${ratio(r.speedup.ciLow)}–${ratio(r.speedup.ciHigh)}]`;
  const e = r.speedupEstimate;
  if (!e) return '–';
  if (e.atLeast !== undefined) return `≥ ${ratio(e.atLeast)} (one-sided)`;
  return e.ratio === undefined ? 'no interval' : `≈${ratio(e.ratio)} (no interval)`;
}

function checksOf(result: RunResult, route: string, userClass: string): GateCheck[] {
  return result.gate.checks.filter((c) => c.route === route && c.userClass === userClass);
}

function verdictOf(checks: readonly GateCheck[]): string {
  if (checks.length === 0) return 'not gated';
  const failed = checks.filter((c) => c.outcome === 'fail').length;
  const open = checks.filter((c) => c.outcome === 'inconclusive').length;
  return failed > 0
    ? `FAIL (${failed} of ${checks.length})`
    : open > 0
      ? `INCONCLUSIVE (${open} of ${checks.length})`
      : `PASS (${checks.length})`;
}

/** One row per route and class, every route alike (the driver model, the application's, route files, the remedy). */
export function routeRows(result: RunResult): RouteRow[] {
  return result.routes.map((r) => ({
    route: r.id,
    userClass: r.userClass,
    before: r.before || r.overLimit.before ? formatTotal(r.before, r.overLimit.before, r.overLimit.limitMs, r.failed?.before) : '–',
    after: formatTotal(r.after, r.overLimit.after, r.overLimit.limitMs, r.failed?.after),
    speedup: formatRouteSpeedup(r),
    verdict: r.role === 'remedy' ? 'not gated (remedy)' : verdictOf(checksOf(result, r.id, r.userClass)),
  }));
}

export interface CommandRow {
  userClass: string;
  step: string;
  plan: string;
  docsExamined: string;
  returned: string;
  kept: string;
}

/** The application route's commands after the indexes, per class. */
export function commandRows(route: readonly RouteResult[]): CommandRow[] {
  return route.flatMap((r) =>
    r.commands.map((c) => ({
      userClass: r.userClass,
      step: c.step,
      plan: c.after.overLimit?.failed
        ? `failed on the server, ${c.after.overLimit.failed}: ${compactStages(c.after.stages)}`
        : c.after.overLimit
          ? `over ${c.after.overLimit.limitMs / 1000} s: ${compactStages(c.after.stages)}`
          : `${compactStages(c.after.stages)}${c.after.indexesUsed.length > 0 ? ` on ${c.after.indexesUsed.join(', ')}` : ''}`,
      docsExamined: c.after.overLimit?.probe
        ? `~${count(c.after.overLimit.probe.projectedDocsExamined)} (projected)`
        : count(c.after.totalDocsExamined),
      returned: `${count(c.returnedDocs)} docs, ${bytes(c.returnedBytes)}`,
      kept: c.clientSide ? `${count(c.clientSide.keptDocs)} (${ms(c.clientSide.ms)} in memory)` : '',
    })),
  );
}

export interface RemedyRow {
  remedy: string;
  kind: string;
  userClass: string;
  before: string;
  after: string;
  speedup: string;
}

export function remedyRows(remedies: readonly RemedyResult[], limitMs: number): RemedyRow[] {
  return remedies.flatMap((m) =>
    m.classes.map((e) => ({
      remedy: m.title,
      kind: m.kind,
      userClass: e.userClass,
      before: formatTotal(e.before, e.overLimit.before, limitMs),
      after: formatTotal(e.after, e.overLimit.after, limitMs),
      speedup: formatRouteSpeedup(e),
    })),
  );
}

/** The command of a route with the largest p50 after the indexes (its time bounds what indexes can give), or the first over the limit. */
export function dominantCommand(route: RouteResult): { step: string; ms: number } | undefined {
  let best: { step: string; ms: number } | undefined;
  for (const c of route.commands) {
    const ms = c.after.latencyMs?.p50;
    if (ms !== undefined && (!best || ms > best.ms)) best = { step: c.step, ms };
  }
  return best;
}

/**
 * verify's answer, per route and class: under the sign-off budget or not, and the command that
 * keeps a class from it (over its limit, or the slowest). Verify has no "before": no speedup.
 */
export function verifyAnswer(result: RunResult, budgetMs = 1000): string {
  return routeClassAnswer(result, 'on this database', budgetMs);
}

/**
 * Per gated route and class, under the sign-off budget or not (with the speedup where there is
 * a "before"), and the command that keeps a class from it; `where` names the state measured.
 */
function routeClassAnswer(result: RunResult, where: string, budgetMs: number, closing?: (id: string) => string): string {
  const routes = [...new Set(result.routes.filter((r) => r.role === 'gated' && r.userClass !== 'captured').map((r) => r.id))];
  return routes
    .map((id) => {
      const entries = result.routes.filter((r) => r.id === id);
      const classes = entries.map((r) => {
        const total = formatTotal(r.after, r.overLimit.after, r.overLimit.limitMs, r.failed?.after);
        const speedup = r.before || r.overLimit.before ? `, ${formatRouteSpeedup(r)}` : '';
        if (!r.overLimit.after && r.after.total < budgetMs) return `${r.userClass} ${total} (under ${budgetMs / 1000} s${speedup})`;
        const over = r.commands.find((c) => c.after.overLimit);
        const culprit = over?.after.overLimit?.failed
          ? `${over.step} failed on the server: ${over.after.overLimit.failed}`
          : over
            ? `${over.step} over its ${r.overLimit.limitMs / 1000} s limit`
            : (() => {
                const d = dominantCommand(r);
                return d ? `${d.step} ${ms(d.ms)}` : 'no command measured';
              })();
        return `${r.userClass} ${total} (NOT under ${budgetMs / 1000} s: ${culprit})`;
      });
      return `Route ${id} (${entries[0]?.title}) ${where}: ${classes.join('; ')}.${closing ? closing(id) : ''}`;
    })
    .join(' ');
}

/**
 * bench without the application's route (a team's route files against its index set): per
 * route and class, under the budget or not, the speedup, and whether every check of the route passed.
 */
function gatedRoutesAnswer(result: RunResult, budgetMs: number): string {
  return routeClassAnswer(result, 'with the index set', budgetMs, (id) => {
    const checks = result.gate.checks.filter((c) => c.route === id);
    const failed = checks.filter((c) => c.outcome === 'fail').length;
    const undecided = checks.filter((c) => c.outcome === 'inconclusive').length;
    if (failed > 0) return ` ${failed} of its ${checks.length} checks failed: it does not meet the sign-off.`;
    if (undecided > 0) return ` No check failed, ${undecided} of ${checks.length} could not be decided.`;
    return ` All ${checks.length} of its checks passed: the migration meets the sign-off on this data.`;
  });
}

/**
 * The application's own route in a result: named by the result (the workload's), else by its
 * remedies; results written before either named it measured the application as `prisma`.
 */
export function applicationRouteOf(result: Pick<RunResult, 'applicationRoute' | 'remedies' | 'routes'>): string | undefined {
  return result.applicationRoute ?? result.remedies?.[0]?.route ?? (result.routes.some((r) => r.id === 'prisma') ? 'prisma' : undefined);
}

/**
 * The sign-off answer in one paragraph: what the set gives the application's own route,
 * what it gives an optimised service, and what was measured to work. Empty without route models.
 */
export function signOffAnswer(result: RunResult, budgetMs = 1000): string {
  const applicationRoute = applicationRouteOf(result);
  const app = result.routes.filter((r) => r.id === applicationRoute);
  if (app.length === 0) return gatedRoutesAnswer(result, budgetMs);
  const under = (r: RouteResult) => !r.overLimit.after && r.after.total < budgetMs;
  const appFails = app.some((r) => checksOf(result, r.id, r.userClass).some((c) => c.outcome === 'fail'));
  const totals = app.map((r) => `${r.userClass} ${formatTotal(r.after, r.overLimit.after, r.overLimit.limitMs)}`).join(', ');
  const slow = [
    ...new Set(
      app.flatMap((r) =>
        checksOf(result, r.id, r.userClass)
          .filter((c) => c.outcome === 'fail' && c.step)
          .map((c) => c.step as string),
      ),
    ),
  ];
  const baseline = result.dataset.baseline ? ` (baseline ${result.dataset.baseline})` : '';
  const named = `${app[0]?.title} (route ${applicationRoute})`;
  const first =
    app.every(under) && !appFails
      ? `The index set brings the application's own route, ${named}, under ${budgetMs / 1000} s${baseline}: TOTAL after it ${totals}.`
      : `The index set does NOT make the application's own route, ${named}, meet the sign-off${baseline}: TOTAL after it ${totals}${slow.length > 0 ? `; still slow or unserved: ${slow.join(', ')}` : ''}.`;
  // The other gated routes (the driver model, a team's own route files), one sentence each.
  const others = [
    ...new Set(result.routes.filter((r) => r.role === 'gated' && r.id !== applicationRoute && r.userClass !== 'captured').map((r) => r.id)),
  ];
  const second = others
    .map((id) => {
      const entries = result.routes.filter((r) => r.id === id);
      return ` For ${entries[0]?.title} (route ${id}) it gives ${entries.map((r) => `${r.userClass} ${formatRouteSpeedup(r)}`).join(', ')}, TOTAL after ${entries.map((r) => formatTotal(r.after, r.overLimit.after, r.overLimit.limitMs)).join(' / ')}.`;
    })
    .join('');
  const limitMs = app[0]?.overLimit.limitMs ?? 10_000;
  const working = (result.remedies ?? []).filter(
    (m) => m.classes.length > 0 && m.classes.every((e) => !e.overLimit.after && e.after.total < budgetMs),
  );
  const third =
    working.length > 0
      ? ` Measured to work on the same data: ${working.map((m) => `${m.title} (TOTAL ${m.classes.map((e) => formatTotal(e.after, false, limitMs)).join(' / ')})`).join('; ')}.`
      : (result.remedies ?? []).length > 0
        ? ' No remedy measured in this run brought every class under the budget.'
        : '';
  const gate = working.find((m) => m.gateCommand !== undefined);
  const fourth = gate
    ? ` Gate it as the migration to ship (${gate.kind === 'rewrite' ? 'the rewritten route' : 'the route unchanged'} against the set and the remedy's indexes): ${gate.gateCommand}`
    : '';
  return `${first}${second}${third}${fourth}`;
}

/** The command that gates the first remedy measured to bring every class under the budget, if any. */
export function gateCommandOf(result: RunResult, budgetMs = 1000): string | undefined {
  return (result.remedies ?? []).find(
    (m) => m.gateCommand !== undefined && m.classes.length > 0 && m.classes.every((e) => !e.overLimit.after && e.after.total < budgetMs),
  )?.gateCommand;
}

/** "prisma: #1 idx_member_user_active_conv, … used by none of its commands" lines, one per route model that leaves some of the set unused. */
export function unusedIndexLines(routes: readonly RouteResult[]): string[] {
  const byRoute = new Map<string, Set<string>>();
  for (const r of routes) {
    const unused = byRoute.get(r.id);
    // An index counts as used by a route if any class's commands used it.
    byRoute.set(r.id, unused ? new Set(r.indexesUnused.filter((n) => unused.has(n))) : new Set(r.indexesUnused));
  }
  return [...byRoute]
    .filter(([, names]) => names.size > 0)
    .map(([id, names]) => `${id}: ${[...names].join(', ')} built, used by none of its commands`);
}
