import type { GateFailure, Measurement, RouteResult, RunResult, WriteRouteResult, WriteSideResult } from '../result.js';
import { compactStages } from '../plan/compact-stages.js';
import {
  applicationRouteOf,
  commandRows,
  formatRouteSpeedup,
  remedyRows,
  routeRows,
  gateCommandOf,
  signOffAnswer,
  verifyAnswer,
  unusedIndexLines,
} from './route-tables.js';
import { formatMs, formatNumber, profileFitLine, wallTime } from './tables.js';

/**
 * The report model: every table of the reports, built once from a result and frozen.
 * The formats (terminal summary, Markdown, HTML) only dress it: each supplies its own row
 * syntax, as hyperfine's markup exporters do. A cell says what it holds (`code`, a number,
 * a pass or fail mark), never how a format shows it.
 */

export interface Cell {
  readonly text: string;
  readonly kind?: 'code' | 'num' | 'pass' | 'fail' | 'muted';
}

export interface ReportTable {
  readonly id: string;
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export interface ReportModel {
  readonly verdictWord: 'PASS' | 'FAIL' | 'INCONCLUSIVE';
  /** "18 of 70 checks failed", "all 37 checks passed", … */
  readonly verdictLine: string;
  /** The sign-off answer (empty without route models). */
  readonly answer: string;
  readonly routeTitle: string;
  /** Failed and undecided checks, one row per check and what it is about, with the classes it holds for. */
  readonly failures?: ReportTable;
  /** The command line that gates the remedy measured to work, if one did. */
  readonly gateCommand?: string;
  /** The route models and the driver route side by side, the application's commands, the remedies. */
  readonly routes?: ReportTable;
  readonly unusedIndexes: readonly string[];
  /** Each route's commands after the indexes (plans, work, what came back to the client), one table per route. */
  readonly commands: readonly ReportTable[];
  readonly remedies?: ReportTable;
  /** With --history: each gated measure's series, its change points and tonight's alarm. */
  readonly history?: ReportTable;
  /** Each replayed workload: its shapes ranked by the time their recorded traffic takes. */
  readonly workloads: readonly ReportTable[];
  /** Each route's phases (as the application logs them) and TOTAL per class. */
  readonly phases: ReportTable;
  readonly patterns: ReportTable;
  readonly indexes: ReportTable;
  /** bench: what the set costs the application's writes, per write route (absent when none was measured). */
  readonly writes?: ReportTable;
  /** bench: the write keys attributed to the set's indexes against the profiler's count, per write route and collection. */
  readonly writeAttribution?: ReportTable;
  /** bench: a concurrent read workload before and while the set was built. */
  readonly duringBuild?: ReportTable;
  readonly environment: ReportTable;
}

const text = (t: string): Cell => ({ text: t });
const num = (t: string): Cell => ({ text: t, kind: 'num' });
const code = (t: string): Cell => ({ text: t, kind: 'code' });

export function planLabel(m: Measurement | undefined): string {
  if (!m) return '–';
  const flags = [
    m.collscan ? 'COLLSCAN' : null,
    m.blockingSort ? `blocking SORT${m.sortedDocs !== null ? ` of ${formatNumber(m.sortedDocs)}` : ''}` : null,
    m.covered ? 'covered' : null,
  ].filter(Boolean);
  return `${m.stages.join(' › ')}${m.indexName ? ` on ${m.indexName}` : ''}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
}

/** "1.2 s + 80 ms = 1.28 s": each named phase, then TOTAL ("≥" where a command reached its limit). */
function phaseLine(p: RouteResult['after'], overLimit: boolean): string {
  const parts = Object.values(p.phases).map(formatMs);
  const total = `${overLimit ? '≥ ' : ''}${formatMs(p.total)}`;
  return parts.length > 0 ? `${parts.join(' + ')} = ${total}` : total;
}

/**
 * The failed and undecided checks grouped by what they are about (the check, and its route
 * and command, pattern or index): one row per group with the user classes it holds for, and
 * the first class's message. A failure repeated for three classes reads once.
 */
function groupedChecks(gate: RunResult['gate']): ReportTable | undefined {
  const listed = [
    ...gate.failures.map((f) => ({ f, outcome: 'FAIL' })),
    ...gate.inconclusive.map((f) => ({ f, outcome: 'INCONCLUSIVE' })),
    ...(gate.accepted ?? []).map((f) => ({ f, outcome: 'ACCEPTED' })),
  ];
  if (listed.length === 0) return undefined;
  const about = (f: GateFailure) => (f.route ? `${f.route}${f.step ? ` ${f.step}` : ''}` : (f.pattern ?? f.index ?? ''));
  const groups = new Map<string, { outcome: string; f: GateFailure; classes: string[] }>();
  for (const { f, outcome } of listed) {
    const key = `${outcome}\0${f.check}\0${about(f)}`;
    const group = groups.get(key);
    if (group) {
      if (f.userClass) group.classes.push(f.userClass);
    } else groups.set(key, { outcome, f, classes: f.userClass ? [f.userClass] : [] });
  }
  return {
    id: 'failures',
    title: 'Failed and undecided checks, by command and check',
    head: ['outcome', 'check', 'about', 'user classes', 'why (the first class)'],
    rows: [...groups.values()].map((g) => [
      { text: g.outcome, kind: g.outcome === 'FAIL' ? 'fail' : 'muted' },
      text(g.f.check),
      code(about(g.f)),
      text(g.classes.join(', ') || '–'),
      text(g.f.message),
    ]),
  };
}

/** Builds the model of a bench or verify result; the result is only read. */
export function reportModel(result: Readonly<RunResult>): Readonly<ReportModel> {
  const bench = result.command === 'bench';
  const { gate } = result;
  const verdictWord = ({ pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' } as const)[gate.verdict];
  const verdictLine =
    gate.verdict === 'pass'
      ? `all ${gate.checks.length} checks passed`
      : gate.verdict === 'fail'
        ? `${gate.failures.length} of ${gate.checks.length} checks failed`
        : `${gate.inconclusive.length} of ${gate.checks.length} checks undecided by the samples, none failed`;
  const models = result.routes;
  const application = applicationRouteOf(result as RunResult);
  const app = models.filter((r) => r.id === application);
  const routeIds = [...new Set(models.filter((r) => r.userClass !== 'captured').map((r) => r.id))];
  const limitMs = app[0]?.overLimit.limitMs ?? 10_000;
  const d = result.dataset;
  const e = result.environment;

  const model: ReportModel = {
    verdictWord,
    verdictLine,
    answer: result.command === 'verify' ? verifyAnswer(result as RunResult) : signOffAnswer(result as RunResult),
    routeTitle: 'GET /api/v1/conversations?limit=15',
    ...(groupedChecks(gate) ? { failures: groupedChecks(gate) } : {}),
    ...(gateCommandOf(result as RunResult) ? { gateCommand: gateCommandOf(result as RunResult) } : {}),
    ...(models.length > 0
      ? {
          routes: {
            id: 'routes',
            title: 'Routes',
            head: ['route', 'user class', 'before TOTAL', 'after TOTAL', 'speedup [95% CI]', 'checks'],
            rows: routeRows(result as RunResult).map((r) => [
              code(r.route),
              text(r.userClass),
              num(r.before),
              num(r.after),
              num(r.speedup),
              { text: r.verdict, kind: r.verdict.startsWith('FAIL') ? 'fail' : r.verdict.startsWith('PASS') ? 'pass' : 'muted' },
            ]),
          },
        }
      : {}),
    unusedIndexes: unusedIndexLines(models),
    commands: routeIds.map((id) => {
      const route = models.filter((r) => r.id === id);
      return {
        id: `commands-${id}`,
        title: `Commands of route ${id} ${bench ? 'after the indexes' : 'on this database'}: ${route[0]?.title ?? id}`,
        head: ['user class', 'command', 'plan', 'docs examined', 'returned to the client', 'kept'],
        rows: commandRows(route).map((c) => [
          text(c.userClass),
          code(c.step),
          text(c.plan),
          num(c.docsExamined),
          num(c.returned),
          num(c.kept),
        ]),
      };
    }),
    ...(result.remedies && result.remedies.length > 0
      ? {
          remedies: {
            id: 'remedies',
            title: 'Remedies, measured on the same data (before: the application after the six; after: with the remedy)',
            head: ['remedy', 'kind', 'user class', 'before TOTAL', 'after TOTAL', 'speedup [95% CI]'],
            rows: remedyRows(result.remedies, limitMs).map((r) => [
              text(r.remedy),
              text(r.kind),
              text(r.userClass),
              num(r.before),
              num(r.after),
              num(r.speedup),
            ]),
          },
        }
      : {}),
    workloads: models.filter((r) => r.userClass === 'captured').map((r) => workloadTable(result as RunResult, r, bench)),
    ...(result.history ? { history: historyTable(result.history) } : {}),
    phases: {
      id: 'phases',
      title: 'Route phases and TOTAL (p50; lower bounds where a command reached its limit)',
      head: [
        'route',
        'user class',
        'conversations',
        ...(bench ? ['before: phases = TOTAL'] : []),
        bench ? 'after: phases = TOTAL' : 'phases = TOTAL',
        'after TOTAL p95',
        ...(bench ? ['speedup [95% CI]'] : []),
        'samples',
      ],
      rows: models
        .filter((r) => r.userClass !== 'captured')
        .map((r) => [
          code(r.id),
          text(r.userClass),
          num(r.user ? formatNumber(r.user.memberships) : '–'),
          ...(bench ? [num(r.before ? phaseLine(r.before, r.overLimit.before) : '–')] : []),
          num(phaseLine(r.after, r.overLimit.after)),
          num(r.overLimit.after ? '–' : formatMs(r.after.latencyMs.total.p95)),
          ...(bench ? [num(formatRouteSpeedup(r))] : []),
          num(
            bench
              ? `${r.before?.latencyMs.total.samples ?? 0} / ${r.after.latencyMs.total.samples}`
              : String(r.after.latencyMs.total.samples),
          ),
        ]),
    },
    patterns: {
      id: 'patterns',
      title: 'Patterns',
      head: [
        'pattern',
        'class',
        'gated',
        ...(bench ? ['plan before'] : []),
        bench ? 'plan after' : 'plan',
        'docs examined',
        'returned',
        bench ? 'p50 before → after' : 'p50',
        'p95',
        ...(bench ? ['speedup [95% CI]'] : []),
      ],
      rows: result.patterns.map((p) => [
        code(p.id),
        text(p.userClass),
        p.gated ? text('yes') : { text: 'no', kind: 'muted' },
        ...(bench ? [text(planLabel(p.before))] : []),
        text(planLabel(p.after)),
        num(
          bench && p.before
            ? `${formatNumber(p.before.totalDocsExamined)} → ${formatNumber(p.after.totalDocsExamined)}`
            : formatNumber(p.after.totalDocsExamined),
        ),
        num(formatNumber(p.after.nReturned)),
        num(bench ? `${formatMs(p.before?.latencyMs?.p50)} → ${formatMs(p.after.latencyMs?.p50)}` : formatMs(p.after.latencyMs?.p50)),
        num(formatMs(p.after.latencyMs?.p95)),
        ...(bench ? [num(formatRouteSpeedup(p))] : []),
      ]),
    },
    indexes: indexTable(result),
    ...(result.writes && result.writes.routes.length > 0 ? { writes: writesTable(result.writes) } : {}),
    ...(result.price?.writes ? { writeAttribution: writeAttributionTable(result.price.writes) } : {}),
    ...(result.price?.duringBuild ? { duringBuild: duringBuildTable(result.price.duringBuild) } : {}),
    environment: {
      id: 'environment',
      title: 'Dataset and environment',
      head: ['', ''],
      rows: [
        ['dataset', d.origin === 'indexgate' ? `scale ${d.scale}, seed ${d.seed}, baseline ${d.baseline}` : "the target's own data"],
        ['fingerprint', d.fingerprint],
        ...(d.profile ? [['profile', profileFitLine(d.profile)]] : []),
        [
          'documents',
          Object.entries(d.counts)
            .map(([c, n]) => `${c} ${formatNumber(n)}`)
            .join(' · '),
        ],
        [
          'server',
          `mongod ${e.mongodVersion}, ${e.topology}, ${e.storageEngine ?? 'engine unknown'}${e.mongodSource ? `, binary from ${e.mongodSource}` : ''}${e.underWine ? ' (under Wine)' : ''}`,
        ],
        ['target', e.target],
        [
          'machine',
          `${e.machine.platform} ${e.machine.arch}, ${e.machine.cpus} × ${e.machine.cpuModel}, ${e.machine.memoryGb} GB, Node ${e.machine.node}`,
        ],
        ['tool', `indexgate ${result.tool.version}${result.tool.commit ? ` (commit ${result.tool.commit})` : ''}`],
        ['thresholds', result.thresholds.source],
        ['run', `${result.runId}: ${result.startedAt} → ${result.finishedAt}`],
        ['wall time', wallTime(result.timings)],
      ].map(([k, v]) => [text(k as string), text(v as string)]),
    },
  };
  return Object.freeze(model);
}

/**
 * A replayed workload's shapes, dearest first: by their recorded traffic's time after the set
 * (bench: before it), each with its plan on each side, its time per execution, its time × the
 * recorded count, what stays wrong (a scan, a blocking sort, the limit) and its checks.
 */
function workloadTable(result: RunResult, route: RouteResult, bench: boolean): ReportTable {
  const weight = (c: RouteResult['commands'][number]) =>
    (bench ? c.captured?.weightedMs.before : c.captured?.weightedMs.after) ?? c.captured?.recorded.totalMs ?? 0;
  const ranked = [...route.commands].sort((a, b) => weight(b) - weight(a));
  const side = (m: Measurement | undefined) =>
    m ? `${compactStages(m.stages)}${m.indexesUsed.length > 0 ? ` on ${m.indexesUsed.join(', ')}` : ''}` : '–';
  const flags = (c: RouteResult['commands'][number]) =>
    [
      c.after.overLimit ? `over ${c.after.overLimit.limitMs / 1000} s` : null,
      c.after.collscan ? 'COLLSCAN' : null,
      c.after.blockingSort ? `blocking SORT${c.after.sortedDocs !== null ? ` of ${formatNumber(c.after.sortedDocs)}` : ''}` : null,
    ]
      .filter(Boolean)
      .join(', ');
  const verdict = (step: string) => {
    const checks = result.gate.checks.filter((k) => k.route === route.id && k.step === step);
    return checks.some((k) => k.outcome === 'fail')
      ? 'FAIL'
      : checks.some((k) => k.outcome === 'inconclusive')
        ? 'INCONCLUSIVE'
        : checks.length > 0
          ? 'PASS'
          : '–';
  };
  return {
    id: `workload-${route.id}`,
    title: `Captured workload ${route.id}: shapes by the time of their recorded traffic${bench ? ' before the set' : ''}`,
    head: [
      '#',
      'shape',
      'calls',
      'recorded p50',
      ...(bench ? ['plan before'] : []),
      bench ? 'plan after' : 'plan',
      bench ? 'per call before → after' : 'per call',
      bench ? 'traffic before → after' : 'traffic',
      'still wrong',
      'checks',
    ],
    rows: ranked.map((c, i) => {
      const k = c.captured;
      const v = verdict(c.step);
      return [
        num(String(i + 1)),
        code(`${c.step}`),
        num(formatNumber(k?.count ?? 0)),
        num(formatMs(k?.recorded.p50Ms)),
        ...(bench ? [text(side(c.before))] : []),
        text(side(c.after)),
        num(
          bench
            ? `${formatMs(k?.perExecutionMs.before ?? undefined)} → ${formatMs(k?.perExecutionMs.after ?? undefined)}`
            : formatMs(k?.perExecutionMs.after ?? undefined),
        ),
        num(
          bench
            ? `${formatMs(k?.weightedMs.before ?? undefined)} → ${formatMs(k?.weightedMs.after ?? undefined)}`
            : formatMs(k?.weightedMs.after ?? undefined),
        ),
        flags(c) ? { text: flags(c), kind: 'fail' } : { text: 'none', kind: 'muted' },
        { text: v, kind: v === 'FAIL' ? 'fail' : v === 'PASS' ? 'pass' : 'muted' },
      ];
    }),
  };
}

/** The nightly gate's view of this run: per gated measure, the series it was judged in, its change points and the night's alarm. */
function historyTable(history: NonNullable<RunResult['history']>): ReportTable {
  const since = history.accepted ? `, since the accept of ${history.accepted.runId}` : '';
  return {
    id: 'history',
    title: `History: ${history.comparableRuns} comparable earlier runs in ${history.file}${since}${history.notComparable > 0 ? ` (${history.notComparable} not comparable, left out)` : ''}`,
    head: ['measure', 'runs', 'tonight p50', 'change points (size, confidence, first run of the new level)', 'night alarm', 'regression'],
    rows: history.measures
      .filter((m) => m.gated)
      .map((m) => {
        const last = m.points[m.points.length - 1];
        const changes = m.changePoints
          .map(
            (c) =>
              `${c.direction === 'slower' ? '▲' : '▼'} ×${c.size.toFixed(2)} (${(c.confidence * 100).toFixed(1)}%) at ${c.after.runId}`,
          )
          .join('; ');
        const alarm = m.alarm
          ? `${m.alarm.raised ? 'RAISED: ' : ''}×${m.alarm.ratio.toFixed(2)} of the median of ${m.alarm.baselineRuns}, z ${m.alarm.z.toFixed(1)}`
          : 'too few runs';
        return [
          code(`${m.route} (${m.userClass})`),
          num(String(m.points.length)),
          num(formatMs(last?.medianMs)),
          text(changes || 'none'),
          m.alarm?.raised ? { text: alarm, kind: 'fail' } : text(alarm),
          m.regression
            ? { text: `×${m.regression.level.toFixed(2)} since ${m.regression.after.runId}`, kind: 'fail' }
            : { text: 'none', kind: 'muted' },
        ];
      }),
  };
}

const megabytes = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `${(n / 1_048_576).toFixed(1)} MB`);

/** The step that takes longest after the set (median), with its time. */
function dearest(steps: WriteRouteResult['steps']): string {
  const timed = steps.filter((s) => s.afterMs !== undefined);
  if (timed.length === 0) return '–';
  const top = timed.reduce((a, b) => ((b.afterMs ?? 0) > (a.afterMs ?? 0) ? b : a));
  return `${top.step} ${formatMs(top.afterMs ?? 0)}`;
}

/** Per write route: its time before and after the set, the slowdown with its interval and the check, and the index keys the set adds per call. */
function writesTable(writes: NonNullable<RunResult['writes']>): ReportTable {
  const keys = (k: readonly { collection: string; inserted: number; deleted: number }[]) =>
    k.length === 0
      ? 'none'
      : k.map((x) => `${x.collection} +${formatNumber(x.inserted)}${x.deleted ? ` / −${formatNumber(x.deleted)}` : ''}`).join(', ');
  return {
    id: 'writes',
    title: `Writes: what the set costs the application's writes (median per call; every write undone${writes.restored ? ', the data checked equal after' : ', THE DATA DIFFERS AFTER'})`,
    head: [
      'write route',
      'before',
      'after',
      'slowdown [95% interval]',
      'allowed',
      'index keys added per call (inserted / deleted)',
      'dearest step after',
    ],
    rows: writes.routes.map((r) => {
      const s = r.slowdown;
      const slowdown =
        s === undefined
          ? '–'
          : s.state === 'measured'
            ? `${s.ratio.toFixed(2)}x [${s.ciLow.toFixed(2)}x–${s.ciHigh.toFixed(2)}x]`
            : `not bounded: ${s.reason}`;
      return [
        text(r.id),
        num(writeSideCell(r.before)),
        num(writeSideCell(r.after)),
        num(slowdown),
        num(writes.maxSlowdown === undefined ? '–' : `≤ ${writes.maxSlowdown}x`),
        text(r.keysUnknown ? `unknown: ${r.keysUnknown}` : keys(r.extraKeys)),
        text(dearest(r.steps)),
      ];
    }),
  };
}

