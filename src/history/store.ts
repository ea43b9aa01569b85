import { appendFile, readFile } from 'node:fs/promises';
import { formatIssues } from '../config-file.js';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { type AcceptRecord, acceptRecordSchema, type HistoryLine, type RunRecord, runRecordSchema } from './record.js';
import { fromVersion1, looksLikeVersion1, version1Schema } from './v1.js';

/**
 * The history file: JSON Lines, one record per line, only ever appended. `appendFile` of
 * one line is one write(2) of a few kilobytes with O_APPEND: a reader sees the line whole
 * or not at all, and two writers cannot interleave inside it. Reading accepts nothing
 * malformed: a line that is not JSON, or not a run or accept record, is a ConfigError that
 * names the file and the line (a history that silently lost nights would judge wrongly).
 * Blank lines are skipped.
 */

export interface LoadedHistory {
  readonly file: string;
  /** `absent` (no file yet: the first night), `jsonl`, or `version1` (converted in memory; see v1.ts). */
  readonly format: 'absent' | 'jsonl' | 'version1';
  /** Every record in file order. */
  readonly lines: readonly HistoryLine[];
  /** The last line has no newline (edited by hand): the next append writes one first. */
  readonly unterminated?: boolean;
}

/** The run records of a history, in file order. */
export const runsOf = (history: Pick<LoadedHistory, 'lines'>): RunRecord[] => history.lines.filter((l): l is RunRecord => l.type === 'run');
/** The accept records of a history, in file order. */
export const acceptsOf = (history: Pick<LoadedHistory, 'lines'>): AcceptRecord[] =>
  history.lines.filter((l): l is AcceptRecord => l.type === 'accept');

/** Reads the history; an absent file is an empty history. */
export async function readHistory(file: string): Promise<LoadedHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { file, format: 'absent', lines: [] };
    throw new ConfigError(file, `cannot be read (${code ?? String(error)})`);
  }
  return parseHistory(text, file);
}

/** The history in `text` (the contents of `file`, named in errors). */
export function parseHistory(text: string, file: string): LoadedHistory {
  const version1 = asVersion1(text, file);
  if (version1) return { file, format: 'version1', lines: version1 };
  const lines: HistoryLine[] = [];
  text.split('\n').forEach((raw, at) => {
    if (raw.trim() === '') return;
    lines.push(parseLine(raw, file, at + 1));
  });
  return { file, format: 'jsonl', lines, ...(text !== '' && !text.endsWith('\n') ? { unterminated: true } : {}) };
}

function parseLine(raw: string, file: string, lineNumber: number): HistoryLine {
  const where = `line ${lineNumber}`;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(
      file,
      `${where} is not valid JSON (${error instanceof Error ? error.message : String(error)}); every line of a history is one JSON record`,
    );
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  const schema = type === 'run' ? runRecordSchema : type === 'accept' ? acceptRecordSchema : undefined;
  if (!schema)
    throw new ConfigError(
      file,
      `${where} is not an indexgate history record (type: expected "run" or "accept", got ${JSON.stringify(type) ?? 'none'})`,
    );
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, `${where} is not a valid ${type} record (${formatIssues(parsed.error.issues)})`);
  return parsed.data;
}

/** The runs of a version-1 file, or undefined when `text` is not one. */
function asVersion1(text: string, file: string): RunRecord[] | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // several lines of JSON: JSON Lines
  }
  if (!looksLikeVersion1(json)) return undefined;
  const parsed = version1Schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, `is not a valid version-1 indexgate history (${formatIssues(parsed.error.issues)})`);
  return parsed.data.runs.map(fromVersion1);
}

/**
 * Appends one record. A version-1 file is first rewritten (atomically) as JSON Lines with
 * its converted runs, then the record; `history` is the file as it was read.
 */
export async function appendHistoryLine(history: LoadedHistory, line: HistoryLine): Promise<void> {
  const text = `${JSON.stringify(line)}\n`;
  if (history.format === 'version1') {
    await writeFileAtomic(history.file, `${history.lines.map((l) => JSON.stringify(l)).join('\n')}\n${text}`);
    return;
  }
  await appendFile(history.file, history.unterminated ? `\n${text}` : text);
}
