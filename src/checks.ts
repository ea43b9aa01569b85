import type { UserClass } from './users/user-classes.js';

/**
 * A check of the gate and the verdict it makes with the others: the one vocabulary the gate,
 * the history and the result share (result.ts re-exports it for the result JSON).
 */

/** Who a route is measured for: a user class, or (a replayed workload) the captured parameters. */
export type RouteAudience = UserClass | 'captured';

export const checkKinds = ['index', 'plan', 'state', 'speedup', 'budget', 'limit', 'counts', 'regression', 'writes'] as const;
export type CheckKind = (typeof checkKinds)[number];

/**
 * What one check concluded: `inconclusive` when the samples the run could take cannot decide
 * it; `accepted` when it failed as it failed on a run the team accepted (`history accept`):
 * reported every run, not counted against the verdict.
 */
export const checkOutcomes = ['pass', 'fail', 'inconclusive', 'accepted'] as const;
export type CheckOutcome = (typeof checkOutcomes)[number];

/** The verdicts of a gate (and the exit codes 0, 1, 3). */
export const verdicts = ['pass', 'fail', 'inconclusive'] as const;

export interface GateCheck {
  check: CheckKind;
  /** pass, fail, or inconclusive (the data cannot decide; never turned into pass or fail). */
  outcome: CheckOutcome;
  pattern?: string;
  /** The route model a check is about (`routes[].id`), and its command's step. */
  route?: string;
  step?: string;
  index?: string;
  userClass?: RouteAudience;
  collection?: string;
  passed: boolean;
  message: string;
}

/** A check as the rules write it: `outcome` defaults to pass or fail from `passed`. */
export type CheckInput = Omit<GateCheck, 'outcome'> & { outcome?: CheckOutcome };

export interface GateFailure {
  check: CheckKind;
  pattern?: string;
  route?: string;
  step?: string;
  index?: string;
  userClass?: RouteAudience;
  message: string;
}

/** The gate's verdict and its exit code: pass 0, fail 1, inconclusive 3 (any fail wins over inconclusive). */
export type Verdict = (typeof verdicts)[number];

export interface GateResult {
  verdict: Verdict;
  /** verdict === "pass". */
  passed: boolean;
  failures: GateFailure[];
  /** Checks the samples could not decide (the reason is in the message). */
  inconclusive: GateFailure[];
  /** Failures the team accepted (`history accept`): they failed as on the accepted run, and do not count. */
  accepted?: GateFailure[];
  /** Every check made, passed or not (JUnit has one test case per check). */
  checks: GateCheck[];
}
