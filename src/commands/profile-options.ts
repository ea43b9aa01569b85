import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import { dbOption, jsonOption, readPreferenceOption, timeoutOption, uriOption } from './options.js';

export const profileCommand = declareCommand({
  path: ['profile'],
  define: (command) =>
    command
      .description("read a database's shape, read-only, into a profile `seed`/`bench --profile` can fit: counts, shares and quantiles only")
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(new Option('--out <file>', 'where the profile goes (JSON)'))
      .addOption(new Option('--force', 'replace --out if it exists'))
      .addOption(readPreferenceOption())
      .addOption(
        new Option(
          '--prisma-schema <file>',
          "profile any application's database: the models this schema.prisma declares (a schema profile, for `seed`/`bench --prisma-schema <file> --profile <file>`)",
        ),
      )
      .addOption(jsonOption())
      .addOption(timeoutOption()),
});
