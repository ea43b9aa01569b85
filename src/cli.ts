import { defaultRouteChoice, routeChoices } from '../bench/routes/index.js';
import { homedir, tmpdir } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { scaleNames } from '../seed/profiles.js';
import { Cleanup } from './cleanup.js';
import type { CommandContext } from './commands/context.js';
import { InterruptedError, isIndexgateError } from './errors.js';
import { readPreferences } from './mongo/target.js';
import { redactText } from './mongo/uri.js';
import { baselines, collect, defaultSeed, parseNonNegativeInt, parsePositiveNumber, reportFormats } from './options.js';
import type { HostInfo } from './system.js';
import { terminalReporter } from './terminal.js';
import { toolVersion } from './version.js';

import type { CommandOutput, Invocation } from './invocation.js';

export type { CommandOutput, Invocation } from './invocation.js';

export type Dispatch = (invocation: Invocation) => Promise<CommandOutput>;

const uriOption = () => new Option('--uri <mongodb-uri>', 'target server; without it an embedded, throw-away mongod is started');
const dbOption = () => new Option('--db <name>', 'database name (default: the URI\'s database, else "indexgate")');
const jsonOption = () => new Option('--json', 'print the result JSON on stdout (progress stays on stderr)');
const patternOption = () => new Option('--pattern <id>', 'only this query pattern (repeatable; see `indexgate explain --help`)').argParser(collect);
const timeoutOption = () =>
  new Option('--timeout-ms <ms>', 'connection and server-selection timeout').argParser(parsePositiveNumber('--timeout-ms')).default(5_000);
const scaleOption = (fallback: string) => new Option('--scale <scale>', 'dataset size').choices(scaleNames).default(fallback);
const seedOption = () => new Option('--seed <int>', 'random seed; the same seed gives the same data').argParser(parseNonNegativeInt('--seed')).default(defaultSeed);
const baselineOption = () =>
  new Option('--baseline <baseline>', 'indexes present before the six: only _id (bare) or those the Prisma schema declares (prisma)').choices(baselines).default('bare');
const remoteWritesOption = () => new Option('--allow-remote-writes', 'allow writing to a --uri that is not on this machine');
const thresholdsOption = () => new Option('--thresholds <file>', 'gate thresholds (JSON); default: bench/thresholds.json');
const outOption = () => new Option('--out <dir>', 'where reports go (default: reports/<run-id>/)');

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

  const action =
    (name: string) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      const args = received.slice(0, -2).filter((a): a is string => typeof a === 'string');
      outcome = await dispatch({ command: name, args, options: command.opts() });
    };

  program
    .command('bench')
    .description('seed → explain and time every pattern before → apply the six indexes → after → gate → reports')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(scaleOption('medium'))
    .addOption(seedOption())
    .addOption(baselineOption())
    .addOption(thresholdsOption())
    .addOption(outOption())
    .addOption(jsonOption())
    .addOption(patternOption())
    .addOption(new Option('--budget-seconds <s>', 'time budget for the whole run').argParser(parsePositiveNumber('--budget-seconds')))
    .addOption(
      new Option('--route <model>', 'which route to judge: prisma (the application as it runs, Prisma 6.19), driver (an optimised service), or all')
        .choices(routeChoices)
        .default(defaultRouteChoice),
    )
    .addOption(new Option('--command-limit-ms <ms>', "server-side limit (maxTimeMS) of each command of a route model, explains included; a command that reaches it is reported over the limit and fails the gate").argParser(parsePositiveNumber('--command-limit-ms')).default(10_000))
    .addOption(new Option('--no-remedies', 'do not measure remedies for the application route'))
    .addOption(new Option('--history <file>', 'append key figures to this history file and fail on a significant regression'))
    .addOption(new Option('--indexes <file>', 'benchmark this index set instead of the six (JSON, shaped like `indexes list --json`)'))
    .addOption(new Option('--skip-index <name>', 'leave this index out of the apply step (repeatable; for testing the gate)').argParser(collect))
    .addOption(new Option('--drop', 'with --uri: replace a dataset indexgate seeded there before'))
    .addOption(new Option('--no-cache', 'seed afresh instead of reusing the cache of seeded datasets (embedded server only)'))
    .addOption(remoteWritesOption())
    .addOption(timeoutOption())
    .action(action('bench'));

  program
    .command('seed')
    .description('seed the collections deterministically (User, Conversation, ConversationMember, Message, ConversationReadCursor, UserConversationPreferences)')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(scaleOption('small'))
    .addOption(seedOption())
    .addOption(baselineOption())
    .addOption(new Option('--drop', 'replace a database indexgate seeded before'))
    .addOption(new Option('--profiles', 'print what each scale holds and exit'))
    .addOption(jsonOption())
    .addOption(remoteWritesOption())
    .addOption(timeoutOption())
    .action(action('seed'));

  const indexes = program.command('indexes').description('the six indexes of the runbook: list, script, apply, verify');
  indexes
    .command('list')
    .description('the index specs: name, collection, key, priority, expected impact')
    .addOption(new Option('--set <set>', 'which specs').choices(['six', 'prisma']).default('six'))
    .addOption(jsonOption())
    .action(action('indexes list'));
  indexes
    .command('script')
    .description('print a mongosh script that creates the six indexes (the runbook\'s step 4), idempotent')
    .addOption(dbOption())
    .action(action('indexes script'));
  indexes
    .command('apply')
    .description('create the six indexes, idempotently, timing each build')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(new Option('--only <name>', 'only this index (repeatable)').argParser(collect))
    .addOption(new Option('--allow-writes-to <db>', 'allow creating indexes in this database although indexgate did not seed it (must equal --db)'))
    .addOption(remoteWritesOption())
    .addOption(jsonOption())
    .addOption(timeoutOption())
    .action(action('indexes apply'));
  indexes
    .command('verify')
    .description('check each index is present by key pattern, whatever its name (read-only)')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(jsonOption())
    .addOption(timeoutOption())
    .action(action('indexes verify'));

  program
    .command('explain')
    .description('explain every query pattern on the target\'s current state (read-only)')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(patternOption())
    .addOption(jsonOption())
    .addOption(timeoutOption())
    .addOption(new Option('--read-preference <mode>', 'read preference').choices(readPreferences))
    .action(action('explain'));

  program
    .command('verify')
    .description('the staging gate, strictly read-only: indexes present, plans right, latency budgets met, counts as expected')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(thresholdsOption())
    .addOption(new Option('--expect-counts <file>', 'expected document counts per collection (JSON)'))
    .addOption(outOption())
    .addOption(jsonOption())
    .addOption(patternOption())
    .addOption(new Option('--budget-seconds <s>', 'time budget for the timing part (default 60)').argParser(parsePositiveNumber('--budget-seconds')))
    .addOption(new Option('--read-preference <mode>', 'read preference').choices(readPreferences))
    .addOption(new Option('--max-time-ms <ms>', 'server-side limit per query (default 300000)').argParser(parsePositiveNumber('--max-time-ms')))
    .addOption(timeoutOption())
    .action(action('verify'));

  program
    .command('report')
    .description('render a saved result.json as Markdown, HTML or JUnit XML')
    .argument('<result.json>', 'a result written by bench or verify')
    .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('md'))
    .addOption(new Option('--out <file>', 'write to this file instead of stdout'))
    .action(action('report'));

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
