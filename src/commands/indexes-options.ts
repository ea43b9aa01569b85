import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import {
  collect,
  dbOption,
  indexFilesOption,
  indexSetsOption,
  jsonOption,
  remoteWritesOption,
  timeoutOption,
  uriOption,
} from './options.js';

export const indexesListCommand = declareCommand({
  path: ['indexes', 'list'],
  define: (command, workload) =>
    command
      .description(
        'the index specs (name, collection, key, priority, expected impact) of one set or several together: the set a migration ships',
      )
      .addOption(indexSetsOption(workload))
      .addOption(indexFilesOption())
      .addOption(jsonOption()),
});

export const indexesScriptCommand = declareCommand({
  path: ['indexes', 'script'],
  define: (command, workload) =>
    command
      .description(
        `print a mongosh script that creates an index set (default the migration's, ${workload.indexes.migration}; the runbook's step 4), idempotent`,
      )
      .addOption(dbOption())
      .addOption(indexSetsOption(workload))
      .addOption(indexFilesOption())
      .addOption(
        new Option(
          '--only-needed',
          'leave out the indexes a bench result judged redundant or unused (needs --result), with a comment per index left out',
        ),
      )
      .addOption(new Option('--result <file>', 'the result.json of a bench (or verify) run of the same set, for --only-needed')),
});

export const indexesApplyCommand = declareCommand({
  path: ['indexes', 'apply'],
  define: (command, workload) =>
    command
      .description(`create an index set (default the migration's, ${workload.indexes.migration}), idempotently, timing each build`)
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(indexSetsOption(workload))
      .addOption(indexFilesOption())
      .addOption(new Option('--only <name>', 'only this index of the set (repeatable)').argParser(collect))
      .addOption(
        new Option(
          '--allow-writes-to <db>',
          'allow creating indexes in this database although indexgate did not seed it (must equal --db)',
        ),
      )
      .addOption(remoteWritesOption())
      .addOption(jsonOption())
      .addOption(timeoutOption()),
});

export const indexesVerifyCommand = declareCommand({
  path: ['indexes', 'verify'],
  define: (command) =>
    command
      .description('check each index is present by key pattern, whatever its name (read-only)')
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(jsonOption())
      .addOption(timeoutOption()),
});

export const indexesCheckCommand = declareCommand({
  path: ['indexes', 'check'],
  define: (command, workload) =>
    command
      .description(
        "which indexes of a set the application's schema.prisma does not declare (by key), and the @@index lines that would; " +
          'those naming a field or collection the schema does not have are stale (reads files only)',
      )
      .addOption(new Option('--prisma-schema <file>', "the application's schema.prisma (default: the application's own, --app's)"))
      .addOption(indexSetsOption(workload))
      .addOption(indexFilesOption())
      .addOption(jsonOption()),
});
