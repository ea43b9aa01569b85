import { parseMeasurementKey } from '../keys.js';
import { formatMs } from '../report/tables.js';
import {
  type ApplicationChange,
  type ApplicationMeasure,
  type ApplicationRef,
  comparabilityFields,
  historyDefaults,
  type HistoryOptions,
} from '../history-summary.js';
import { applicationOf, type HistoryLine, type RunRecord } from './record.js';

/**
 * A nightly that follows the application. Each run names the application it measured (its
 * name and commit, `applicationOf`); the series are keyed by both (comparability.ts), so a
 * run on a new commit starts a series of its own and is never judged as a regression of the
 * one before. It is compared here instead, with the last run of the previous commit in the
 * same setting, on the measures both commits have: what moved is named as the application's
 * change. Runs of different applications (another name) are never compared.
 */

/**
 * The setting fields an application's change may change with it: its data (the dataset
 * fingerprint), its index set and its routes. The others (scale, baseline, mongod, topology,
 * Wine, machine) must be equal and known for two commits' runs to be compared.
 */
const applicationFields = ['fingerprint', 'indexSet', 'routes'] as const;
const environmentFields = comparabilityFields.filter((f) => !(applicationFields as readonly string[]).includes(f));

/** The application's name without its commit: `meeshy@aa13b652` at `aa13b652` is `meeshy`; a name without its commit is itself. */
export function applicationFamily(app: ApplicationRef): string {
  const at = app.name.lastIndexOf('@');
  if (at <= 0) return app.name;
  const suffix = app.name.slice(at + 1);
  return suffix.length > 0 && (app.commit.startsWith(suffix) || suffix.startsWith(app.commit)) ? app.name.slice(0, at) : app.name;
}

/** How a table names the application: `name@commit` (`meeshy@aa13b652`), the commit cut to 12 characters. */
export function applicationLabel(app: ApplicationRef): string {
  return `${applicationFamily(app)}@${app.commit.slice(0, 12)}`;
}

/** The series of one application in one setting, across its commits; undefined when a field is unknown (a converted version-1 run). */
function followKey(run: RunRecord): string | undefined {
  const values = environmentFields.map((field) => run.setting[field]);
  if (values.some((v) => v === null)) return undefined;
  return JSON.stringify([applicationFamily(applicationOf(run)), ...values]);
}

const sameCommit = (a: ApplicationRef, b: ApplicationRef) => a.commit.startsWith(b.commit) || b.commit.startsWith(a.commit);

/**
 * The application change `current` follows, if any: the run before it (in `lines`, before
 * its own line when it is recorded) of the same application in the same setting measured
 * another commit. That run is the previous commit's last; the two are compared.
 */
export function applicationChange(
  lines: readonly HistoryLine[],
  current: RunRecord,
  options: Partial<HistoryOptions> = {},
): ApplicationChange | null {
  const key = followKey(current);
  if (key === undefined) return null;
  const at = lines.findIndex((l) => l.type === 'run' && l.runId === current.runId);
  const earlier = at >= 0 ? lines.slice(0, at) : lines;
  const previous = earlier.findLast((l): l is RunRecord => l.type === 'run' && followKey(l) === key);
  return previous ? compareCommits(previous, current, options) : null;
}

/** Every application change of a history, in file order (what `history show` lists). */
export function applicationChanges(lines: readonly HistoryLine[], options: Partial<HistoryOptions> = {}): ApplicationChange[] {
  const last = new Map<string, RunRecord>();
  const changes: ApplicationChange[] = [];
  for (const line of lines) {
    if (line.type !== 'run') continue;
    const key = followKey(line);
    if (key === undefined) continue;
    const previous = last.get(key);
    const change = previous ? compareCommits(previous, line, options) : null;
    if (change) changes.push(change);
    last.set(key, line);
  }
  return changes;
}

