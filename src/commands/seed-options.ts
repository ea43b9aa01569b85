import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import {
  baselineOption,
  dbOption,
  jsonOption,
  prismaSchemaOption,
  profileOption,
  remoteWritesOption,
  scaleFactorOption,
  scaleOption,
  seedOption,
  timeoutOption,
  uriOption,
} from './options.js';

export const seedCommand = declareCommand({
  path: ['seed'],
  define: (command, workload) =>
    command
      .description(`seed the collections deterministically (${workload.dataset.collections.join(', ')})`)
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(scaleOption(workload, 'small'))
      .addOption(profileOption())
      .addOption(scaleFactorOption())
      .addOption(seedOption())
      .addOption(baselineOption(workload))
      .addOption(prismaSchemaOption(workload))
      .addOption(new Option('--drop', 'replace a database indexgate seeded before'))
      .addOption(new Option('--profiles', 'print what each scale holds and exit'))
      .addOption(jsonOption())
      .addOption(remoteWritesOption())
      .addOption(timeoutOption()),
});
