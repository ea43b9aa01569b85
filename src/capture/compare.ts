import type { Document } from 'mongodb';
import type { WorkloadFile, WorkloadShape } from './workload-file.js';
import { type ReadCommand, shapeOfCommand } from './shape.js';

/**
 * A route file against real traffic: the commands the route renders for a user, each as the
 * shape `capture` would give it, matched with the shapes of a captured workload. What makes
 * a query the query is compared (the filter or pipeline, the sort, projection, hint, skip and
 * limit, a distinct's key), values replaced by their types as capture replaces them; the
 * options a client adds (cursor, maxTimeMS, comment, allowDiskUse) are not.
 */

/** A command a route sent, as the driver sends it (the route engine's shapes turned into command documents). */
export interface SentCommand {
  readonly step: string;
  readonly collection: string;
  readonly command: Document;
}

/** The fields of each read command that make it this query. */
const queryFields: Readonly<Record<ReadCommand, readonly string[]>> = {
  find: ['filter', 'sort', 'projection', 'hint', 'skip', 'limit'],
  aggregate: ['pipeline', 'hint'],
  count: ['query', 'hint', 'skip', 'limit'],
  distinct: ['key', 'query'],
};

export interface ComparedShape {
  readonly collection: string;
  readonly command: ReadCommand;
  /** The normalised query fields (values as `?type` placeholders). */
  readonly query: Document;
}

export interface RouteTrafficComparison {
  /** Each command the route sent: the captured shape equal to it, or the nearest on its collection and command. */
  readonly rendered: ReadonlyArray<{
    readonly step: string;
    readonly shape: ComparedShape;
    readonly captured: string | null;
    /** When not captured: a captured shape of the same collection and command, to read side by side. */
    readonly nearest?: { readonly id: string; readonly shape: ComparedShape };
  }>;
  /** Captured shapes on the route's collections that no command of the route renders. */
  readonly notRendered: ReadonlyArray<{ readonly id: string; readonly shape: ComparedShape; readonly count: number }>;
  /** Every rendered shape was captured and every captured shape on the route's collections was rendered. */
  readonly equal: boolean;
}

const pick = (command: ReadCommand, fields: Document): Document =>
  Object.fromEntries(queryFields[command].filter((f) => fields[f] !== undefined).map((f) => [f, fields[f]]));

/** A sent command's shape, normalised as capture normalises it. */
export function sentShape(sent: SentCommand): ComparedShape {
  const key = shapeOfCommand(sent.command);
  return { collection: key.collection, command: key.command, query: pick(key.command, key.shape) };
}

function capturedShape(shape: WorkloadShape): ComparedShape {
  return { collection: shape.collection, command: shape.command, query: pick(shape.command, shape.shape) };
}

const identity = (s: ComparedShape) => JSON.stringify([s.collection, s.command, s.query]);

/** How many characters two shapes share from the start and from the end: a cheap nearness for picking the captured shape to show beside a rendered one. */
function shared(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return i + j;
}

export function compareRouteWithWorkload(sent: readonly SentCommand[], workload: WorkloadFile): RouteTrafficComparison {
  const captured = workload.shapes.map((s) => ({ id: s.id, shape: capturedShape(s), count: s.count }));
  const byIdentity = new Map(captured.map((c) => [identity(c.shape), c]));
  const used = new Set<string>();
  const rendered = sent.map((s) => {
    const shape = sentShape(s);
    const match = byIdentity.get(identity(shape));
    if (match) {
      used.add(match.id);
      return { step: s.step, shape, captured: match.id };
    }
    const candidates = captured.filter((c) => c.shape.collection === shape.collection && c.shape.command === shape.command);
    const mine = identity(shape);
    const nearest = candidates.sort((a, b) => shared(identity(b.shape), mine) - shared(identity(a.shape), mine))[0];
    return { step: s.step, shape, captured: null, ...(nearest ? { nearest: { id: nearest.id, shape: nearest.shape } } : {}) };
  });
  const collections = new Set(sent.map((s) => sentShape(s).collection));
  const notRendered = captured.filter((c) => collections.has(c.shape.collection) && !used.has(c.id));
  return { rendered, notRendered, equal: rendered.every((r) => r.captured !== null) && notRendered.length === 0 };
}

/** Where two normalised queries first differ: the path, and what each holds there (undefined when equal). */
export function firstDifference(a: unknown, b: unknown, path = ''): { path: string; left: unknown; right: unknown } | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b);
  if (bothArrays) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
    // The same keys in another order differ as a whole (field order is part of a query's shape).
    if (JSON.stringify(Object.keys(a as object)) === JSON.stringify(Object.keys(b as object))) {
      for (const k of keys) {
        const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
        if (d) return d;
      }
    }
  }
  return { path: path || '(the whole query)', left: a, right: b };
}