/** `previous` and `current` compared on the measures both have, when they measured two commits of one application; else null. */
export function compareCommits(previous: RunRecord, current: RunRecord, options: Partial<HistoryOptions> = {}): ApplicationChange | null {
  const o: HistoryOptions = { ...historyDefaults, ...options };
  const from = applicationOf(previous);
  const to = applicationOf(current);
  if (applicationFamily(from) !== applicationFamily(to) || sameCommit(from, to)) return null;
  const compared: ApplicationMeasure[] = [];
  for (const key of Object.keys(current.measures)) {
    const before = previous.measures[key];
    const after = current.measures[key];
    if (!before || !after) continue;
    const ratio = after.median / before.median;
    compared.push({
      kind: 'route',
      measure: key,
      beforeMs: before.median,
      afterMs: after.median,
      ratio,
      moved: ratio >= o.minSlowdown || ratio <= 1 / o.minSlowdown,
    });
  }
  for (const key of Object.keys(current.plans)) {
    const before = previous.plans[key];
    const after = current.plans[key];
    if (!before || !after) continue;
    const [low, high] = [Math.min(before.docsExamined, after.docsExamined), Math.max(before.docsExamined, after.docsExamined)];
    compared.push({
      kind: 'plan',
      measure: key,
      before: { indexName: before.indexName, docsExamined: before.docsExamined },
      after: { indexName: after.indexName, docsExamined: after.docsExamined },
      moved: before.indexName !== after.indexName || (high > low * o.workGrowth && high - low > o.workSlack),
    });
  }
  const keysOf = (r: RunRecord) => [...Object.keys(r.measures), ...Object.keys(r.plans)];
  const gone = keysOf(previous).filter((k) => !(k in current.measures) && !(k in current.plans));
  const added = keysOf(current).filter((k) => !(k in previous.measures) && !(k in previous.plans));
  const alsoDiffer = applicationFields.filter((f) => JSON.stringify(previous.setting[f]) !== JSON.stringify(current.setting[f]));
  const change = {
    application: applicationFamily(to),
    from: { ...from, runId: previous.runId, finishedAt: previous.finishedAt },
    to: { ...to, runId: current.runId },
    compared,
    gone,
    new: added,
    alsoDiffer,
  };
  return { ...change, message: describeChange(change, o) };
}

/** A measure key as the reports name it, in two parts: `route prisma` and `typical`, `readCursors` and `heavy`. */
function measureParts(key: string): [string, string] {
  const route = /^route:(.*)\|([^|]+)$/.exec(key);
  if (route) return [`route ${route[1] ?? ''}`, route[2] ?? ''];
  const plan = parseMeasurementKey(key);
  return plan ? [plan.pattern, plan.userClass] : [key, ''];
}

const measureName = (key: string) => {
  const [what, audience] = measureParts(key);
  return audience ? `${what} (${audience})` : what;
};

/** Measures named once each with their classes: `readCursors (typical, heavy), route driver (typical)`. */
function measureList(keys: readonly string[]): string {
  const byName = new Map<string, string[]>();
  for (const [what, audience] of keys.map(measureParts)) byName.set(what, [...(byName.get(what) ?? []), ...(audience ? [audience] : [])]);
  return [...byName].map(([what, audiences]) => (audiences.length > 0 ? `${what} (${audiences.join(', ')})` : what)).join(', ');
}

const and = (items: readonly string[]) =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;

function movedText(m: ApplicationMeasure): string {
  if (m.kind === 'route')
    return `${measureName(m.measure)} TOTAL ${formatMs(m.beforeMs)} → ${formatMs(m.afterMs)} (×${m.ratio.toFixed(2)})`;
  const docs = (n: number) => n.toLocaleString('en-US');
  const index = (name: string | null) => name ?? 'no index';
  return `${measureName(m.measure)} ${docs(m.before.docsExamined)} → ${docs(m.after.docsExamined)} documents examined, ${index(m.before.indexName)} → ${index(m.after.indexName)}`;
}

const fieldNames = { fingerprint: 'its data', indexSet: 'the index set', routes: 'the routes judged' } as const;

function describeChange(change: Omit<ApplicationChange, 'message'>, o: HistoryOptions): string {
  const short = (c: string) => c.slice(0, 12);
  const head = `${change.application} moved from ${short(change.from.commit)} to ${short(change.to.commit)} (last run of ${short(change.from.commit)}: ${change.from.runId})`;
  const moved = change.compared.filter((m) => m.moved);
  const still = change.compared.length - moved.length;
  const parts = [
    change.compared.length === 0
      ? 'no measure in common'
      : `${moved.length > 0 ? `${moved.map(movedText).join('; ')}; ` : 'nothing moved; '}compared on the ${change.compared.length} measure(s) both commits have${
          moved.length > 0 && still > 0 ? ` (${still} within ×${o.minSlowdown} and the same plan)` : ''
        }`,
    ...(change.gone.length > 0 ? [`gone with ${short(change.from.commit)}: ${measureList(change.gone)}`] : []),
    ...(change.new.length > 0 ? [`new at ${short(change.to.commit)}: ${measureList(change.new)}`] : []),
    ...(change.alsoDiffer.length > 0 ? [`${and(change.alsoDiffer.map((f) => fieldNames[f]))} changed with it`] : []),
  ];
  return `${head}: ${parts.join('; ')}. The application's change, not a regression of the server or of indexgate: ${short(change.to.commit)} starts a series of its own.`;
}
