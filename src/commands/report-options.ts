import { Option } from '@commander-js/extra-typings';
import { declareCommand } from './command.js';
import { reportFormats } from './options.js';

export const reportCommand = declareCommand({
  path: ['report'],
  define: (command) =>
    command
      .description('render a saved result.json as Markdown, HTML or JUnit XML')
      .argument('<result.json>', 'a result written by bench or verify')
      .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('md' as const))
      .addOption(new Option('--out <file>', 'write to this file instead of stdout')),
});
