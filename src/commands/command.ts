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
 * The declaration is all that every start of the CLI loads (`--help` lists it, commander
 * parses by it); what it does and how it is shown are loaded when the command runs.
 */
export interface CommandSpec<Args extends unknown[], Options extends OptionValues, Outcome> extends CommandDeclaration<Args, Options> {
  /** The implementation, `import()`ed when the command runs: the engine's modules are loaded only by a command that needs them. */
  load(): Promise<CommandImplementation<Args, Options, Outcome>>;
}

/** A command's path and options: cheap imports only (commander, the shared options, the workload's names). */
export interface CommandDeclaration<Args extends unknown[], Options extends OptionValues> {
  /** `['bench']`, or `['indexes', 'apply']` for a command of a group. */
  readonly path: readonly [string] | readonly [string, string];
  define(command: Command, workload: Workload): Command<Args, Options>;
}

/** What a declared command does, and how its outcome is shown. */
export interface CommandImplementation<Args extends unknown[], Options extends OptionValues, Outcome> {
  run(input: { readonly args: Args; readonly options: Options }, context: CommandContext): Promise<Outcome>;
  render(outcome: Outcome, options: Options): CommandOutput;
}

/** Declares a command (the identity, for type inference of its options from `define`). */
export function declareCommand<Args extends unknown[], Options extends OptionValues>(
  declaration: CommandDeclaration<Args, Options>,
): CommandDeclaration<Args, Options> {
  return declaration;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDeclaration = CommandDeclaration<any[], any>;
type ArgsOf<D extends AnyDeclaration> = D extends CommandDeclaration<infer Args, OptionValues> ? Args : never;
type OptionsOf<D extends AnyDeclaration> = D extends CommandDeclaration<unknown[], infer Options> ? Options : never;

/**
 * Implements a declared command: `implementCommand<typeof benchCommand>()({ run, render })`
 * gives `run` and `render` the arguments and options the declaration infers (its type only:
 * the implementation does not load the declaration's module, nor the declaration its).
 */
export const implementCommand =
  <D extends AnyDeclaration>() =>
  <Outcome>(
    implementation: CommandImplementation<ArgsOf<D>, OptionsOf<D>, Outcome>,
  ): CommandImplementation<ArgsOf<D>, OptionsOf<D>, Outcome> =>
    implementation;

/** A declared command and how to load its implementation: an entry of the command table. */
export function lazyCommand<Args extends unknown[], Options extends OptionValues, Outcome>(
  declaration: CommandDeclaration<Args, Options>,
  load: () => Promise<CommandImplementation<Args, Options, Outcome>>,
): CommandSpec<Args, Options, Outcome> {
  return { ...declaration, load };
}

/** A command of the table, its types erased: the table holds commands of every shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandSpec<any[], any, any>;

export const json = (value: unknown): string => JSON.stringify(value, null, 2);
