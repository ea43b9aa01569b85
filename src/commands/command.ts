import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { Cleanup } from '../cleanup.js';
import type { ExitCode } from '../exit-code.js';
import type { Reporter } from '../progress.js';
import type { HostInfo } from '../system.js';
import type { Workload } from '../workload.js';

/** What every command gets from the CLI besides its own options. */
export interface CommandContext {
  readonly host: HostInfo;
  readonly reporter: Reporter;
  /** Aborted on Ctrl-C: long loops check it between units of work. */
  readonly signal: AbortSignal;
  /** Servers, clients and temporary files register here and are removed however the command ends. */
  readonly cleanup: Cleanup;
  /** The application described as data (seed/, indexes/, bench/; apps/): chosen once by the entry point (`--app`). */
  readonly workload: Workload;
  /** Which application that is: its name and the commit it stands for (the history keys runs by them). */
  readonly application?: { readonly name: string; readonly commit: string; readonly date: string };
  /** How this program is run from here, for commands it prints for the user to run (`node bin/indexgate.js`, `npx indexgate`). */
  readonly program: string;
}

/** What a command hands back to the CLI: text for stdout and the exit code it earned. */
export interface CommandOutput {
  readonly stdout?: string;
  readonly exitCode: ExitCode;
}

/**
 * One command, in three parts: its options declared once (commander's extra typings infer
 * their types, so `run` and `render` receive exactly what was declared, under the names
 * declared), what it does (typed options in, a typed outcome out: library code, no
 * printing), and how its outcome is shown (text and exit code: the CLI prints them).
 */
export interface CommandSpec<Args extends unknown[], Options extends OptionValues, Outcome> {
  /** `['bench']`, or `['indexes', 'apply']` for a command of a group. */
  readonly path: readonly [string] | readonly [string, string];
  define(command: Command, workload: Workload): Command<Args, Options>;
  run(input: { readonly args: Args; readonly options: Options }, context: CommandContext): Promise<Outcome>;
  render(outcome: Outcome, options: Options): CommandOutput;
}

/** Declares a command (the identity, for type inference of its options from `define`). */
export function defineCommand<Args extends unknown[], Options extends OptionValues, Outcome>(
  spec: CommandSpec<Args, Options, Outcome>,
): CommandSpec<Args, Options, Outcome> {
  return spec;
}

/** A command of the table, its types erased: the table holds commands of every shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandSpec<any[], any, any>;

export const json = (value: unknown): string => JSON.stringify(value, null, 2);
