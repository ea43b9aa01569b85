import { Binary, Double, Long } from 'mongodb';
import { QuantileFunction } from '../data/quantiles.js';
import { hash32, Rng } from '../data/random.js';
import { objectIdAt } from '../data/ids.js';
import type { CompositeField, DataModel, ScalarField } from '../prisma/datamodel.js';
import type { FieldProfile, ModelProfile } from './profile.js';

/**
 * One field's values, compiled once from the schema and the profile: what a document holds
 * for it, given the document's index and its random stream. Shares (absent, null, a value's)
 * are dealt along a Weyl sequence per field (u_i = frac(i·α + offset), α an irrational of the
 * field's own), so that n documents hold them to within a few documents, not a binomial
 * spread, and two fields' sequences are independent (α's are square roots of distinct primes).
 * Values drawn from quantiles use the same kind of sequence: n documents hold the profile's
 * quantiles. Text, list elements and random bytes come from the document's stream.
 */

/** The data's end: `now()` and the ids' times are before it, whatever the day the data is seeded. */
export const dataEpoch = Date.UTC(2025, 0, 1);
const year = 365 * 86_400_000;

/** Marks a field the document leaves out (`isSet: false`). */
export const absentValue: unique symbol = Symbol('absent');
export type FieldValue = unknown;

/** The first primes: one per Weyl sequence of a dataset (fields and their sub-decisions), square roots independent over the rationals. */
function primes(count: number): number[] {
  const found: number[] = [];
  for (let n = 2; found.length < count; n++) if (found.every((p) => n % p !== 0)) found.push(n);
  return found;
}

/** Hands out Weyl sequences, each with its own irrational step and a seeded offset. */
export class Sequences {
  private next = 0;
  private readonly steps: number[];

  constructor(
    private readonly seed: number,
    size = 1024,
  ) {
    this.steps = primes(size).map((p) => Math.sqrt(p) % 1);
  }

  /** A sequence u(i) in [0, 1). */
  take(): (i: number) => number {
    const k = this.next++;
    const step = this.steps[k % this.steps.length] ?? Math.SQRT2 - 1;
    const offset = hash32(this.seed, 0x5e9, k) / 0x1_0000_0000;
    return (i) => (i * step + offset) % 1;
  }
}

/** Synthetic text: syllables in words, a string of any length is a slice of it (no realism, only sizes and distinct counts). */
const corpus = (() => {
  const rng = new Rng(0x7e47);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'si', 'pe', 'da', 'zu', 'fe', 'go', 'ba', 'ri', 'no', 'te', 'ma'];
  let text = '';
  while (text.length < 1 << 16) {
    const n = rng.range(1, 4);
    for (let k = 0; k < n; k++) text += rng.pick(syllables);
    text += ' ';
  }
  return text;
})();

/** `length` characters of the corpus from a position the value `key` decides. */
export function textOf(key: number, length: number): string {
  if (length <= 0) return '';
  let text = '';
  while (length - text.length > corpus.length - 1) text += corpus;
  const need = length - text.length;
  const start = key % (corpus.length - need);
  return text + corpus.slice(start, start + need);
}

const round = (q: QuantileFunction, u: number) => Math.round(q.at(u));

/**
 * The id of a model's document `index` of `count`: an ObjectId whose time grows with the index
 * over the year before the epoch (inserts land at the `_id` index's right edge, as an
 * application's do), an integer for an Int id, a hex string for a String id. Any index past the
 * count is an id no document has (a dangling key).
 */
export function idMaker(field: ScalarField, modelName: string, count: number, seed: number): (index: number) => unknown {
  const code = hash32(seed, ...Array.from(modelName, (c) => c.charCodeAt(0)));
  if (field.type === 'Int' || field.type === 'BigInt') return (i) => i + 1;
  if (field.objectId) {
    const span = year / Math.max(1, count);
    return (i) => objectIdAt(dataEpoch - year + i * span, code, i, hash32(code, i));
  }
  return (i) =>
    `${(code >>> 0).toString(16).padStart(8, '0')}${(i >>> 0).toString(16).padStart(8, '0')}${hash32(seed, code, i).toString(16).padStart(8, '0')}`;
}

/** What a field's values come from: the schema's field and the profile's figures (none when the profile has nothing for it). */
interface FieldSource {
  readonly path: string;
  readonly field: ScalarField | CompositeField;
  readonly profile: FieldProfile | undefined;
}

/** Produces one field's value for document `index` (or `absentValue`). */
export type FieldMaker = (index: number, rng: Rng) => FieldValue;

/** A value from the profile's `values` by share, along `u`. */
function byShare(values: NonNullable<FieldProfile['values']>): (u: number) => string | number | boolean {
  const total = values.reduce((t, v) => t + v.share, 0) || 1;
  const bounds = new Float64Array(values.length);
  let at = 0;
  values.forEach((v, k) => {
    at += v.share / total;
    bounds[k] = at;
  });
  return (u) => {
    for (let k = 0; k < values.length; k++) if (u < (bounds[k] ?? 1)) return values[k]?.value ?? '';
    return values[values.length - 1]?.value ?? '';
  };
}

