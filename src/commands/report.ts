import { resolve } from 'node:path';
import { ExitCode } from '../exit-code.js';
import { implementCommand } from './command.js';
import type { reportCommand } from './report-options.js';
import { type ReportFormat } from './options.js';
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

export const reportImplementation = implementCommand<typeof reportCommand>()({
  run: ({ args: [file], options }) => renderSavedResult({ file, format: options.format, out: options.out }),
  render: (outcome) => ({ stdout: outcome.text ?? `wrote ${outcome.written}`, exitCode: ExitCode.pass }),
});
