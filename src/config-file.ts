import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Reads a JSON file the user named: a missing file, unreadable file or bad JSON is a
 * ConfigError naming the file (exit 2). `hint` says what to pass instead of a missing file.
 */
export async function readJsonFile(file: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, code === 'ENOENT' ? `no such file; ${hint}` : `cannot be read (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Validates parsed JSON; the ConfigError lists the first problems with their JSON paths. */
export function parseConfig<S extends z.ZodType>(schema: S, json: unknown, file: string, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, `${prefix}${formatIssues(parsed.error.issues)}${prefix ? ')' : ''}`);
  return parsed.data;
}

/** "patterns.lastMessage.maxDocsExaminedPerReturned: expected number, received string; …" */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}
