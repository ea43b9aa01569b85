import type { Document, ObjectId } from 'mongodb';
import type { PatternContext, RoutePhase } from '../../bench/patterns.js';
import type { ReadCommand } from '../capture/shape.js';

/**
 * A route model: the database commands one call of `GET /api/v1/conversations` sends, in
 * the order and with the concurrency the application sends them, and the work its client
 * does on what comes back. Route models are data (`bench/routes/`); this engine runs,
 * explains and times them.
 */
export interface RouteModel {
  readonly id: string;
  readonly title: string;
  /** One paragraph: who sends these commands, and where their shapes come from. */
  readonly description: string;
  /**
   * The commands of each phase as groups: groups run one after the other, the commands of a
   * group at the same time (`Promise.all` in the application, or the ORM's own order).
   */
  readonly phases: Readonly<Record<RoutePhase, readonly (readonly RouteCommand[])[]>>;
  /**
   * Who the route is measured for. Absent: each user class (the commands are built from the
   * class's ids). `captured`: a replayed workload, whose commands carry their own recorded
   * parameters: measured once, whatever the classes.
   */
  readonly audience?: 'captured';
}

/** What a command is built from: the route's ids, and what earlier commands kept. */
export interface StepInput {
  readonly ctx: PatternContext;
  /** Documents each earlier command kept (after its client-side work), by step id. */
  readonly kept: ReadonlyMap<string, readonly Document[]>;
}

/** The client's work on a command's documents (Prisma's in-memory take, for one). */
export interface ClientSide {
  /** In words, for the reports: e.g. "keeps the first 5 per conversation (in memory)". */
  readonly describe: string;
  keep(docs: readonly Document[], input: StepInput): Document[];
}

export interface RouteCommand {
  /** Unique within the route, e.g. `conversation.findMany`, `conversation.findMany › members`. */
  readonly step: string;
  /** The application's call this command belongs to, as written in its code. */
  readonly call: string;
  /** Where the command runs. */
  readonly collection: string;
  readonly command: ReadCommand;
  /** Where the shape comes from: file and function of the source it was read from. */
  readonly source: string;
  /** The pipeline (aggregate) or filter and options (find) as sent, real values; undefined when there is nothing to ask (no ids). */
  build(input: StepInput): CommandShape | undefined;
  /**
   * A command the application sends once per item (one count per conversation, say):
   * `build` is not used; each shape is sent, `concurrency` at a time, in waves.
   */
  readonly fanOut?: { readonly concurrency: number; buildEach(input: StepInput): CommandShape[] | undefined };
  readonly clientSide?: ClientSide;
  /** A command the application sends right after this one, in the same concurrent slot (it reads what this one kept). */
  readonly then?: RouteCommand;
  /** A replayed shape: what its capture recorded, for weighting and the report. */
  readonly captured?: CapturedFacts;
}

/** What a capture recorded for a shape: how often it arrived and how long it took there. */
export interface CapturedFacts {
  readonly count: number;
  readonly recorded: { readonly p50Ms: number; readonly totalMs: number; readonly planSummary: string | null };
  /** Parameter sets replayed per call (each call sends every one). */
  readonly params: number;
}

export type CommandShape =
  | { readonly kind: 'aggregate'; readonly pipeline: readonly Document[] }
  | { readonly kind: 'find'; readonly filter: Document; readonly sort?: Document; readonly limit?: number; readonly projection?: Document }
  /** A captured command sent as recorded (find, aggregate, count or distinct; session fields removed). */
  | { readonly kind: 'command'; readonly command: Document };

/** A command and the ones chained after it (`then`). */
export function chain(command: RouteCommand): RouteCommand[] {
  return command.then ? [command, ...chain(command.then)] : [command];
}

/** Every command of a model, in phase and group order, chained ones after theirs. */
export function routeCommands(model: RouteModel): RouteCommand[] {
  return [...model.phases.conversationsQuery.flat(), ...model.phases.parallelQueries.flat()].flatMap(chain);
}

/** The page's conversation ids: what the page command kept, else the route context's page. */
export function pageIds(input: StepInput, pageStep: string): ObjectId[] {
  const page = input.kept.get(pageStep);
  return page ? page.map((c) => c._id as ObjectId) : [...input.ctx.pageIds];
}
