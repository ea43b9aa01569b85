import { declareCommand } from './command.js';
import { dbOption, jsonOption, patternOption, readPreferenceOption, timeoutOption, uriOption } from './options.js';

export const explainCommand = declareCommand({
  path: ['explain'],
  define: (command) =>
    command
      .description("explain every query pattern on the target's current state (read-only)")
      .addOption(uriOption())
      .addOption(dbOption())
      .addOption(patternOption())
      .addOption(jsonOption())
      .addOption(timeoutOption())
      .addOption(readPreferenceOption()),
});
