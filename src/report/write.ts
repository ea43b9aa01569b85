import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunResult } from '../result.js';

/** A run id that sorts by time and says what ran: 20261123-235959-medium-3fa2. */
export function newRunId(label: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${label}-${randomBytes(2).toString('hex')}`;
}

export function defaultOutDir(runId: string): string {
  return resolve('reports', runId);
}

/** Writes a file atomically: readers never see half of it. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

export interface WrittenOutputs {
  outDir: string;
  files: string[];
}

/**
 * Writes result.json and the reports next to it. `beforeFinal` runs after the reports
 * are rendered and before result.json is written, so the result can record how long
 * reporting took.
 */
export async function writeRunOutputs(result: RunResult, out: string | undefined, beforeFinal?: () => void): Promise<WrittenOutputs> {
  const outDir = out ? resolve(out) : defaultOutDir(result.runId);
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  beforeFinal?.();
  const resultFile = join(outDir, 'result.json');
  await writeFileAtomic(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  files.unshift(resultFile);
  return { outDir, files };
}
