import { acceptRecord } from '../history/accept.js';
import type { AcceptRecord } from '../history/record.js';
import { historySeries, type SeriesTable } from '../history/series.js';
import { appendHistoryLine, readHistory } from '../history/store.js';
import { ConfigError } from '../errors.js';

export interface HistoryShowOutcome {
  readonly file: string;
  readonly runs: number;
  readonly series: readonly SeriesTable[];
}

/** `indexgate history show`: every series of the file (reads it only). */
export async function historyShowCommand(options: { file: string; last?: number | undefined }): Promise<HistoryShowOutcome> {
  const loaded = await readHistory(options.file);
  if (loaded.format === 'absent') throw new ConfigError(options.file, 'no such file; `bench --history <file>` writes it on its first run');
  const series = historySeries(loaded.lines, options.last === undefined ? {} : { last: Math.floor(options.last) });
  return { file: options.file, runs: loaded.lines.filter((l) => l.type === 'run').length, series };
}

export interface HistoryAcceptOutcome {
  readonly file: string;
  readonly accepted: AcceptRecord;
}

/**
 * `indexgate history accept <run-id|commit>`: appends an accept record; later runs are
 * judged against the runs from the accepted one on. Naming nothing recorded is refused
 * (exit 2) before anything is written.
 */
export async function historyAcceptCommand(options: { file: string; target: string; note: string; now?: Date }): Promise<HistoryAcceptOutcome> {
  const loaded = await readHistory(options.file);
  if (loaded.format === 'absent') throw new ConfigError(options.file, 'no such file; `bench --history <file>` writes it on its first run');
  const accepted = acceptRecord(loaded.lines, options.target, options.note, options.now ?? new Date());
  await appendHistoryLine(loaded, accepted);
  return { file: options.file, accepted };
}
