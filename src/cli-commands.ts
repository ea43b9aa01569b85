import { type Command, Option } from '@commander-js/extra-typings';
import { defaultRouteChoice, routeChoices } from '../bench/routes/index.js';
import { scaleNames } from '../seed/profiles.js';
import type { IndexSet } from './commands/indexes.js';
import { readPreferences } from './mongo/target.js';
import { type Baseline, collect, defaultSeed, parseNonNegativeInt, parsePositiveNumber, reportFormats } from './options.js';

/**
 * Every command's options, declared once. The option types the commands receive are
 * inferred from these declarations (commander's extra typings), so a renamed or retyped
 * option is a compile error in dispatch.ts, not a surprise at run time.
 */

const uriOption = () => new Option('--uri <mongodb-uri>', 'target server; without it an embedded, throw-away mongod is started');
const dbOption = () => new Option('--db <name>', 'database name (default: the URI\'s database, else "indexgate")');
const jsonOption = () => new Option('--json', 'print the result JSON on stdout (progress stays on stderr)');
const patternOption = () => new Option('--pattern <id>', 'only this query pattern (repeatable; see `indexgate explain --help`)').argParser(collect);
const timeoutOption = () => new Option('--timeout-ms <ms>', 'connection and server-selection timeout').argParser(parsePositiveNumber('--timeout-ms')).default(5_000);
const scaleOption = <D extends (typeof scaleNames)[number]>(fallback: D) => new Option('--scale <scale>', 'dataset size').choices(scaleNames).default(fallback);
const seedOption = () => new Option('--seed <int>', 'random seed; the same seed gives the same data').argParser(parseNonNegativeInt('--seed')).default(defaultSeed);
const baselineOption = () =>
  new Option('--baseline <baseline>', 'indexes present before the six: only _id (bare) or those the Prisma schema declares (prisma)').choices(['bare', 'prisma'] as const satisfies readonly Baseline[]).default('bare' as const);
const remoteWritesOption = () => new Option('--allow-remote-writes', 'allow writing to a --uri that is not on this machine');
const thresholdsOption = () => new Option('--thresholds <file>', 'gate thresholds (JSON); default: bench/thresholds.json');
const outOption = () => new Option('--out <dir>', 'where reports go (default: reports/<run-id>/)');
const prismaSchemaOption = () =>
  new Option(
    '--prisma-schema <file>',
    "the application's schema.prisma (read by Prisma's schema engine): the models a route's prisma client knows; with --baseline prisma, also the indexes it declares instead of the built-in list",
  );
const routeFileOption = () =>
  new Option('--route-file <file>', 'a route file (.ts, .mts, .js, .mjs: a default export { id, title, run(ctx) }) to measure and judge (repeatable); without one, the built-in routes').argParser(collect);
const routeParamOption = () => new Option('--route-param <key=value>', "override a route parameter (repeatable; the value read as JSON where it is a number, true, false or null)").argParser(collect);
const workloadOption = () =>
  new Option('--workload <file>', 'also replay this captured workload (`indexgate capture`), shape by shape, and gate each shape (see README, "Capture and replay")');
const readPreferenceOption = () => new Option('--read-preference <mode>', 'read preference').choices(readPreferences);

export const benchDefinition = (parent: Command) =>
  parent
    .command('bench')
    .description('seed → explain and time every pattern before → apply the six indexes → after → the application route → gate → reports')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(scaleOption('medium'))
    .addOption(seedOption())
    .addOption(baselineOption())
    .addOption(prismaSchemaOption())
    .addOption(thresholdsOption())
    .addOption(outOption())
    .addOption(jsonOption())
    .addOption(patternOption())
    .addOption(new Option('--budget-seconds <s>', 'time budget for the whole run').argParser(parsePositiveNumber('--budget-seconds')))
    .addOption(
      new Option('--route <id>', `which built-in route to measure and judge: prisma (the application as it runs, Prisma 6.19), driver (an optimised service), or all (default ${defaultRouteChoice}, unless --route-file is given)`).choices(routeChoices),
    )
    .addOption(routeFileOption())
    .addOption(routeParamOption())
    .addOption(
      new Option('--command-limit-ms <ms>', 'server-side limit (maxTimeMS) of each command of a route model, explains included; a command that reaches it is reported over the limit and fails the gate')
        .argParser(parsePositiveNumber('--command-limit-ms'))
        .default(10_000),
    )
    .addOption(new Option('--no-remedies', 'do not measure remedies for the application route'))
    .addOption(new Option('--history <file>', 'append key figures to this history file and fail on a significant regression'))
    .addOption(workloadOption())
    .addOption(new Option('--indexes <file>', 'benchmark this index set instead of the six (JSON, shaped like `indexes list --json`)'))
    .addOption(new Option('--skip-index <name>', 'leave this index out of the apply step (repeatable; for testing the gate)').argParser(collect))
    .addOption(new Option('--drop', 'with --uri: replace a dataset indexgate seeded there before'))
    .addOption(new Option('--no-cache', 'seed afresh instead of reusing the cache of seeded datasets (embedded server only)'))
    .addOption(remoteWritesOption())
    .addOption(timeoutOption());

