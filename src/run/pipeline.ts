import type { Db } from 'mongodb';
import type { QueryPattern } from '../../bench/patterns.js';
import { type CountExpectation, evaluateGate, withChecks } from '../gate/evaluate.js';
import type { Thresholds } from '../gate/thresholds.js';
import { judgeRun } from '../history/judge.js';
import { historyRecord, recordable, type RecordContext } from '../history/record.js';
import { appendHistoryLine, type LoadedHistory } from '../history/store.js';
import type { IndexOutcome } from '../indexes/apply.js';
import type { Reporter } from '../progress.js';
import type { CheckInput, GateResult, Measurement, PatternResult, RunResult } from '../result.js';
import { type ClassContext, sampleUsers } from '../users/user-classes.js';
import { patternResults } from './assemble.js';
import { discoverContexts } from './contexts.js';
import { explainAll } from './explain.js';
import type { SideSamples } from './timing.js';

/**
 * The stages `bench` and `verify` share, in their order: sample the users and explain
 * every pattern for each (one side), then conclude (assemble → gate), then the history.
 * Each command adds its own stages between them (bench: seed, build, the second side, the
 * route models; verify: inspect); reports are written by the command layer.
 */

/** Users of each class and their ids, then every selected pattern explained on the target's current state. */
export async function explainSide(
  db: Db,
  selected: readonly QueryPattern[],
  options: { classes?: readonly ClassContext[] | undefined; signal?: AbortSignal | undefined; maxTimeMS?: number | undefined; reporter?: Reporter | undefined } = {},
): Promise<{ classes: readonly ClassContext[]; plans: Map<string, Measurement> }> {
  let classes = options.classes;
  if (!classes) {
    const users = await sampleUsers(db);
    options.reporter?.notice(`user classes: ${users.map((u) => `${u.userClass} (${u.memberships} conversations)`).join(', ')}`);
    classes = await discoverContexts(db, users);
  }
  return { classes, plans: await explainAll(db, selected, classes, { signal: options.signal, maxTimeMS: options.maxTimeMS }) };
}

export interface ConcludeInput {
  selected: readonly QueryPattern[];
  classes: readonly ClassContext[];
  plans: { before?: ReadonlyMap<string, Measurement>; after: ReadonlyMap<string, Measurement> };
  samples: { before?: SideSamples; after: SideSamples };
  thresholds: Thresholds;
  indexes: readonly IndexOutcome[];
  counts?: readonly CountExpectation[];
  /** bench: the speedups are judged; verify has no "before". */
  judgeSpeedup: boolean;
  /** Checks made by other stages (state checks, routes). */
  extraChecks?: readonly CheckInput[];
}

/** Assemble the patterns from plans and samples, then the gate over them and the other stages' checks (the routes'). */
export function concludeRun(input: ConcludeInput): { patterns: PatternResult[]; gate: GateResult } {
  const patterns = patternResults({ patterns: input.selected, classes: input.classes, plans: input.plans, samples: input.samples });
  const gate = evaluateGate({ thresholds: input.thresholds, indexes: input.indexes, patterns, counts: input.counts ?? [], judgeSpeedup: input.judgeSpeedup });
  return { patterns, gate: withChecks(gate, input.extraChecks ?? []) };
}

/**
 * The history stage: the measured result recorded as a run of the series and judged
 * against the comparable earlier runs since the last accept (plan regressions, the
 * single-night alarm, change points; src/history/judge.ts), its checks added to a new
 * result (the measured one is not changed). `record` appends the run, with its final
 * verdict, once its reports are written; a run that measured nothing validly is not kept.
 */
export function historyStage(
  measured: RunResult,
  history: { loaded: LoadedHistory; routes: RecordContext['routes'] } | undefined,
  reporter: Reporter,
): { result: RunResult; record: () => Promise<void> } {
  if (!history) return { result: measured, record: async () => {} };
  const run = historyRecord(measured, { routes: history.routes });
  const { checks, summary } = judgeRun(run, history.loaded.lines);
  reporter.notice(
    `history: ${summary.comparableRuns} comparable earlier run(s) in ${history.loaded.file}${summary.notComparable > 0 ? ` (${summary.notComparable} not comparable)` : ''}${summary.accepted ? `, since the accept of ${summary.accepted.runId}` : ''}`,
  );
  const gate = withChecks(measured.gate, checks);
  const result: RunResult = { ...measured, gate, history: { file: history.loaded.file, ...summary } };
  return {
    result,
    record: async () => {
      if (recordable(run)) await appendHistoryLine(history.loaded, { ...run, verdict: gate.verdict });
    },
  };
}
