import Table from 'cli-table3';
import type { ProfileFit, Workload } from '../workload.js';

/** Plain tables for the terminal (no colours: they end up in CI logs and files). */
export function table(head: string[], rows: Array<Array<string | number>>, align?: Array<'left' | 'right'>): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true }, ...(align ? { colAligns: align } : {}) });
  for (const row of rows) t.push(row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  return t.toString();
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** `seed --profiles`: the workload's table of its scales. */
export function renderProfiles(workload: Workload, seed: number): string {
  const { head, rows } = workload.dataset.describeScales(seed);
  return table(
    [...head],
    rows.map((r) => [...r]),
  );
}

export interface SeedSummaryInput {
  target: string;
  database: string;
  profile?: { readonly file: string; readonly factor: number; readonly fit: readonly ProfileFit[] } | undefined;
  result: {
    scale: string;
    seed: number;
    baseline: string;
    fingerprint: string;
    counts: Readonly<Record<string, number>>;
    docs: number;
    loadMs: number;
    docsPerSecond: number;
    baselineIndexes: ReadonlyArray<{ name: string; collection: string }>;
    indexMs: number;
  };
}

/** Figures of a profile off by more than this from the seeded data's are listed after a seed. */
const listedOffBy = 0.1;

export function renderSeedSummary(outcome: SeedSummaryInput): string {
  const r = outcome.result;
  const fit = outcome.profile ? renderProfileFit(outcome.profile) : [];
  const lines = [
    `Seeded ${outcome.database} on ${outcome.target}: scale ${r.scale}, seed ${r.seed}, baseline ${r.baseline}`,
    `fingerprint ${r.fingerprint}`,
    table(
      ['collection', 'documents'],
      Object.entries(r.counts).map(([c, n]) => [c, n]),
      ['left', 'right'],
    ),
    `${formatNumber(r.docs)} documents in ${formatMs(r.loadMs)} (${formatNumber(Math.round(r.docsPerSecond))} docs/s)` +
      (r.baselineIndexes.length > 0
        ? `; ${r.baselineIndexes.length} Prisma indexes in ${formatMs(r.indexMs)}`
        : '; no secondary index (baseline bare)'),
    ...fit,
  ];
  return lines.join('\n');
}

type FittedProfile = NonNullable<SeedSummaryInput['profile']>;
const offOf = (f: ProfileFit) => (f.offBy === null ? Infinity : f.offBy);
const pct = (f: ProfileFit) => (f.offBy === null ? 'profiled 0' : `${(f.offBy * 100).toFixed(1)}%`);

/** How close seeded data came to the profile it was fitted to, in one line. */
export function profileFitLine(profile: FittedProfile): string {
  const { fit } = profile;
  const worst = [...fit].sort((a, b) => offOf(b) - offOf(a))[0];
  const within = fit.filter((f) => offOf(f) <= listedOffBy).length;
  return (
    `fitted to ${profile.file} × ${profile.factor}: ${fit.length} figures compared, ${within} within ${listedOffBy * 100}%` +
    (worst ? `; worst ${worst.what} (${pct(worst)})` : '')
  );
}

/** The seeded data against the profile it was fitted to: the line, and every figure off by more than 10%. */
function renderProfileFit(profile: FittedProfile): string[] {
  const far = profile.fit.filter((f) => offOf(f) > listedOffBy);
  return [
    `Data ${profileFitLine(profile)}`,
    ...(far.length > 0
      ? [
          table(
            ['figure', 'profiled', 'seeded', 'off by'],
            far.map((f) => [f.what, f.profiled, f.seeded, pct(f)]),
            ['left', 'right', 'right', 'right'],
          ),
        ]
      : []),
  ];
}

/** Wall time per stage, as the reports show it: without `report`, the time spent rendering them. */
export function wallTime(timings: Readonly<Record<string, number>>): string {
  return Object.entries(timings)
    .filter(([k]) => k !== 'report')
    .map(([k, v]) => `${k} ${formatMs(v)}`)
    .join(', ');
}
