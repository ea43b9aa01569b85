import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import { budgetsPerCommandLimit, defaultRoutePlan } from '../route-engine/route-plan.js';
import {
  baselineOption,
  collect,
  dbOption,
  jsonOption,
  outOption,
  parsePositiveNumber,
  patternOption,
  prismaSchemaOption,
  profileOption,
  ramGbOption,
  remoteWritesOption,
  routeFileOption,
  routeOption,
  routeParamOption,
  scaleFactorOption,
  scaleOption,
  seedOption,
  thresholdsOption,
  timeoutOption,
  uriOption,
  verboseOption,
  workloadOption,
} from './options.js';

export const benchCommand = declareCommand({
  path: ['bench'],
  define: (command, workload) =>
    command
      .description(
        `seed → explain and time every pattern before → apply the migration's index set (${workload.indexes.migration}) → after → the routes → gate → reports`,
      )
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(scaleOption(workload, 'medium'))
      .addOption(
        new Option(
          '--scales <list>',
          "a bench at each of these scales in turn (e.g. tiny,small,medium), then how each route's cost grows with the data",
        ).argParser(collect),
      )
      .addOption(profileOption())
      .addOption(scaleFactorOption())
      .addOption(
        new Option(
          '--scale-factors <list>',
          'with --profile: a bench at each of these factors of it (e.g. 0.1,0.3,1), then how cost grows',
        ).argParser((value: string, previous: number[] | undefined) => [
          ...(previous ?? []),
          ...collect(value, undefined).map((v) => parsePositiveNumber('--scale-factors')(v)),
        ]),
      )
      .addOption(seedOption())
      .addOption(baselineOption(workload))
      .addOption(prismaSchemaOption(workload))
      .addOption(thresholdsOption())
      .addOption(outOption())
      .addOption(jsonOption())
      .addOption(verboseOption())
      .addOption(patternOption())
      .addOption(new Option('--budget-seconds <s>', 'time budget for the whole run').argParser(parsePositiveNumber('--budget-seconds')))
      .addOption(ramGbOption())
      .addOption(routeOption(workload, `measure and judge (default ${workload.routes.defaultChoice}, unless --route-file is given)`))
      .addOption(routeFileOption())
      .addOption(routeParamOption())
      .addOption(
        new Option(
          '--command-limit-ms <ms>',
          `server-side limit (maxTimeMS) of each command of a route, explains included; a command that reaches it is reported over the limit and fails the gate (default: ${budgetsPerCommandLimit} times the route's largest latency budget, ${defaultRoutePlan.maxTimeMS} without one; ${defaultRoutePlan.maxTimeMS} is the fixed limit of earlier versions)`,
        ).argParser(parsePositiveNumber('--command-limit-ms')),
      )
      .addOption(new Option('--no-remedies', "do not measure remedies for the application's route"))
      .addOption(
        new Option(
          '--no-writes',
          "do not measure what the set costs the application's writes (its write routes, before and after the set)",
        ),
      )
      .addOption(
        new Option(
          '--no-build-load',
          'do not sample a concurrent read workload before and while the set is built (only the builds are timed)',
        ),
      )
      .addOption(new Option('--history <file>', 'append key figures to this history file and fail on a significant regression'))
      .addOption(workloadOption())
      .addOption(
        new Option(
          '--indexes <file>',
          `benchmark this index set instead of ${workload.indexes.migration} (JSON, shaped like \`indexes list --json\`)`,
        ),
      )
      .addOption(
        new Option('--skip-index <name>', 'leave this index out of the apply step (repeatable; for testing the gate)').argParser(collect),
      )
      .addOption(new Option('--drop', 'with --uri: replace a dataset indexgate seeded there before'))
      .addOption(new Option('--no-cache', 'seed afresh instead of reusing the cache of seeded datasets (embedded server only)'))
      .addOption(remoteWritesOption())
      .addOption(timeoutOption()),
});
