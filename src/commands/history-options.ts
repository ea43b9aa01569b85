import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import { jsonOption, parsePositiveNumber } from './options.js';

const historyFileOption = () =>
  new Option('--history <file>', 'the history file (JSON Lines, written by bench --history)').makeOptionMandatory();

export const historyShowCommand = declareCommand({
  path: ['history', 'show'],
  define: (command) =>
    command
      .description(
        'the series of a history file as tables: each measure per comparable setting, with verdicts, accepts and change points (reads the file only)',
      )
      .addOption(historyFileOption())
      .addOption(
        new Option('--last <n>', 'rows per series, newest kept (default: the change-point window, 60)').argParser(
          parsePositiveNumber('--last', 1),
        ),
      )
      .addOption(jsonOption()),
});

export const historyAcceptCommand = declareCommand({
  path: ['history', 'accept'],
  define: (command) =>
    command
      .description(
        "mark a change as intended: later runs are compared from this run (or this commit's first run) on; appends one line to the file",
      )
      .argument('<run-id|commit>', 'a run id of the history, or a commit (7+ characters) one of its runs was built from')
      .addOption(historyFileOption())
      .addOption(new Option('--note <text>', 'why the change is intended (kept in the file, shown in reports)').makeOptionMandatory())
      .addOption(jsonOption()),
});
