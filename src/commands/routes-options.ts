import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import type { Workload } from '../workload.js';
import { declareCommand } from './command.js';
import { dbOption, jsonOption, prismaSchemaOption, routeParamOption, timeoutOption, userClassOption } from './options.js';

/** The options of the commands that call a route for one sampled user: where the user comes from, which one, the route's parameters and schema. */
function sampledRoute<Args extends unknown[], Options extends OptionValues>(command: Command<Args, Options>, workload: Workload) {
  return command
    .addOption(
      new Option(
        '--uri <mongodb-uri>',
        'the database to sample the user from (read-only); without it a tiny dataset is seeded in an embedded, throw-away mongod',
      ),
    )
    .addOption(dbOption())
    .addOption(userClassOption())
    .addOption(routeParamOption())
    .addOption(prismaSchemaOption(workload))
    .addOption(jsonOption())
    .addOption(timeoutOption());
}

export const routesRenderCommand = declareCommand({
  path: ['routes', 'render'],
  define: (command, workload) =>
    sampledRoute(
      command
        .description(
          'print the commands a route file sends for one sampled user, as mongosh statements (read-only: a --uri database, or a tiny embedded dataset)',
        )
        .argument('<file>', 'a route file'),
      workload,
    ),
});

export const routesCheckCommand = declareCommand({
  path: ['routes', 'check'],
  define: (command, workload) =>
    sampledRoute(
      command
        .description(
          "does a route file send what the application sends? Its commands for a sampled user against a captured workload's shapes (read-only)",
        )
        .argument('<file>', 'a route file')
        .addOption(
          new Option(
            '--workload <file>',
            'the workload `indexgate capture` wrote while the application served this route',
          ).makeOptionMandatory(),
        ),
      workload,
    ),
});
