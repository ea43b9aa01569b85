import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import { defaultRoutePlan } from '../route-engine/route-plan.js';
import {
  dbOption,
  jsonOption,
  outOption,
  parsePositiveNumber,
  patternOption,
  prismaSchemaOption,
  ramGbOption,
  readPreferenceOption,
  redactIdsOption,
  routeFileOption,
  routeOption,
  routeParamOption,
  thresholdsOption,
  timeoutOption,
  uriOption,
  verboseOption,
  workloadOption,
} from './options.js';

export const defaultVerifyBudgetSeconds = 60;
export const defaultVerifyMaxTimeMS = 300_000;

export const verifyCommand = declareCommand({
  path: ['verify'],
  define: (command, workload) =>
    command
      .description('the staging gate, strictly read-only: indexes present, plans right, latency budgets met, counts as expected')
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(thresholdsOption())
      .addOption(new Option('--expect-counts <file>', 'expected document counts per collection (JSON)'))
      .addOption(outOption())
      .addOption(jsonOption())
      .addOption(verboseOption())
      .addOption(patternOption())
      .addOption(
        new Option('--budget-seconds <s>', `time budget for the timing part (default ${defaultVerifyBudgetSeconds})`).argParser(
          parsePositiveNumber('--budget-seconds'),
        ),
      )
      .addOption(ramGbOption())
      .addOption(readPreferenceOption())
      .addOption(
        new Option(
          '--max-time-ms <ms>',
          `server-side limit per query (default ${defaultVerifyMaxTimeMS}; ${defaultRoutePlan.maxTimeMS} for the commands of a route or a --workload)`,
        ).argParser(parsePositiveNumber('--max-time-ms')),
      )
      .addOption(workloadOption())
      .addOption(routeOption(workload, `run, read-only (default ${workload.routes.verifyDefault}, unless --route-file is given)`))
      .addOption(routeFileOption())
      .addOption(routeParamOption())
      .addOption(prismaSchemaOption(workload))
      .addOption(redactIdsOption())
      .addOption(timeoutOption()),
});
