import { UsageError } from '../errors.js';
import type { AcceptRecord, HistoryLine, RunRecord } from './record.js';

/**
 * `history accept <run-id|commit>`: the record that moves the baseline to a run (by its id)
 * or to a commit's first run, in every series that holds it. A commit may be abbreviated
 * (7 characters or more) when one commit of the history starts with it. Naming nothing
 * recorded is a UsageError: an accept that matched no run would silently do nothing.
 */
export function acceptRecord(lines: readonly HistoryLine[], target: string, note: string, at: Date): AcceptRecord {
  const runs = lines.filter((l): l is RunRecord => l.type === 'run');
  const base = { type: 'accept', version: 2, at: at.toISOString(), note } as const;
  if (runs.some((r) => r.runId === target)) return { ...base, runId: target };
  const commits = [
    ...new Set(
      runs
        .map((r) => r.tool.commit)
        .filter((c): c is string => c !== null && (c === target || (target.length >= 7 && c.startsWith(target)))),
    ),
  ];
  const [commit, ...others] = commits;
  if (commit !== undefined && others.length === 0) return { ...base, commit };
  if (commit !== undefined)
    throw new UsageError(
      `history accept ${target}: names ${commits.length} commits (${commits.map((c) => c.slice(0, 12)).join(', ')}); give more of it`,
    );
  const recent = runs.slice(-3).map((r) => `${r.runId}${r.tool.commit ? ` (${r.tool.commit.slice(0, 12)})` : ''}`);
  throw new UsageError(
    `history accept ${target}: no run id or commit of the history matches${recent.length > 0 ? `; the latest runs: ${recent.join(', ')}` : ' (the history has no run yet)'}`,
  );
}
