import { profileProbabilities, type Quantiles } from '../data/quantiles.js';
import type { ProfileFit } from '../workload.js';
import type { FieldProfile, RelationProfile, SchemaProfile } from './profile.js';

/** |seeded − profiled| / profiled; 0 when both are 0, null when only the profile's is 0. */
const offBy = (profiled: number, seeded: number): number | null =>
  profiled === 0 ? (seeded === 0 ? 0 : null) : Math.abs(seeded - profiled) / profiled;

const fit = (what: string, profiled: number, seeded: number): ProfileFit => ({ what, profiled, seeded, offBy: offBy(profiled, seeded) });

/** The points of a fan-out a comparison shows: the median, the tail and the largest. */
const fanOutPoints = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99],
  ['max', 1],
] as const;

const at = (q: Quantiles, p: number): number => q.q[profileProbabilities.indexOf(p as (typeof profileProbabilities)[number])] ?? 0;

const relationKey = (r: RelationProfile) => `${r.child.model}.${r.child.fields.join('+')}→${r.parent.model}`;

/**
 * How close data seeded from a schema profile is to it, figure by figure: per model its count
 * (the profile's × `factor`), per relation the fan-out's p50, p90, p99 and max (per child too
 * for many-to-many, and per value of the parent's conditioning field), per field the shares
 * absent and null and each kept value's share. Counts scale with the factor; fan-outs and
 * shares do not. A figure the seeded side lacks is compared with 0.
 */
export function compareSchemaProfiles(profiled: SchemaProfile, seeded: SchemaProfile, factor: number): ProfileFit[] {
  const rows: ProfileFit[] = [];
  for (const [name, model] of Object.entries(profiled.models)) {
    const other = seeded.models[name];
    rows.push(fit(`count ${name}`, Math.round(model.count * factor), other?.count ?? 0));
  }
  const seededRelations = new Map(seeded.relations.map((r) => [relationKey(r), r]));
  const fanOut = (what: string, a: Quantiles, b: Quantiles | undefined) => {
    for (const [label, p] of fanOutPoints) rows.push(fit(`${what} ${label}`, at(a, p), b ? at(b, p) : 0));
  };
  for (const r of profiled.relations) {
    const other = seededRelations.get(relationKey(r));
    const what = `${r.parent.model} ${r.child.model} per ${r.parent.model} (${r.name})`;
    fanOut(what, r.perParent, other?.perParent);
    if (r.perChild) fanOut(`${r.child.model} ${r.parent.model} per ${r.child.model} (${r.name})`, r.perChild, other?.perChild);
    if (r.byParentField) {
      const seededValues = other?.byParentField?.field === r.byParentField.field ? other.byParentField.values : {};
      for (const [value, v] of Object.entries(r.byParentField.values)) {
        fanOut(`${what} where ${r.byParentField.field} = ${value}`, v.perParent, seededValues[value]?.perParent);
      }
    }
  }
  for (const [name, model] of Object.entries(profiled.models)) {
    const other = seeded.models[name];
    for (const [path, field] of Object.entries(model.fields)) rows.push(...fieldFits(`${name}.${path}`, field, other?.fields[path]));
  }
  return rows;
}

/** A field's shares: absent and null where either side has any, and each kept value's. */
function fieldFits(what: string, a: FieldProfile, b: FieldProfile | undefined): ProfileFit[] {
  const rows: ProfileFit[] = [];
  if (a.absent > 0 || (b?.absent ?? 0) > 0) rows.push(fit(`${what} absent share`, a.absent, b?.absent ?? 0));
  if (a.null > 0 || (b?.null ?? 0) > 0) rows.push(fit(`${what} null share`, a.null, b?.null ?? 0));
  for (const v of a.values ?? []) {
    const seededShare = b?.values?.find((s) => s.value === v.value)?.share ?? 0;
    rows.push(fit(`${what} = ${String(v.value)} share`, v.share, seededShare));
  }
  return rows;
}

const round = (v: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const percent = (share: number) => `${round(share * 100)}%`;
const quantileCells = (q: Quantiles) => [q.n, round(q.sum / Math.max(1, q.n), 2), ...fanOutPoints.map(([, p]) => round(at(q, p), 2))];

/**
 * What a schema profile holds, as the `profile` command's table: a row per model (documents,
 * average size, the fields' absent and null shares at a glance), a row per relation's fan-out
 * (per parent, per child for many-to-many, per value of the parent's field), and a row per
 * low-cardinality field with its values' shares.
 */
export function describeSchemaProfile(profile: SchemaProfile): { head: string[]; rows: (string | number)[][] } {
  const head = ['what', 'n', 'mean', 'p50', 'p90', 'p99', 'max', 'notes'];
  const rows: (string | number)[][] = [];
  for (const [name, model] of Object.entries(profile.models)) {
    const sparse = Object.entries(model.fields)
      .filter(([, f]) => f.absent + f.null > 0)
      .map(([path, f]) => `${path} ${percent(f.absent + f.null)}`);
    rows.push([
      `${name} (${model.collection})`,
      model.count,
      `${model.averageBytes} B`,
      '',
      '',
      '',
      '',
      sparse.length > 0 ? `absent or null: ${sparse.join(', ')}` : '',
    ]);
  }
  for (const r of profile.relations) {
    const what = `${r.child.model} per ${r.parent.model}`;
    const notes = [r.kind, r.danglingShare ? `dangling ${percent(r.danglingShare)}` : ''].filter((s) => s !== '').join(', ');
    rows.push([what, ...quantileCells(r.perParent), notes]);
    if (r.perChild) rows.push([`${r.parent.model} per ${r.child.model}`, ...quantileCells(r.perChild), r.kind]);
    for (const [value, v] of Object.entries(r.byParentField?.values ?? {})) {
      rows.push([`  where ${r.byParentField?.field} = ${value}`, ...quantileCells(v.perParent), `${v.parents} parents`]);
    }
  }
  for (const [name, model] of Object.entries(profile.models)) {
    for (const [path, f] of Object.entries(model.fields)) {
      if (!f.values || f.values.length === 0) continue;
      rows.push([
        `${name}.${path}`,
        f.distinct ?? f.values.length,
        '',
        '',
        '',
        '',
        '',
        f.values.map((v) => `${String(v.value)} ${percent(v.share)}`).join(', '),
      ]);
    }
  }
  return { head, rows };
}
