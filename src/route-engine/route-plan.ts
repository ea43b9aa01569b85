/**
 * How a route is sampled, and the commands' limit: constants the CLI's declarations name in
 * their help (`--command-limit-ms`, `--max-time-ms`), apart from the engine that measures.
 */

/** How a route is sampled on one side. */
export interface RoutePlan {
  /** Server-side limit of every command and every explain (ms). */
  maxTimeMS: number;
  /** Timed calls per audience and round for a route whose first call took less than `dearMs`... */
  callsPerRound: number;
  /** ...and for a dearer one (the first call counts as one of them). */
  dearCallsPerRound: number;
  /**
   * A dear route's timed calls by the end of its second round when it is the only class measured on its side (the others
   * over the limit): 3, the fewest that give its speedup interval the 2 degrees of freedom it needs, so that a decisive
   * ratio is not left undecided. With two classes measured or more, their calls of one per round (2 each) already pool
   * 2 degrees of freedom or more: no call is added (see `dearCallsPlanned`).
   */
  minDearSamples: number;
  dearMs: number;
  /** Outer documents a probe lets into a $lookup when the whole command is over the limit... */
  probeDocs: number;
  /** ...and the probe's own limit (ms), at least the commands' (a probe is small by construction). */
  probeMaxTimeMS: number;
}

export const defaultRoutePlan: RoutePlan = {
  maxTimeMS: 10_000,
  callsPerRound: 6,
  dearCallsPerRound: 1,
  minDearSamples: 3,
  dearMs: 1000,
  probeDocs: 20,
  probeMaxTimeMS: 30_000,
};

/** Budgets a command may take before it is over the limit, when no limit is given (see `commandLimitFor`). */
export const budgetsPerCommandLimit = 10;

/**
 * The commands' limit when none is given: `budgetsPerCommandLimit` times the route's largest latency budget. A command that
 * takes ten budgets already proves that the route fails it; waiting longer buys no evidence. Without a budget:
 * `defaultRoutePlan.maxTimeMS`. At the shipped budget (p50 1 s) this is the 10 s limit the pinned facts were recorded
 * with; a lower multiple is not kept: at 3 budgets the application's messages query (6.8 s at medium under Wine) would be
 * over the limit, a fact that would then depend on the machine.
 */
export function commandLimitFor(budgetMs: Readonly<Record<string, number | undefined>> | undefined): number {
  const budgets = Object.values(budgetMs ?? {}).filter((v): v is number => typeof v === 'number' && v > 0);
  return budgets.length > 0 ? budgetsPerCommandLimit * Math.max(...budgets) : defaultRoutePlan.maxTimeMS;
}
