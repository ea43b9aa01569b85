import { resolve } from 'node:path';
import { Option } from '@commander-js/extra-typings';
import { ExitCode } from '../exit-code.js';
import { defineCommand } from './command.js';
import { type ReportFormat, reportFormats } from './options.js';
import { loadResult } from '../report/load-result.js';
import { writeFileAtomic } from '../files.js';
import { renderReport } from '../report/write.js';

export interface ReportCommandOptions {
  file: string;
  format: ReportFormat;
  /** Write here instead of returning the text for stdout. */
  out?: string | undefined;
}

export interface ReportOutcome {
  /** The rendered report, when no --out was given. */
  readonly text?: string;
  readonly written?: string;
}

/** `indexgate report <result.json>`: renders a saved result as Markdown, HTML or JUnit XML. */
export async function renderSavedResult(options: ReportCommandOptions): Promise<ReportOutcome> {
  const result = await loadResult(options.file);
  const text = renderReport(result, options.format);
  if (!options.out) return { text };
  const written = resolve(options.out);
  await writeFileAtomic(written, text);
  return { written };
}

export const reportCommand = defineCommand({
  path: ['report'],
  define: (command) =>
    command
      .description('render a saved result.json as Markdown, HTML or JUnit XML')
      .argument('<result.json>', 'a result written by bench or verify')
      .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('md' as const))
      .addOption(new Option('--out <file>', 'write to this file instead of stdout')),
  run: ({ args: [file], options }) => renderSavedResult({ file, format: options.format, out: options.out }),
  render: (outcome) => ({ stdout: outcome.text ?? `wrote ${outcome.written}`, exitCode: ExitCode.pass }),
});
