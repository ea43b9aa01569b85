import { RouteCallError } from './route-file-error.js';
import { BSON, type Db, type Document } from 'mongodb';
import { completeExplain, dataLimitFailure, isOverLimit } from '../mongo/over-limit.js';
import type { ReadCommand } from '../capture/shape.js';
import type { ClientTransport, RawRequest } from '../prisma/client.js';
import { OverLimit, type CommandRequest } from '../prisma/read.js';
import type { WriteTransport } from '../prisma/write.js';

/**
 * One call of a route, recorded: every command its code sends (through the Prisma client or
 * the driver), in the order they are first sent, with their shapes, their time, the
 * documents and bytes they return, and the client's in-memory work on them; the phases the
 * route names; and indexgate's own work (rendering, result shaping), timed apart so that it
 * never counts in the route's time.
 */

export type CommandShape =
  | { readonly kind: 'aggregate'; readonly pipeline: readonly Document[]; readonly options?: Document }
  | { readonly kind: 'find'; readonly filter: Document; readonly options?: Document }
  /** A command sent as given (find, aggregate, count or distinct; a replayed capture, $runCommandRaw). */
  | { readonly kind: 'command'; readonly command: Document };

/** One step of a call: a command, or several sends of the same call site (a fan-out). */
export interface CommandRun {
  readonly step: string;
  readonly call: string;
  readonly collection: string;
  readonly command: ReadCommand;
  readonly source: string;
  /** Every shape sent under this step, in order. */
  readonly shapes: CommandShape[];
  /** From the first send to the last answer (ms). */
  ms: number;
  overLimit: boolean;
  /** Not sent: known to be over the limit on this state whoever asks (why, in words). */
  inferred?: string;
  /** It did not finish because the server refused it for the data it met (mongo/over-limit.ts dataLimitFailure): why. */
  failed?: string;
  returnedDocs: number;
  returnedBytes?: number;
  /** For a count: the number it counted. */
  counted?: number;
  clientSide?: { describe: string; keptDocs: number; ms: number };
}

export interface RecorderOptions {
  /** Server-side limit of every command (ms): one that reaches it is "over the limit", never fast. */
  maxTimeMS: number;
  /**
   * A command known to be over the limit on this state whoever sends it (its $lookup alone is
   * projected far over the limit): returns why, and the command is not sent but reported over
   * the limit, as if it had been.
   */
  knownOverLimit?: (collection: string, shape: CommandShape) => string | undefined | Promise<string | undefined>;
  /**
   * A command just reached the limit: what is learnt from it (its join's probe) before the call goes on, so that a later
   * command of the same call with the same join is known over the limit. indexgate's own time, like `knownOverLimit`'s.
   */
  onOverLimit?: (collection: string, shape: CommandShape) => Promise<void>;
  /** The limit of a stand-in (the same answer by a cheaper command, untimed). */
  standInMaxTimeMS?: number;
  /** Count the BSON bytes of every returned document (the capture call, not the timed ones). */
  measureBytes?: boolean;
  /** Sees every command's returned documents (the tests that compare rows picked). */
  onDocuments?: (step: string, docs: readonly Document[]) => void;
  now?: () => number;
  /** A write route's writes (bench's writes stage only): where its create, update and upsert go. */
  writes?: WriteTransport;
}

export { isOverLimit };

export class Recorder implements ClientTransport {
  readonly runs = new Map<string, CommandRun>();
  /** indexgate's own time (rendering, shaping, stand-ins), ms. */
  overheadMs = 0;
  private readonly signatures = new Map<string, string[]>();
  private readonly now: () => number;
  private readonly spans = new Map<string, { first: number; last: number }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly writes?: WriteTransport;

  constructor(
    private readonly db: Db,
    private readonly options: RecorderOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    if (options.writes) this.writes = options.writes;
  }

  stepFor(label: string, signature: string): string {
    const known = this.signatures.get(label) ?? [];
    let at = known.indexOf(signature);
    if (at < 0) {
      known.push(signature);
      this.signatures.set(label, known);
      at = known.length - 1;
    }
    return at === 0 ? label : `${label} #${at + 1}`;
  }

  overhead<T>(fn: () => T): T {
    const started = this.now();
    try {
      return fn();
    } finally {
      this.overheadMs += this.now() - started;
    }
  }

  clientWork<T>(step: string, describe: string, fn: () => T): T {
    const started = this.now();
    const result = fn();
    const ms = this.now() - started;
    const run = this.runs.get(step);
    if (run) {
      const work = (run.clientSide ??= { describe: '', keptDocs: 0, ms: 0 });
      work.ms += ms;
      if (Array.isArray(result)) {
        work.describe = describe;
        work.keptDocs += result.length;
      }
    }
    return result;
  }

