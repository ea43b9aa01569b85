import { mkdir } from 'node:fs/promises';
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
 * Writes result.json and the three reports next to it (report.md, report.html,
 * report.junit.xml), each atomically, after a last pass that removes credentials.
 * `beforeFinal` runs once the reports are rendered, so that the result can record how
 * long reporting took; the files carry that final figure.
 */
export async function writeRunOutputs(
  result: RunResult,
  out: string | undefined,
  options: { redact?: (text: string) => string; beforeFinal?: () => void } = {},
): Promise<WrittenOutputs> {
  const outDir = out ? resolve(out) : defaultOutDir(result.runId);
  const redact = options.redact ?? ((text: string) => text);
  for (const format of reportFormats) renderReport(result, format);
  options.beforeFinal?.();
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const resultFile = join(outDir, 'result.json');
  await writeFileAtomic(resultFile, redact(`${JSON.stringify(result, null, 2)}\n`));
  files.push(resultFile);
  for (const format of reportFormats) {
    const file = join(outDir, reportFiles[format]);
    await writeFileAtomic(file, redact(renderReport(result, format)));
    files.push(file);
  }
  return { outDir, files };
}
