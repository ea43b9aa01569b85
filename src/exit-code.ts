/** The exit codes of ../shared/contract.md, in one place: what users' scripts branch on. */
export const ExitCode = {
  /** The gate passed (or the command did what it was asked). */
  pass: 0,
  /** The gate failed, or a check the command makes (an index missing, a schema that does not declare it) failed. */
  fail: 1,
  /** Bad input, configuration, connection or safety: one line on stderr, nothing written. */
  usage: 2,
  /** The gate could not decide: nothing failed, and some check lacks the samples to pass. */
  inconclusive: 3,
  /** A bug in indexgate: the stack is printed. */
  internal: 70,
  /** Interrupted (Ctrl-C, SIGTERM). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A gate's verdict (result.gate.verdict) as the process's exit code. */
export const verdictExitCode = { pass: ExitCode.pass, fail: ExitCode.fail, inconclusive: ExitCode.inconclusive } as const satisfies Record<
  'pass' | 'fail' | 'inconclusive',
  ExitCode
>;