  /** A Prisma model read: an aggregate with `allowDiskUse: true` and no other option (read_query_builder.rs @2ba551f3 `ReadQuery::execute`). */
  aggregate(request: CommandRequest): Promise<Document[]> {
    return this.send(request, { kind: 'aggregate', pipeline: request.pipeline, options: { allowDiskUse: true } }, 'aggregate');
  }

  raw(request: RawRequest): Promise<Document[]> {
    if (request.kind === 'aggregate')
      return this.send(request, { kind: 'aggregate', pipeline: request.pipeline, options: request.options }, 'aggregate');
    if (request.kind === 'find') return this.send(request, { kind: 'find', filter: request.filter, options: request.options }, 'find');
    return this.send(request, { kind: 'command', command: request.command }, commandKind(request.command));
  }

  /** A stand-in's answer: the same rows by a cheaper command, neither timed nor recorded. */
  async standIn(collection: string, pipeline: Document[]): Promise<Document[]> {
    const started = this.now();
    try {
      return await this.db
        .collection(collection)
        .aggregate(pipeline, { maxTimeMS: this.options.standInMaxTimeMS ?? 120_000, allowDiskUse: true })
        .toArray();
    } catch (error) {
      if (isOverLimit(error)) throw new OverLimit(`stand-in on ${collection}`);
      throw error;
    } finally {
      this.overheadMs += this.now() - started;
    }
  }

  /** Resolves once no command of this call is in flight (a call that stopped early leaves none running behind it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Sends one command, records it under its step, and returns its documents; OverLimit when it reaches the limit. */
  send(request: Omit<CommandRequest, 'pipeline'>, shape: CommandShape, command: ReadCommand): Promise<Document[]> {
    const write = writeIn(shape);
    if (write)
      throw new RouteCallError(request.call, `${write}: a route is read-only (indexgate measures reads; nothing it runs may write)`);
    const sent = this.sendOne(request, shape, command);
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent)).catch(() => undefined);
    return sent;
  }

  private async sendOne(request: Omit<CommandRequest, 'pipeline'>, shape: CommandShape, command: ReadCommand): Promise<Document[]> {
    let run = this.runs.get(request.step);
    if (!run) {
      run = {
        step: request.step,
        call: request.call,
        collection: request.collection,
        command,
        source: request.source,
        shapes: [],
        ms: 0,
        overLimit: false,
        returnedDocs: 0,
      };
      this.runs.set(request.step, run);
    }
    run.shapes.push(shape);
    // Whether it is known over the limit may take a probe (a capture's first look at a join): indexgate's own time.
    const judging = this.now();
    const known = await this.options.knownOverLimit?.(request.collection, shape);
    this.overheadMs += this.now() - judging;
    const started = this.now();
    const span = this.spans.get(request.step) ?? { first: started, last: started };
    let docs: Document[];
    if (known !== undefined) {
      run.overLimit = true;
      run.inferred = known;
      this.spans.set(request.step, span);
      throw new OverLimit(request.step);
    }
    try {
      docs = await sendShape(this.db, request.collection, shape, this.options.maxTimeMS);
    } catch (error) {
      const failed = dataLimitFailure(error);
      if (!isOverLimit(error) && failed === undefined) throw error;
      run.overLimit = true;
      if (failed !== undefined) run.failed = failed;
      span.last = this.now();
      this.spans.set(request.step, span);
      run.ms = span.last - span.first;
      if (this.options.onOverLimit) {
        const learning = this.now();
        await this.options.onOverLimit(request.collection, shape);
        this.overheadMs += this.now() - learning;
      }
      throw new OverLimit(request.step);
    }
    span.last = this.now();
    this.spans.set(request.step, span);
    run.ms = span.last - span.first;
    this.options.onDocuments?.(request.step, docs);
    run.returnedDocs += docs.length;
    if (this.options.measureBytes)
      this.overhead(() => (run.returnedBytes = (run.returnedBytes ?? 0) + docs.reduce((n, d) => n + BSON.calculateObjectSize(d), 0)));
    const counted = countedIn(docs);
    if (counted !== undefined) run.counted = (run.counted ?? 0) + counted;
    return docs;
  }
}

/** The read commands a route may send as raw commands; anything else may write, or is not a query. */
const readCommands = new Set(['find', 'aggregate', 'count', 'distinct']);
/** Stages that write the pipeline's output to a collection. */
const writeStages = new Set(['$out', '$merge']);

