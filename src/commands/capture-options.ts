import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import { jsonOption, parseNonNegativeInt, timeoutOption, uriOption } from './options.js';

export const captureCommand = declareCommand({
  path: ['capture'],
  define: (command) =>
    command
      .description(
        "read-only: the read commands the application sent, from a database's profiler (--uri, system.profile) or a mongod log file (--log), grouped by shape into a workload file",
      )
      .addOption(uriOption())
      .addOption(new Option('--db <name>', "the application's database (with --uri: whose system.profile; with --log: whose lines)"))
      .addOption(new Option('--log <file>', 'a mongod log file (JSON lines, plain or gzip) instead of the profiler'))
      .addOption(new Option('--out <file>', 'the workload file to write').default('workload.json'))
      .addOption(new Option('--name <name>', "the workload's name (its route id when replayed)").default('captured'))
      .addOption(new Option('--params <n>', 'real parameter sets kept per shape').argParser(parseNonNegativeInt('--params')).default(3))
      .addOption(new Option('--force', 'replace an existing --out file'))
      .addOption(new Option('--skip-unknown', 'skip entries whose command indexgate does not know, instead of refusing the capture'))
      .addOption(jsonOption())
      .addOption(timeoutOption()),
});
