import { BSON, type Db, type Document, MongoServerError } from 'mongodb';
import type { PatternContext, RoutePhase } from '../../bench/patterns.js';
import { routePhases } from '../../bench/patterns.js';
import type { CommandShape, RouteCommand, RouteModel, StepInput } from './model.js';

export interface RouteRunOptions {
  /** Server-side limit of every command (ms). A command that reaches it is "over the limit", never fast. */
  maxTimeMS: number;
  /** Also compute the BSON size of every returned document (the capture call; not the timed ones). */
  measureBytes?: boolean;
  /** Sees every command's returned documents (before the client's work): the tests that compare the rows picked. */
  onDocuments?: (step: string, docs: readonly Document[]) => void;
  now?: () => number;
}

/** One command of one route call. */
export interface CommandRun {
  readonly step: string;
  readonly shape: CommandShape | undefined;
  /** A fan-out command: every shape sent (`shape` is the first). */
  readonly shapes?: readonly CommandShape[];
  /** Undefined when the command was not sent (nothing to ask). */
  readonly ms?: number;
  readonly overLimit: boolean;
  readonly returnedDocs: number;
  /** BSON bytes of the returned documents: what crossed the wire to the client (when measured). */
  readonly returnedBytes?: number;
  /** For a count (`count_all`, `total`): the number it counted. */
  readonly counted?: number;
  /** Documents the client kept, and the time its in-memory work took. */
  readonly clientSide?: { readonly keptDocs: number; readonly ms: number };
}

export interface RouteModelCall {
  /** Milliseconds per phase and in total, as the application logs them; a lower bound when a command was over the limit. */
  readonly phases: { readonly conversationsQuery: number; readonly parallelQueries: number; readonly total: number };
  readonly commands: readonly CommandRun[];
  /** A command reached maxTimeMS: the call's times are lower bounds. */
  readonly overLimit: boolean;
}

const withCount = (docs: readonly Document[]): { counted?: number } => {
  const counted = countedIn(docs);
  return counted === undefined ? {} : { counted };
};

/** The number a count's documents carry (Prisma's `count_all`, `$count`'s field), or undefined for other results. */
function countedIn(docs: readonly Document[]): number | undefined {
  if (docs.length === 0) return undefined;
  let n = 0;
  for (const d of docs) {
    const v = typeof d.count_all === 'number' ? d.count_all : typeof d.total === 'number' ? d.total : undefined;
    if (v === undefined) return undefined;
    n += v;
  }
  return n;
}

export const isOverLimit = (error: unknown): boolean => error instanceof MongoServerError && (error.code === 50 || error.codeName === 'MaxTimeMSExpired');

/** Sends one command as the application's driver would and returns every document. */
export function sendCommand(db: Db, command: RouteCommand, shape: CommandShape, maxTimeMS: number): Promise<Document[]> {
  const coll = db.collection(command.collection);
  if (shape.kind === 'command') return sendRecorded(db, shape.command, maxTimeMS);
  if (shape.kind === 'aggregate') return coll.aggregate([...shape.pipeline], { maxTimeMS }).toArray();
  return coll
    .find(shape.filter, { maxTimeMS, ...(shape.sort ? { sort: shape.sort } : {}), ...(shape.limit ? { limit: shape.limit } : {}), ...(shape.projection ? { projection: shape.projection } : {}) })
    .toArray();
}

/** explain("executionStats") of a command, the limit on the explain command itself (where the server applies it). */
export function explainCommand(db: Db, command: RouteCommand, shape: CommandShape, maxTimeMS: number, verbosity: 'executionStats' | 'queryPlanner' = 'executionStats'): Promise<Document> {
  if (shape.kind === 'command') return db.command({ explain: asSent(shape.command), verbosity, maxTimeMS });
  const coll = db.collection(command.collection);
  const explain = { verbosity, maxTimeMS };
  if (shape.kind === 'aggregate') return coll.aggregate([...shape.pipeline]).explain(explain);
  return coll.find(shape.filter, { ...(shape.sort ? { sort: shape.sort } : {}), ...(shape.limit ? { limit: shape.limit } : {}), ...(shape.projection ? { projection: shape.projection } : {}) }).explain(explain);
}

/** A recorded command as it is sent again: an aggregate needs its cursor field back. */
const asSent = (command: Document): Document => (Object.keys(command)[0] === 'aggregate' ? { ...command, cursor: {} } : command);

/**
 * A recorded command sent again: find and aggregate through a cursor (every getMore
 * included, as the application's driver drains it), count and distinct as commands. A
 * count's answer is one `{ total }` document (what the counting pipelines return), a
 * distinct's one document per value.
 */
async function sendRecorded(db: Db, command: Document, maxTimeMS: number): Promise<Document[]> {
  const name = Object.keys(command)[0];
  if (name === 'find' || name === 'aggregate') return db.runCursorCommand({ ...asSent(command), maxTimeMS }).toArray();
  const reply = await db.command({ ...command, maxTimeMS });
  if (name === 'count') return [{ total: Number(reply.n) }];
  if (name === 'distinct') return (reply.values as unknown[]).map((value) => ({ value }));
  throw new Error(`a recorded ${String(name)} command cannot be replayed`);
}