export const seedDefinition = (parent: Command) =>
  parent
    .command('seed')
    .description('seed the collections deterministically (User, Conversation, ConversationMember, Message, ConversationReadCursor, UserConversationPreferences, MessageAttachment)')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(scaleOption('small'))
    .addOption(seedOption())
    .addOption(baselineOption())
    .addOption(prismaSchemaOption())
    .addOption(new Option('--drop', 'replace a database indexgate seeded before'))
    .addOption(new Option('--profiles', 'print what each scale holds and exit'))
    .addOption(jsonOption())
    .addOption(remoteWritesOption())
    .addOption(timeoutOption());

/** The `--set` choices: every index set of `indexes list` (a set added there and not here fails to compile). */
const indexSetNames = ['six', 'prisma', 'remedies'] as const satisfies readonly IndexSet[];

export const indexesListDefinition = (parent: Command) =>
  parent
    .command('list')
    .description('the index specs: name, collection, key, priority, expected impact')
    .addOption(new Option('--set <set>', 'which specs').choices(indexSetNames).default('six' as const))
    .addOption(jsonOption());

export const indexesScriptDefinition = (parent: Command) =>
  parent
    .command('script').description("print a mongosh script that creates the six indexes (the runbook's step 4), idempotent").addOption(dbOption());

export const indexesApplyDefinition = (parent: Command) =>
  parent
    .command('apply')
    .description('create the six indexes, idempotently, timing each build')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(new Option('--only <name>', 'only this index (repeatable)').argParser(collect))
    .addOption(new Option('--allow-writes-to <db>', 'allow creating indexes in this database although indexgate did not seed it (must equal --db)'))
    .addOption(remoteWritesOption())
    .addOption(jsonOption())
    .addOption(timeoutOption());

export const indexesVerifyDefinition = (parent: Command) =>
  parent
    .command('verify')
    .description('check each index is present by key pattern, whatever its name (read-only)')
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(jsonOption())
    .addOption(timeoutOption());

export const indexesCheckDefinition = (parent: Command) =>
  parent
    .command('check')
    .description("which of the set the application's schema.prisma does not declare (by key), and the @@index lines that would (reads files only)")
    .addOption(new Option('--prisma-schema <file>', "the application's schema.prisma").makeOptionMandatory())
    .addOption(new Option('--set <set>', 'which specs').choices(indexSetNames).default('six' as const))
    .addOption(jsonOption());

export const explainDefinition = (parent: Command) =>
  parent
    .command('explain')
    .description("explain every query pattern on the target's current state (read-only)")
    .addOption(uriOption())
    .addOption(dbOption())
    .addOption(patternOption())
    .addOption(jsonOption())
    .addOption(timeoutOption())
    .addOption(readPreferenceOption());

export const verifyDefinition = (parent: Command) =>
  parent
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
    .addOption(readPreferenceOption())
    .addOption(new Option('--max-time-ms <ms>', 'server-side limit per query (default 300000; 10000 for the commands of a route or a --workload)').argParser(parsePositiveNumber('--max-time-ms')))
    .addOption(workloadOption())
    .addOption(new Option('--route <id>', 'which built-in route to run, read-only (default driver, unless --route-file is given)').choices(routeChoices))
    .addOption(routeFileOption())
    .addOption(routeParamOption())
    .addOption(prismaSchemaOption())
    .addOption(timeoutOption());