/** The typed value of a low-cardinality key (`String(value)` as the profile writes it). */
export function valueOfKey(field: ScalarField, key: string): FieldValue {
  if (key === 'null') return null;
  if (key === 'undefined') return absentValue;
  if (field.type === 'Boolean') return key === 'true';
  if (['Int', 'BigInt', 'Float'].includes(field.type)) return typed(field, Number(key));
  return key;
}

/** A number as the database stores the field's type: int32, int64 (Long) or double. */
function typed(field: ScalarField, value: number): FieldValue {
  if (field.type === 'Float') return Number.isInteger(value) ? new Double(value) : value;
  if (field.type === 'BigInt' || (field.type === 'Int' && !field.int32)) return Long.fromNumber(Math.round(value));
  if (field.type === 'Int') return Math.round(value);
  return value;
}

/** The enums' values by name. */
export function enumValues(model: DataModel): ReadonlyMap<string, readonly string[]> {
  const enums = model.dmmf.datamodel.enums as Array<{ name: string; values: Array<{ name: string; dbName?: string | null }> }>;
  return new Map(enums.map((e) => [e.name, e.values.map((v) => v.dbName ?? v.name)]));
}

/** What the compiler needs besides the field: the dataset's sequences, its seed, the model's count, the schema's enums. */
export interface MakerContext {
  readonly sequences: Sequences;
  readonly seed: number;
  readonly count: number;
  readonly enums: ReadonlyMap<string, readonly string[]>;
  readonly schema: DataModel;
  readonly profile: ModelProfile | undefined;
  readonly factor: number;
  /** Make the field's values unique (@unique, or a @@unique it stands for). */
  readonly unique: ReadonlySet<string>;
}

/** The value of one element (or of a single field) of a scalar type, along `u` and the document's stream. */
function elementMaker(
  field: ScalarField,
  profile: FieldProfile | undefined,
  ctx: MakerContext,
  unique: boolean,
): (index: number, u: number, rng: Rng) => FieldValue {
  const values = profile?.values && profile.values.length > 0 ? byShare(profile.values) : undefined;
  if (values && !unique) {
    return (_i, u) => {
      const v = values(u);
      return typeof v === 'number' ? typed(field, v) : v;
    };
  }
  const enumList = field.isEnum ? (ctx.enums.get(field.type) ?? []) : undefined;
  if (enumList) return unique ? (i) => enumList[i % enumList.length] : (_i, u) => enumList[Math.floor(u * enumList.length)];
  switch (field.type) {
    case 'Boolean':
      return unique ? (i) => i % 2 === 0 : (_i, u) => u < 0.5;
    case 'Int':
    case 'BigInt':
    case 'Float': {
      const q = profile?.numbers ? new QuantileFunction(profile.numbers) : undefined;
      if (unique) return (i) => typed(field, (q ? Math.round(q.at(0)) : 0) + i);
      if (!q) return (_i, u) => typed(field, Math.floor(u * 1000));
      return field.type === 'Float' ? (_i, u) => typed(field, q.at(u)) : (_i, u) => typed(field, round(q, u));
    }
    case 'DateTime': {
      const q = profile?.dates ? new QuantileFunction(profile.dates) : undefined;
      // Unique dates: a millisecond of the document's own past the drawn time (a collision would need two equal draws 1 ms apart).
      return q
        ? (i, u) => new Date(Math.floor(q.at(u)) + (unique ? i : 0))
        : (i, u) => new Date(dataEpoch - Math.floor(u * year) + (unique ? i : 0));
    }
    case 'Json':
      return (i, _u, rng) => ({ v: rng.int(100), k: textOf(rng.u32(), 6), i });
    case 'Bytes': {
      const q = profile?.lengths ? new QuantileFunction(profile.lengths) : undefined;
      return (i, u, rng) => {
        const length = Math.max(unique ? 4 : 0, q ? round(q, u) : 16);
        const bytes = Buffer.allocUnsafe(length);
        for (let k = 0; k < length; k++) bytes[k] = rng.u32() & 0xff;
        if (unique) bytes.writeUInt32BE(i >>> 0, 0);
        return new Binary(bytes);
      };
    }
    case 'String': {
      if (field.objectId) return (i, _u, rng) => objectIdAt(dataEpoch - rng.int(year), 0xfe, i, rng.u32());
      return stringMaker(profile, ctx, unique);
    }
    default:
      return (_i, _u, rng) => textOf(rng.u32(), 8);
  }
}

/**
 * Text of the profiled lengths. Unique: the index in base 36 after a dot, which the text never
 * holds, so two documents' values differ. With a distinct count: one of about `distinct × factor`
 * values (the pool entry decides the text and its length).
 */
