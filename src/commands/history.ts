import { acceptRecord } from '../history/accept.js';
import { applicationChanges } from '../history/application.js';
import type { ApplicationChange } from '../history-summary.js';
import type { AcceptRecord } from '../history/record.js';
import { historySeries, type SeriesTable } from '../history/series.js';
import { appendHistoryLine, readHistory } from '../history/store.js';
import { ConfigError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import { formatMs, table } from '../report/tables.js';
import { implementCommand, json } from './command.js';
import type { historyAcceptCommand, historyShowCommand } from './history-options.js';

export interface HistoryShowOutcome {
  readonly file: string;
  readonly runs: number;
  readonly series: readonly SeriesTable[];
  /** Each run that measured another commit of its application than the run before it in the same setting, compared with that run. */
  readonly applicationChanges: readonly ApplicationChange[];
}

/** `indexgate history show`: every series of the file (reads it only). */
export async function showHistory(options: { file: string; last?: number | undefined }): Promise<HistoryShowOutcome> {
  const loaded = await readHistory(options.file);
  if (loaded.format === 'absent') throw new ConfigError(options.file, 'no such file; `bench --history <file>` writes it on its first run');
  const series = historySeries(loaded.lines, options.last === undefined ? {} : { last: Math.floor(options.last) });
  return {
    file: options.file,
    runs: loaded.lines.filter((l) => l.type === 'run').length,
    series,
    applicationChanges: applicationChanges(loaded.lines),
  };
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
export async function acceptInHistory(options: { file: string; target: string; note: string; now?: Date }): Promise<HistoryAcceptOutcome> {
  const loaded = await readHistory(options.file);
  if (loaded.format === 'absent') throw new ConfigError(options.file, 'no such file; `bench --history <file>` writes it on its first run');
  const accepted = acceptRecord(loaded.lines, options.target, options.note, options.now ?? new Date());
  await appendHistoryLine(loaded, accepted);
  return { file: options.file, accepted };
}

export function renderHistorySeries(outcome: HistoryShowOutcome): string {
  if (outcome.series.length === 0) return `${outcome.file}: ${outcome.runs} runs, no measure recorded yet`;
  const parts = [
    `${outcome.file}: ${outcome.runs} runs, ${outcome.series.length} series (p50 TOTAL after the indexes; ▲ a change point to a slower level, ▼ to a faster one; ✓ accepted: the baseline starts there; ◆ the application's commit changed: a new series)`,
  ];
  for (const t of outcome.series) {
    const s = t.setting;
    const setting =
      t.key === undefined
        ? 'runs of a version-1 history (settings unknown: never compared)'
        : `${s.scale ?? '?'} ${s.baseline ?? '?'}, routes ${s.routes?.join('+') ?? '?'}, mongod ${s.mongodVersion}${s.underWine ? ' (Wine)' : ''}, ${s.cpus ?? '?'} × ${s.cpuModel ?? '?'}`;
    parts.push(
      `route ${t.route} (${t.userClass})${t.gated ? '' : ', recorded only'} — ${setting}`,
      table(
        ['run', 'finished', 'application', 'indexgate commit', 'p50 TOTAL', 'verdict', ''],
        t.rows.map((r) => [
          r.runId,
          r.finishedAt.replace('T', ' ').slice(0, 16),
          r.application,
          r.commit?.slice(0, 10) ?? '–',
          r.value === null ? '–' : formatMs(r.value),
          r.verdict,
          [
            r.after ? `◆ after ${r.after}` : '',
            r.accepted ? '✓ accepted' : '',
            r.changePoint
              ? `${r.changePoint.direction === 'slower' ? '▲' : '▼'} ×${r.changePoint.size.toFixed(2)} (confidence ${(r.changePoint.confidence * 100).toFixed(1)}%)`
              : '',
          ]
            .filter(Boolean)
            .join(' '),
        ]),
      ),
    );
  }
  if (outcome.applicationChanges.length > 0)
    parts.push('', 'application changes:', ...outcome.applicationChanges.map((c) => `- ${c.to.runId}: ${c.message}`));
  return parts.join('\n');
}

export const historyShowImplementation = implementCommand<typeof historyShowCommand>()({
  run: ({ options }) => showHistory({ file: options.history, last: options.last }),
  render: (outcome, options) => ({ stdout: options.json ? json(outcome) : renderHistorySeries(outcome), exitCode: ExitCode.pass }),
});

export const historyAcceptImplementation = implementCommand<typeof historyAcceptCommand>()({
  run: ({ args: [target], options }) => acceptInHistory({ file: options.history, target, note: options.note }),
  render: (outcome, options) => {
    const a = outcome.accepted;
    return {
      stdout: options.json
        ? json(outcome)
        : `accepted ${a.runId ?? `commit ${a.commit ?? ''}`} in ${outcome.file}: later runs are compared from it on ("${a.note}")`,
      exitCode: ExitCode.pass,
    };
  },
});