export const routesRenderDefinition = (parent: Command) =>
  parent
    .command('render')
    .description('print the commands a route file sends for one sampled user, as mongosh statements (read-only: a --uri database, or a tiny embedded dataset)')
    .argument('<file>', 'a route file')
    .addOption(new Option('--uri <mongodb-uri>', 'the database to sample the user from (read-only); without it a tiny dataset is seeded in an embedded, throw-away mongod'))
    .addOption(dbOption())
    .addOption(new Option('--user-class <class>', 'which sampled user').choices(['typical', 'heavy', 'heaviest'] as const).default('typical' as const))
    .addOption(routeParamOption())
    .addOption(prismaSchemaOption())
    .addOption(jsonOption())
    .addOption(timeoutOption());

export const captureDefinition = (parent: Command) =>
  parent
    .command('capture')
    .description("read-only: the read commands the application sent, from a database's profiler (--uri, system.profile) or a mongod log file (--log), grouped by shape into a workload file")
    .addOption(uriOption())
    .addOption(new Option('--db <name>', "the application's database (with --uri: whose system.profile; with --log: whose lines)"))
    .addOption(new Option('--log <file>', 'a mongod log file (JSON lines, plain or gzip) instead of the profiler'))
    .addOption(new Option('--out <file>', 'the workload file to write').default('workload.json'))
    .addOption(new Option('--name <name>', "the workload's name (its route id when replayed)").default('captured'))
    .addOption(new Option('--params <n>', 'real parameter sets kept per shape').argParser(parseNonNegativeInt('--params')).default(3))
    .addOption(new Option('--force', 'replace an existing --out file'))
    .addOption(new Option('--skip-unknown', 'skip entries whose command indexgate does not know, instead of refusing the capture'))
    .addOption(jsonOption())
    .addOption(timeoutOption());

export const reportDefinition = (parent: Command) =>
  parent
    .command('report')
    .description('render a saved result.json as Markdown, HTML or JUnit XML')
    .argument('<result.json>', 'a result written by bench or verify')
    .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('md' as const))
    .addOption(new Option('--out <file>', 'write to this file instead of stdout'));

const historyFileOption = () => new Option('--history <file>', 'the history file (JSON Lines, written by bench --history)').makeOptionMandatory();

export const historyShowDefinition = (parent: Command) =>
  parent
    .command('show')
    .description('the series of a history file as tables: each measure per comparable setting, with verdicts, accepts and change points (reads the file only)')
    .addOption(historyFileOption())
    .addOption(new Option('--last <n>', 'rows per series, newest kept (default: the change-point window, 60)').argParser(parsePositiveNumber('--last', 1)))
    .addOption(jsonOption());

export const historyAcceptDefinition = (parent: Command) =>
  parent
    .command('accept')
    .description("mark a change as intended: later runs are compared from this run (or this commit's first run) on; appends one line to the file")
    .argument('<run-id|commit>', 'a run id of the history, or a commit (7+ characters) one of its runs was built from')
    .addOption(historyFileOption())
    .addOption(new Option('--note <text>', 'why the change is intended (kept in the file, shown in reports)').makeOptionMandatory())
    .addOption(jsonOption());

type OptionsOf<D extends (parent: Command) => { opts(): unknown }> = ReturnType<ReturnType<D>['opts']>;

/** One parsed invocation: the command path and its options, typed from the declarations above. */
export type Invocation =
  | { command: 'bench'; args: []; options: OptionsOf<typeof benchDefinition> }
  | { command: 'seed'; args: []; options: OptionsOf<typeof seedDefinition> }
  | { command: 'indexes list'; args: []; options: OptionsOf<typeof indexesListDefinition> }
  | { command: 'indexes script'; args: []; options: OptionsOf<typeof indexesScriptDefinition> }
  | { command: 'indexes apply'; args: []; options: OptionsOf<typeof indexesApplyDefinition> }
  | { command: 'indexes verify'; args: []; options: OptionsOf<typeof indexesVerifyDefinition> }
  | { command: 'indexes check'; args: []; options: OptionsOf<typeof indexesCheckDefinition> }
  | { command: 'explain'; args: []; options: OptionsOf<typeof explainDefinition> }
  | { command: 'verify'; args: []; options: OptionsOf<typeof verifyDefinition> }
  | { command: 'report'; args: [file: string]; options: OptionsOf<typeof reportDefinition> }
  | { command: 'capture'; args: []; options: OptionsOf<typeof captureDefinition> }
  | { command: 'history show'; args: []; options: OptionsOf<typeof historyShowDefinition> }
  | { command: 'history accept'; args: [target: string]; options: OptionsOf<typeof historyAcceptDefinition> }
  | { command: 'routes render'; args: [file: string]; options: OptionsOf<typeof routesRenderDefinition> };