function stringMaker(
  profile: FieldProfile | undefined,
  ctx: MakerContext,
  unique: boolean,
): (index: number, u: number, rng: Rng) => FieldValue {
  const q = profile?.lengths ? new QuantileFunction(profile.lengths) : undefined;
  const lengthAt = (u: number) => (q ? round(q, u) : 12);
  if (unique) {
    return (i, u, rng) => {
      const suffix = `.${i.toString(36)}`;
      return `${textOf(rng.u32(), lengthAt(u) - suffix.length)}${suffix}`;
    };
  }
  const distinct = profile?.distinct;
  if (distinct !== undefined && distinct > 0) {
    const pool = Math.max(1, Math.round(distinct * (profile?.distinctCapped ? Math.max(1, ctx.factor) : ctx.factor)));
    const salt = ctx.sequences.take();
    return (_i, _u, rng) => {
      const entry = rng.int(pool);
      return textOf(hash32(ctx.seed, entry, 0x57), lengthAt(salt(entry)));
    };
  }
  return (_i, u, rng) => textOf(rng.u32(), lengthAt(u));
}

/** The value a schema's `@default` gives, when the profile has nothing for the field. */
function defaultMaker(field: ScalarField, ctx: MakerContext): FieldMaker | undefined {
  const d = field.default;
  if (d === undefined || d === null) return field.isUpdatedAt ? (_i, rng) => new Date(dataEpoch - rng.int(year)) : undefined;
  if (typeof d === 'object' && !Array.isArray(d) && 'name' in d) {
    const name = (d as { name: string }).name;
    if (name === 'now') {
      const span = year / Math.max(1, ctx.count);
      return (i) => new Date(Math.floor(dataEpoch - year + i * span));
    }
    if (name === 'auto' && field.objectId) return (i, rng) => objectIdAt(dataEpoch - rng.int(year), 0xfd, i, rng.u32());
    return (i, rng) => `${rng.u32().toString(16).padStart(8, '0')}-${i.toString(16)}`;
  }
  if (typeof d === 'number') return () => typed(field, d);
  return () => d;
}

/** A field's value for every document: absent and null in their shares, else present. */
export function fieldMaker(source: FieldSource, ctx: MakerContext): FieldMaker {
  const { field, profile } = source;
  if (!profile && field.kind === 'scalar') {
    const fromDefault = defaultMaker(field, ctx);
    if (fromDefault) return fromDefault;
    if (!field.isRequired && !ctx.unique.has(source.path)) return () => absentValue;
  }
  const present = presentMaker(source, ctx);
  const absent = profile?.absent ?? 0;
  const nulled = absent + (profile?.null ?? 0);
  if (nulled <= 0) return present;
  const u = ctx.sequences.take();
  return (i, rng) => {
    const x = u(i);
    return x < absent ? absentValue : x < nulled ? null : present(i, rng);
  };
}

/** The value of a field where it is present and not null. */
function presentMaker(source: FieldSource, ctx: MakerContext): FieldMaker {
  const { field, profile } = source;
  const length = listLength(profile, ctx);
  if (field.kind === 'composite') {
    const composite = ctx.schema.composite(field.type);
    const subs = composite.fields.map((f) => {
      const path = `${source.path}.${f.name}`;
      return { dbName: f.dbName, make: fieldMaker({ path, field: f, profile: ctx.profile?.fields[path] }, ctx) };
    });
    const one = (i: number, rng: Rng) => {
      const doc: Record<string, unknown> = {};
      for (const s of subs) {
        const v = s.make(i, rng);
        if (v !== absentValue) doc[s.dbName] = v;
      }
      return doc;
    };
    if (!field.isList) return one;
    // Each element takes its own place on the sub-fields' sequences.
    return (i, rng) => Array.from({ length: length(i) }, (_, k) => one(i * 1024 + (k % 1024), rng));
  }
  const unique = ctx.unique.has(source.path);
  if (!field.isList) {
    const element = elementMaker(field, profile, ctx, unique);
    const u = ctx.sequences.take();
    return (i, rng) => element(i, u(i), rng);
  }
  // A list's `lengths` are the list's: its elements' lengths are not profiled.
  const element = elementMaker(field, profile ? { ...profile, lengths: undefined } : undefined, ctx, unique);
  return (i, rng) => Array.from({ length: length(i) }, () => element(i, rng.next(), rng));
}

/** A list's length for document i: the profile's `lengths` quantiles along the field's sequence (no profile: 0 to 3). */
function listLength(profile: FieldProfile | undefined, ctx: MakerContext): (index: number) => number {
  const u = ctx.sequences.take();
  const q = profile?.lengths ? new QuantileFunction(profile.lengths) : undefined;
  return q ? (i) => Math.max(0, round(q, u(i))) : (i) => Math.floor(u(i) * 4);
}