/** A write route's median on one side; a side that reached the limit says so (`≥ limit` when no call finished within it). */
function writeSideCell(side: WriteSideResult | undefined): string {
  if (!side) return '–';
  const limit = side.overLimit ? `${side.overLimit.step} ≥ ${formatMs(side.overLimit.limitMs)}` : undefined;
  if (side.medianMs === null) return limit ? `≥ ${formatMs(side.overLimit?.limitMs)} (${limit})` : '–';
  return limit ? `${formatMs(side.medianMs)}, then ${limit}` : formatMs(side.medianMs);
}

/** Keys per call as `+inserted −deleted`. */
const plusMinus = (k: { inserted: number; deleted: number }) =>
  `+${formatNumber(k.inserted)}${k.deleted ? ` −${formatNumber(k.deleted)}` : ''}`;

/** An index's keys per write call, route by route (those it receives keys from), or 0. */
export function writeKeysCell(keys: readonly { route: string; inserted: number; deleted: number; unknown?: string }[]): string {
  const unknown = keys.find((k) => k.unknown);
  if (unknown) return `not derived (${unknown.unknown})`;
  const some = keys.filter((k) => k.inserted !== 0 || k.deleted !== 0);
  return some.length === 0 ? '0' : some.map((k) => `${k.route} ${plusMinus(k)}`).join('; ');
}

