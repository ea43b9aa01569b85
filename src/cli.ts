import { homedir, tmpdir } from 'node:os';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { Cleanup } from './cleanup.js';
import type { CommandContext } from './commands/context.js';
import { InterruptedError, isIndexgateError } from './errors.js';
import { redactText } from './mongo/uri.js';
import type { HostInfo } from './system.js';
import { terminalReporter } from './terminal.js';
import { toolVersion } from './version.js';

import {
  benchDefinition,
  captureDefinition,
  historyAcceptDefinition,
  historyShowDefinition,
  explainDefinition,
  indexesApplyDefinition,
  indexesCheckDefinition,
  indexesListDefinition,
  indexesScriptDefinition,
  indexesVerifyDefinition,
  reportDefinition,
  routesRenderDefinition,
  seedDefinition,
  verifyDefinition,
} from './cli-commands.js';
import type { CommandOutput, Invocation } from './invocation.js';

export type { CommandOutput, Invocation } from './invocation.js';

export type Dispatch = (invocation: Invocation) => Promise<CommandOutput>;

/**
 * Builds the program. `dispatch` runs a parsed invocation; tests pass one that records
 * what was parsed, so argument parsing is tested apart from the commands.
 */
export function createProgram(dispatch: Dispatch, output: { out: (s: string) => void; err: (s: string) => void }): {
  program: Command;
  result: () => CommandOutput | undefined;
} {
  let outcome: CommandOutput | undefined;
  const program = new Command('indexgate')
    .description('Proves, with MongoDB\'s own query planner, whether an index migration does what it promises.')
    .version(toolVersion, '-V, --version')
    // Commander puts its suggestion on a second line: keep every error on one line.
    .configureOutput({ writeOut: output.out, writeErr: (s) => output.err(s.replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')) })
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);

  const run = async (invocation: Invocation): Promise<void> => {
    outcome = await dispatch(invocation);
  };
  benchDefinition(program).action((options) => run({ command: 'bench', args: [], options }));
  seedDefinition(program).action((options) => run({ command: 'seed', args: [], options }));
  const indexes = program.command('indexes').description('the six indexes of the runbook: list, script, apply, verify, check');
  indexesListDefinition(indexes).action((options) => run({ command: 'indexes list', args: [], options }));
  indexesScriptDefinition(indexes).action((options) => run({ command: 'indexes script', args: [], options }));
  indexesApplyDefinition(indexes).action((options) => run({ command: 'indexes apply', args: [], options }));
  indexesVerifyDefinition(indexes).action((options) => run({ command: 'indexes verify', args: [], options }));
  indexesCheckDefinition(indexes).action((options) => run({ command: 'indexes check', args: [], options }));
  explainDefinition(program).action((options) => run({ command: 'explain', args: [], options }));
  verifyDefinition(program).action((options) => run({ command: 'verify', args: [], options }));
  reportDefinition(program).action((file, options) => run({ command: 'report', args: [file], options }));
  captureDefinition(program).action((options) => run({ command: 'capture', args: [], options }));
  const routes = program.command('routes').description('route files: render what a route sends');
  routesRenderDefinition(routes).action((file, options) => run({ command: 'routes render', args: [file], options }));
  const history = program.command('history').description('the nightly gate\'s history file (bench --history): show its series, accept a change');
  historyShowDefinition(history).action((options) => run({ command: 'history show', args: [], options }));
  historyAcceptDefinition(history).action((target, options) => run({ command: 'history accept', args: [target], options }));

  return { program, result: () => outcome };
}

/** Reads the machine from `process` once, for library code that must not. */
function hostInfo(): HostInfo {
  return {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    homedir: homedir(),
    tmpdir: tmpdir(),
  };
}

/** The uri given on the command line, so that its password can be kept out of every message. */
function secretsFromArgv(argv: readonly string[]): string[] {
  const secrets: string[] = [];
  argv.forEach((arg, i) => {
    const value = arg.startsWith('--uri=') ? arg.slice(6) : argv[i - 1] === '--uri' ? arg : undefined;
    const password = value ? /^mongodb(?:\+srv)?:\/\/[^:/@]*:([^@/]*)@/i.exec(value)?.[1] : undefined;
    if (password) secrets.push(password, decodeURIComponentSafe(password));
  });
  return secrets;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The program's one exit point. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const secrets = secretsFromArgv(argv);
  const redact = (s: string) => redactText(s, secrets);
  const printErr = (s: string) => process.stderr.write(redact(s));
  const controller = new AbortController();
  const cleanup = new Cleanup();
  const context: CommandContext = {
    host: hostInfo(),
    reporter: terminalReporter(process.stderr, redact),
    signal: controller.signal,
    cleanup,
  };
  const { dispatch } = await import('./dispatch.js');
  const { program, result } = createProgram((invocation) => dispatch(invocation, context), {
    out: (s) => process.stdout.write(s),
    err: printErr,
  });

  let interrupt: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = () => {
      controller.abort();
      reject(new InterruptedError());
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
  });

  let exitCode: number;
  try {
    const parsing = program.parseAsync(argv);
    parsing.catch(() => undefined); // after an interrupt its rejection is expected and ignored
    await Promise.race([parsing, interrupted]);
    const outcome = result();
    if (outcome?.stdout) process.stdout.write(outcome.stdout.endsWith('\n') ? outcome.stdout : `${outcome.stdout}\n`);
    exitCode = outcome?.exitCode ?? 0;
  } catch (error) {
    exitCode = exitCodeFor(error, printErr);
  } finally {
    await cleanup.run();
    if (interrupt) {
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
    }
  }
  process.exitCode = exitCode;
  // After Ctrl-C, abandoned operations may still hold sockets: leave now that cleanup is done.
  if (exitCode === 130) process.exit(130);
}

function exitCodeFor(error: unknown, printErr: (s: string) => void): number {
  if (error instanceof CommanderError) {
    // Help and version are not errors; commander already printed its one-line message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    return 2;
  }
  if (isIndexgateError(error)) {
    printErr(`indexgate: error: ${error.message.split('\n').join(' ')}\n`);
    return error.exitCode;
  }
  // A bug: show everything, never swallow it.
  printErr(`indexgate: internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