/**
 * One call of a route model: its commands in the model's order and concurrency, each
 * with the limit, the client's work applied to what comes back. A command over the limit
 * keeps the call going (its dependants work from the route context's ids), so that every
 * command is measured; the call's times are then lower bounds.
 */
export async function callRouteModel(db: Db, model: RouteModel, ctx: PatternContext, options: RouteRunOptions): Promise<RouteModelCall> {
  const now = options.now ?? (() => performance.now());
  const kept = new Map<string, readonly Document[]>();
  const runs: CommandRun[] = [];
  const phaseMs = { conversationsQuery: 0, parallelQueries: 0 } as Record<RoutePhase, number>;
  const started = now();
  for (const phase of routePhases) {
    const phaseStarted = now();
    for (const group of model.phases[phase]) {
      // The commands of a group at once; each with the commands chained after it, in order.
      const done = await Promise.all(group.map((command) => runChain(db, command, ctx, kept, options, now)));
      for (const chainRuns of done) runs.push(...chainRuns);
    }
    phaseMs[phase] = now() - phaseStarted;
  }
  const total = now() - started;
  return { phases: { ...phaseMs, total }, commands: runs, overLimit: runs.some((r) => r.overLimit) };
}

async function runChain(
  db: Db,
  first: RouteCommand,
  ctx: PatternContext,
  kept: Map<string, readonly Document[]>,
  options: RouteRunOptions,
  now: () => number,
): Promise<CommandRun[]> {
  const runs: CommandRun[] = [];
  for (let command: RouteCommand | undefined = first; command; command = command.then) {
    const run = await runOne(db, command, { ctx, kept }, options, now);
    runs.push(run.run);
    // A command over the limit kept nothing: its dependants fall back to the route context's ids.
    if (!run.run.overLimit) kept.set(command.step, run.kept);
  }
  return runs;
}

/** A fan-out command: every shape, `concurrency` at a time in waves, as the application sends them. */
async function runFanOut(db: Db, command: RouteCommand, shapes: readonly CommandShape[], concurrency: number, options: RouteRunOptions, now: () => number): Promise<{ run: CommandRun; kept: Document[] }> {
  const started = now();
  const docs: Document[] = [];
  let overLimit = false;
  for (let i = 0; i < shapes.length && !overLimit; i += concurrency) {
    const wave = await Promise.all(
      shapes.slice(i, i + concurrency).map((shape) =>
        sendCommand(db, command, shape, options.maxTimeMS).catch((error: unknown) => {
          if (!isOverLimit(error)) throw error;
          overLimit = true;
          return [] as Document[];
        }),
      ),
    );
    for (const d of wave) docs.push(...d);
  }
  const ms = now() - started;
  options.onDocuments?.(command.step, docs);
  const bytes = options.measureBytes ? docs.reduce((n, d) => n + BSON.calculateObjectSize(d), 0) : undefined;
  return {
    run: { step: command.step, shape: shapes[0], shapes, ms, overLimit, returnedDocs: docs.length, ...(bytes === undefined ? {} : { returnedBytes: bytes }), ...withCount(docs) },
    kept: overLimit ? [] : docs,
  };
}

async function runOne(db: Db, command: RouteCommand, input: StepInput, options: RouteRunOptions, now: () => number): Promise<{ run: CommandRun; kept: Document[] }> {
  if (command.fanOut) {
    const shapes = command.fanOut.buildEach(input);
    if (!shapes || shapes.length === 0) return { run: { step: command.step, shape: undefined, overLimit: false, returnedDocs: 0 }, kept: [] };
    return runFanOut(db, command, shapes, command.fanOut.concurrency, options, now);
  }
  const shape = command.build(input);
  if (!shape) return { run: { step: command.step, shape, overLimit: false, returnedDocs: 0 }, kept: [] };
  const started = now();
  let docs: Document[];
  try {
    docs = await sendCommand(db, command, shape, options.maxTimeMS);
  } catch (error) {
    if (!isOverLimit(error)) throw error;
    return { run: { step: command.step, shape, ms: now() - started, overLimit: true, returnedDocs: 0 }, kept: [] };
  }
  const ms = now() - started;
  options.onDocuments?.(command.step, docs);
  const bytes = options.measureBytes ? docs.reduce((n, d) => n + BSON.calculateObjectSize(d), 0) : undefined;
  let kept = docs;
  let clientSide: CommandRun['clientSide'];
  if (command.clientSide) {
    const clientStarted = now();
    kept = command.clientSide.keep(docs, input);
    clientSide = { keptDocs: kept.length, ms: now() - clientStarted };
  }
  return {
    run: { step: command.step, shape, ms, overLimit: false, returnedDocs: docs.length, ...(bytes === undefined ? {} : { returnedBytes: bytes }), ...withCount(docs), ...(clientSide ? { clientSide } : {}) },
    kept,
  };
}