/** Per write route and collection: the extra keys the profiler counted, those attributed to the set's new indexes, and any remainder. */
function writeAttributionTable(writes: NonNullable<NonNullable<RunResult['price']>['writes']>): ReportTable {
  const all = writes.routes.every((r) => r.matches);
  return {
    id: 'write-attribution',
    title: `Write keys per index: attributed from what each write did, checked against the profiler (${
      all ? 'every route: the attribution sums to the extra keys it counted' : 'SOME KEYS ARE NOT ATTRIBUTED: see the remainder'
    }; write share = of ${formatNumber(writes.extraKeys)} extra keys per call, one call of each write route)`,
    head: ['write route', 'collection', 'extra keys per call (profiler)', 'attributed to the set', 'remainder'],
    rows: writes.routes.flatMap((r) =>
      r.collections.length === 0
        ? [[text(r.route), text('–'), num('0'), num('0'), { text: 'none', kind: 'pass' as const }]]
        : r.collections.map((c): Cell[] => {
            const rest = c.unattributed.inserted !== 0 || c.unattributed.deleted !== 0;
            return [
              text(r.route),
              text(c.collection),
              num(plusMinus(c.measured)),
              num(plusMinus(c.attributed)),
              rest ? { text: `${plusMinus(c.unattributed)} not attributed`, kind: 'fail' } : { text: 'none', kind: 'pass' },
            ];
          }),
    ),
  };
}

