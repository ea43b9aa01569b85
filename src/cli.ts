import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { Cleanup } from './cleanup.js';
import { InterruptedError, isIndexgateError } from './errors.js';
import { redactText } from './mongo/uri.js';
import type { HostInfo } from './system.js';
import { terminalReporter } from './terminal.js';
import { toolVersion } from './version.js';

import { type AnyCommand, type CommandContext, type CommandOutput } from './commands/command.js';
import { commandGroups, commandTable } from './commands/table.js';
import { ExitCode } from './exit-code.js';
import type { Workload } from './workload.js';
import { type Applications, appArgument, type ChosenApplication, chooseApplication } from './apps/registry.js';

/** One parsed invocation: the command's path ("indexes apply"), its arguments and its options as declared. */
export interface Invocation {
  readonly command: string;
  readonly args: unknown[];
  readonly options: Record<string, unknown>;
}

/** Runs a parsed command; the CLI's loads its implementation (`spec.load`), runs it and renders its outcome; tests pass one that records what was parsed. */
export type Runner = (spec: AnyCommand, invocation: Invocation) => Promise<CommandOutput>;

/**
 * Builds the program from the command table: each command's options declared once by its
 * `define`, for the workload given. `run` runs a parsed invocation.
 */
export function createProgram(
  workload: Workload,
  run: Runner,
  output: { out: (s: string) => void; err: (s: string) => void },
  commands: readonly AnyCommand[] = commandTable,
  apps?: Applications,
): { program: Command; result: () => CommandOutput | undefined } {
  let outcome: CommandOutput | undefined;
  const program = new Command('indexgate')
    .description("Proves, with MongoDB's own query planner, whether an index migration does what it promises.")
    .version(toolVersion, '-V, --version')
    // Commander puts its suggestion on a second line: keep every error on one line.
    .configureOutput({ writeOut: output.out, writeErr: (s) => output.err(s.replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')) })
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);

  const groups = new Map<string, Command>();
  const parentOf = (path: readonly string[]): Command => {
    if (path.length === 1) return program;
    const name = path[0] as string;
    let group = groups.get(name);
    if (!group) {
      group = program.command(name).description(commandGroups[name] ?? name);
      groups.set(name, group);
    }
    return group;
  };
  for (const spec of commands) {
    const name = spec.path[spec.path.length - 1] as string;
    const command = spec.define(parentOf(spec.path).command(name), workload);
    // Read before the program is built (appArgument): declared here so that every command accepts it and lists it.
    if (apps) command.addOption(appOption(apps));
    command.action(async (...received: unknown[]) => {
      // commander passes the arguments, then the options, then the command itself.
      const args = received.slice(0, -2);
      const options = received[received.length - 2] as Record<string, unknown>;
      outcome = await run(spec, { command: spec.path.join(' '), args, options });
    });
  }
  return { program, result: () => outcome };
}

const appOption = (apps: Applications) =>
  new Option(
    '--app <name|folder>',
    `the application: ${apps.builtIn.map((a) => `${a.name} (${a.date})`).join(', ')}, or a folder of the same shape (docs/applications.md); default ${apps.default}`,
  );

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

/**
 * How the user runs this program from the current folder: `node <path>` when the script is
 * this checkout's (a clone run with `npm run bench`), `npx indexgate` when it is an installed
 * package's, `indexgate` otherwise.
 */
export function programName(script: string | undefined, cwd: string): string {
  if (!script) return 'indexgate';
  let real = script;
  try {
    real = realpathSync(script);
  } catch {
    // keep the path as given
  }
  const rel = relative(cwd, real);
  if (rel.startsWith('..') || isAbsolute(rel)) return 'indexgate';
  return rel.split(sep).includes('node_modules') ? 'npx indexgate' : `node ${rel}`;
}

/**
 * The program's one exit point: `apps` are the applications described as data, assembled by
 * the entry point (bin/indexgate.js); `--app` chooses one before the program is built (its
 * scales, baselines and routes are the options' choices).
 */
export async function main(apps: Applications, argv: readonly string[] = process.argv): Promise<void> {
  const secrets = secretsFromArgv(argv);
  const redact = (s: string) => redactText(s, secrets);
  const printErr = (s: string) => process.stderr.write(redact(s));
  let chosen: ChosenApplication;
  try {
    chosen = await chooseApplication(apps, appArgument(argv.slice(2)));
  } catch (error) {
    process.exitCode = exitCodeFor(error, printErr);
    return;
  }
  const controller = new AbortController();
  const cleanup = new Cleanup();
  const context: CommandContext = {
    host: hostInfo(),
    reporter: terminalReporter(process.stderr, redact),
    signal: controller.signal,
    cleanup,
    workload: chosen.workload,
    application: { name: chosen.name, commit: chosen.commit, date: chosen.date },
    program: programName(argv[1], process.cwd()),
  };
  const { program, result } = createProgram(
    chosen.workload,
    async (spec, { args, options }) => {
      const command = await spec.load();
      return command.render(await command.run({ args, options }, context), options);
    },
    {
      out: (s) => process.stdout.write(s),
      err: printErr,
    },
    commandTable,
    apps,
  );

  let interrupt: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = () => {
      controller.abort();
      reject(new InterruptedError());
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
  });

  let exitCode: ExitCode;
  try {
    const parsing = program.parseAsync(argv);
    parsing.catch(() => undefined); // after an interrupt its rejection is expected and ignored
    await Promise.race([parsing, interrupted]);
    const outcome = result();
    if (outcome?.stdout) process.stdout.write(outcome.stdout.endsWith('\n') ? outcome.stdout : `${outcome.stdout}\n`);
    exitCode = outcome?.exitCode ?? ExitCode.pass;
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
  if (exitCode === ExitCode.interrupted) process.exit(ExitCode.interrupted);
}

function exitCodeFor(error: unknown, printErr: (s: string) => void): ExitCode {
  if (error instanceof CommanderError) {
    // Help and version are not errors; commander already printed its one-line message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')
      return ExitCode.pass;
    return ExitCode.usage;
  }
  if (isIndexgateError(error)) {
    printErr(`indexgate: error: ${error.message.split('\n').join(' ')}\n`);
    return error.exitCode;
  }
  // A bug: show everything, never swallow it.
  printErr(`indexgate: internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.internal;
}
