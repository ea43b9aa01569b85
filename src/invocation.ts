/** What passes between the CLI's parser and the commands' dispatcher (a module of its own, so that neither imports the other). */

/** What a command handed back to the CLI: text for stdout and the exit code it earned. */
export interface CommandOutput {
  stdout?: string;
  exitCode: 0 | 1 | 3;
}

/** One parsed invocation: the command path ("indexes apply") and its options, typed from their declarations. */
export type { Invocation } from './cli-commands.js';
