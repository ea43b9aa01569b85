import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { dirname, join, resolve } from 'node:path';
import type { RunResult } from '../result.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { type ReportFormat, reportFormats } from './formats.js';

export { type ReportFormat, reportFormats } from './formats.js';

export function defaultOutDir(runId: string): string {
  return resolve('reports', runId);
}

export interface WrittenOutputs {
  outDir: string;
  files: string[];
}

export const reportFiles = { md: 'report.md', html: 'report.html', junit: 'report.junit.xml' } as const;

export function renderReport(result: RunResult, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(result);
    case 'html':
      return renderHtml(result);
    case 'junit':
      return renderJunit(result);
  }
}

/**
 * Checks, before anything is measured, that the output folder can be made and written
 * (a long run must not fail at its last step), without creating it: a run that stops
 * early leaves nothing behind. Returns the folder.
 */
export async function prepareOutputs(out: string | undefined, runId: string): Promise<string> {
  const outDir = out ? resolve(out) : defaultOutDir(runId);
  let at = outDir;
  for (;;) {
    // ENOTDIR: a component on the way is a file; keep walking up to name it.
    const found = await stat(at).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : Promise.reject(error),
    );
    if (found) {
      if (!found.isDirectory())
        throw new UsageError(`--out ${outDir}: cannot write there (ENOTDIR: ${at} is not a folder); choose another folder`);
      break;
    }
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  try {
    await access(at, constants.W_OK);
  } catch (error) {
    throw new UsageError(
      `--out ${outDir}: cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)} on ${at}); choose another folder`,
    );
  }
  return outDir;
}

export interface FinalOutputs extends WrittenOutputs {
  /** The result as written: the one given, with the report stage's time and the run's total added. */
  result: Readonly<RunResult>;
}

/**
 * Renders the three reports once from the result (the run's total up to reporting known),
 * then writes result.json with the reporting time added (which the reports, rendered from
 * it later by `indexgate report`, leave out, so they come out the same), and the reports next to it, each
 * atomically, after a last pass that removes credentials. The given result is not changed.
 */
export async function writeRunOutputs(
  result: Readonly<RunResult>,
  outDir: string,
  options: { redact?: (text: string) => string; runStarted: number },
): Promise<FinalOutputs> {
  const redact = options.redact ?? ((text: string) => text);
  const reportStarted = performance.now();
  const reported: RunResult = { ...result, timings: { ...result.timings, total: Math.round(reportStarted - options.runStarted) } };
  const rendered = reportFormats.map((format) => [format, renderReport(reported, format)] as const);
  // `total` is the run up to reporting (what the reports show); `report`, the rendering, is in result.json only.
  const final: RunResult = { ...reported, timings: { ...reported.timings, report: Math.round(performance.now() - reportStarted) } };
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const resultFile = join(outDir, 'result.json');
  await writeFileAtomic(resultFile, redact(`${JSON.stringify(final, null, 2)}\n`));
  files.push(resultFile);
  for (const [format, text] of rendered) {
    const file = join(outDir, reportFiles[format]);
    await writeFileAtomic(file, redact(text));
    files.push(file);
  }
  return { outDir, files, result: Object.freeze(final) };
}