/** The concurrent reader's samples before and during the build, and its slowdown (informational: not a check). */
function duringBuildTable(d: NonNullable<NonNullable<RunResult['price']>['duringBuild']>): ReportTable {
  const head = [
    'workload',
    'before the build: samples, median',
    'during it: samples, median',
    'slowdown during ÷ before [95% interval]',
    'the reader',
  ];
  if (d.state === 'not measured') return { id: 'during-build', title: `Build under load: not measured (${d.why})`, head, rows: [] };
  const side = (s: { samplesMs: readonly number[]; medianMs: number | null }) =>
    `${s.samplesMs.length}, ${formatMs(s.medianMs ?? undefined)}`;
  const s = d.slowdown;
  const slowdown: Cell =
    s.state === 'measured'
      ? { text: `${s.ratio.toFixed(2)}x [${s.ciLow.toFixed(2)}x–${s.ciHigh.toFixed(2)}x]`, kind: 'num' }
      : { text: `${s.ratio === undefined ? '' : `≈${s.ratio.toFixed(2)}x, `}undecided: ${s.reason}`, kind: 'muted' };
  return {
    id: 'during-build',
    title: `Build under load: a concurrent reader while the set was built (${formatMs(d.buildMs)} with it running), against the same reads just before; reported, not gated. The workload: ${d.why}`,
    head,
    rows: [
      [
        text(d.workload),
        num(side(d.before)),
        num(side(d.during)),
        slowdown,
        d.errors.length > 0 ? { text: d.errors.join('; '), kind: 'fail' } : { text: 'no error', kind: 'pass' },
      ],
    ],
  };
}

