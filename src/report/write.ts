import { constants } from 'node:fs';
import { access, mkdir, rmdir } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { join, resolve } from 'node:path';
import { type ReportFormat, reportFormats } from '../options.js';
import type { RunResult } from '../result.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

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
 * Makes the output folder and checks that it can be written, before anything is measured:
 * a long run must not fail at its last step. Returns the folder.
 */
export async function prepareOutputs(out: string | undefined, runId: string): Promise<string> {
  const outDir = out ? resolve(out) : defaultOutDir(runId);
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--out ${outDir}: cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)}); choose another folder`);
  }
  return outDir;
}

/** Removes the output folder again if the run wrote nothing in it (a refused or interrupted run leaves nothing behind). */
export async function releaseOutputs(outDir: string): Promise<void> {
  await rmdir(outDir).catch(() => undefined);
}

/** Runs `work` with the output folder prepared; on any failure the folder goes if it stayed empty. */
export async function withOutputs<T>(outDir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await releaseOutputs(outDir);
    throw error;
  }
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
export async function writeRunOutputs(result: Readonly<RunResult>, outDir: string, options: { redact?: (text: string) => string; runStarted: number }): Promise<FinalOutputs> {
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