/** What in a shape would write, in words, or undefined for a read. */
export function writeIn(shape: CommandShape): string | undefined {
  const pipeline =
    shape.kind === 'aggregate'
      ? shape.pipeline
      : shape.kind === 'command' && Array.isArray(shape.command.pipeline)
        ? (shape.command.pipeline as Document[])
        : [];
  const stage = pipeline.flatMap((s) => Object.keys(s)).find((k) => writeStages.has(k));
  if (stage) return `its pipeline writes (${stage})`;
  if (shape.kind === 'command') {
    const name = Object.keys(shape.command)[0] ?? '(empty)';
    if (!readCommands.has(name)) return `the command ${name} is not a read (find, aggregate, count and distinct are)`;
  }
  return undefined;
}

function commandKind(command: Document): ReadCommand {
  const name = Object.keys(command)[0];
  return name === 'find' || name === 'count' || name === 'distinct' ? name : 'aggregate';
}

/** The number a count's documents carry (Prisma's `count_all`, `$count`'s `total`/`n`), or undefined for other results. */
function countedIn(docs: readonly Document[]): number | undefined {
  if (docs.length !== 1) return undefined;
  const [d] = docs as [Document];
  const keys = Object.keys(d).filter((k) => k !== '_id');
  if (keys.length !== 1) return undefined;
  const v = d[keys[0] as string];
  return (keys[0] === 'count_all' || keys[0] === 'total' || keys[0] === 'n') && typeof v === 'number' ? v : undefined;
}

/** A recorded command as it is sent again: an aggregate needs its cursor field back. */
const asSent = (command: Document): Document => (Object.keys(command)[0] === 'aggregate' ? { ...command, cursor: {} } : command);

/** Sends a shape as the application's driver would and returns every document (a cursor drained). */
export async function sendShape(db: Db, collection: string, shape: CommandShape, maxTimeMS: number): Promise<Document[]> {
  if (shape.kind === 'command') {
    const name = Object.keys(shape.command)[0];
    if (name === 'find' || name === 'aggregate') return db.runCursorCommand({ ...asSent(shape.command), maxTimeMS }).toArray();
    const reply = await db.command({ ...shape.command, maxTimeMS });
    if (name === 'count') return [{ total: Number(reply.n) }];
    if (name === 'distinct') return (reply.values as unknown[]).map((value) => ({ value }));
    return [reply];
  }
  const coll = db.collection(collection);
  if (shape.kind === 'aggregate') return coll.aggregate([...shape.pipeline], { ...shape.options, maxTimeMS }).toArray();
  return coll.find(shape.filter, { ...shape.options, maxTimeMS }).toArray();
}

/** explain of a shape (executionStats runs it to completion), with the limit on the explain command itself, where the server applies it. */
export function explainShape(
  db: Db,
  collection: string,
  shape: CommandShape,
  maxTimeMS: number,
  verbosity: 'executionStats' | 'queryPlanner' = 'executionStats',
): Promise<Document> {
  const explained = (): Promise<Document> => {
    if (shape.kind === 'command') return db.command({ explain: asSent(shape.command), verbosity, maxTimeMS });
    const coll = db.collection(collection);
    const explain = { verbosity, maxTimeMS };
    if (shape.kind === 'aggregate') return coll.aggregate([...shape.pipeline], shape.options ?? {}).explain(explain);
    const { maxTimeMS: _ignored, comment: _comment, ...options } = shape.options ?? {};
    return coll.find(shape.filter, options).explain(explain);
  };
  // Stopped at the limit, some explains still answer, with the work done so far: over the limit, as the command would be.
  return explained().then(completeExplain);
}

/**
 * Two shapes with the same key are the same command on the same collection (the client's comment and time limit aside, the
 * options in any order): explained on the same state, they have the same plan and the same work.
 */
export function sameCommandKey(collection: string, shape: CommandShape): string {
  const { pipeline, filter, ...options } = commandDocument(collection, shape);
  const sorted = Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return BSON.EJSON.stringify({ pipeline, filter, ...sorted }, { relaxed: false });
}

/** A shape as the command document the driver sends for it (without the client's cursor, comment and time limit). */
export function commandDocument(collection: string, shape: CommandShape): Document {
  const { comment: _comment, maxTimeMS: _maxTimeMS, ...options } = shape.kind === 'command' ? {} : (shape.options ?? {});
  if (shape.kind === 'aggregate') return { aggregate: collection, pipeline: [...shape.pipeline], ...options };
  if (shape.kind === 'find') return { find: collection, filter: shape.filter, ...options };
  return shape.command;
}