/** Why a needed index is: the first command that lost its plan without it, and how. */
function neededWhy(p: { readonly whenHidden?: readonly { lost: boolean; why: string }[] | undefined }): string {
  const lost = p.whenHidden?.find((e) => e.lost);
  return lost ? ` (without it: ${lost.why})` : '';
}

/** The set's indexes: status and build, and what each costs on disk, what used it, and whether it earns its keep. */
function indexTable(result: RunResult): ReportTable {
  const price = result.price;
  const priced = (name: string, collection: string) => price?.indexes.find((p) => p.name === name && p.collection === collection);
  const used = (p: NonNullable<ReturnType<typeof priced>>) =>
    p.usedBy.length === 0 ? '–' : `${p.usedBy.length}: ${p.usedBy.slice(0, 2).join('; ')}${p.usedBy.length > 2 ? '; …' : ''}`;
  const few = (list: readonly string[]) => `${list.slice(0, 2).join('; ')}${list.length > 2 ? `; … (${list.length})` : ''}`;
  const verdict = (p: NonNullable<ReturnType<typeof priced>>): Cell => ({
    text: p.redundantWith
      ? `redundant with ${p.redundantWith.name} (${p.redundantWith.reason})`
      : p.verdict === 'needed'
        ? `needed by ${few(p.neededBy ?? [])}${neededWhy(p)}`
        : p.verdict,
    kind: p.verdict === 'used' || p.verdict === 'needed' ? 'pass' : p.verdict === 'not built' ? 'fail' : 'muted',
  });
  const check = price?.neededCheck;
  const neededLine = !check
    ? ''
    : check.checked
      ? `; needed: each used index hidden in turn, ${check.explains} command(s) explained again in ${formatMs(check.ms)}`
      : `; needed not checked: ${check.reason}`;
  const data = price?.collections.reduce((n, c) => n + c.dataBytes, 0);
  const all = price?.collections.reduce((n, c) => n + c.indexBytes, 0);
  const writes = price?.writes;
  return {
    id: 'indexes',
    title: price
      ? `Indexes: the set ${megabytes(price.setBytes)} on disk (every index of these collections ${megabytes(all)}, their data ${megabytes(data)}, WiredTiger cache ${megabytes(price.cacheBytes)}${price.cacheOf?.kind === 'ram-gb' ? ` on a server of ${price.cacheOf.ramGb} GB` : ''}${price.indexesFitCache === true ? ': the indexes fit in it' : price.indexesFitCache === false ? ': THE INDEXES DO NOT FIT IN IT' : ''})${neededLine}`
      : 'Indexes',
    head: [
      '#',
      'index',
      'collection',
      'key',
      'priority',
      'status',
      'build',
      ...(price ? ['size', 'used by', 'verdict'] : []),
      ...(writes ? ['write keys per call', 'write share'] : []),
    ],
    rows: result.indexes.map((ix, i) => {
      const p = priced(ix.name, ix.collection);
      return [
        num(String(i + 1)),
        code(ix.name),
        text(ix.collection),
        code(JSON.stringify(ix.key)),
        text(ix.priority ?? ''),
        {
          // A stale index (a field or collection the schema does not have) says what the server holds or did for it too.
          text: `${ix.status}${ix.serverStatus ? ` (${ix.serverStatus} on the server)` : ''}${ix.existingName && ix.existingName !== ix.name ? ` (${ix.existingName})` : ''}`,
          kind: ['created', 'present', 'equivalent'].includes(ix.status) ? 'pass' : 'fail',
        },
        num(ix.buildMs > 0 ? formatMs(ix.buildMs) : '–'),
        ...(price ? (p ? [num(megabytes(p.sizeBytes)), text(used(p)), verdict(p)] : [text('–'), text('–'), text('–')]) : []),
        ...(writes
          ? [
              text(p?.writeKeys ? writeKeysCell(p.writeKeys) : '–'),
              num(p?.writeShare === null || p?.writeShare === undefined ? '–' : `${(p.writeShare * 100).toFixed(0)}%`),
            ]
          : []),
      ];
    }),
  };
}
