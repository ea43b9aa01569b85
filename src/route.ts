import type { Db, Document, ObjectId } from 'mongodb';

/**
 * A route: the application's code for one request, written the way its handler is written
 * (the same Prisma calls, the same `Promise.all`), run by indexgate for sampled users with
 * every command it sends recorded, explained and timed. A route file's default export is a
 * plain object of this shape; nothing needs to be imported from indexgate to write one (these
 * types are for those who want them).
 */
export interface RouteDefinition {
  /** Names the route in results and on the command line (`routes[].id`). */
  readonly id: string;
  readonly title: string;
  /** Where the code comes from: the application's file and the one commit it stands for. */
  readonly source?: string;
  /** One paragraph for the reports: what the route does and why it is shaped this way. */
  readonly description?: string;
  /** Defaults of the route's parameters; `--route-param key=value` overrides them. */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /**
   * A write route (sending a message, reading a conversation): its Prisma client also renders
   * `create`, `update` and `upsert`. Only `bench` runs it, on its own target, before and after
   * the set, each write undone; `verify` refuses it.
   */
  readonly writes?: boolean;
  /**
   * Who the route is measured for, when not the workload's users: documents of `model`, each
   * user's load the number of its records through `load.relation` (a list relation of that
   * model) that match `load.where` (a Prisma where on the related model). typical, heavy and
   * heaviest are the users at the 50th, 99th and 100th percentile of that load (users with
   * none are not ranked). Absent: the workload's own rule.
   */
  readonly users?: RouteUsers;
  /**
   * Write routes: what a call acts on besides the user's membership (a conversation the user is
   * not in, to join), looked up on the driver's database before the call, neither recorded nor
   * timed; the call receives it as `ctx.target` (ids as hex strings). Looked up once per
   * membership and side (the data is the same for every call: each is undone). Found nothing
   * (`null`): the run stops naming the route file.
   */
  target?(lookup: TargetLookup): Promise<Document | null>;
  run(ctx: RouteContext): Promise<void>;
}

/** A route's users: `{ model: 'User', load: { relation: 'memberships', where: { isActive: true } } }`. */
export interface RouteUsers {
  readonly model: string;
  readonly load: { readonly relation: string; readonly where?: Readonly<Record<string, unknown>> };
}

/** What a write route's `target` looks its target up with. */
export interface TargetLookup {
  /** The driver's database, its collections' reads (find, findOne, aggregate, countDocuments, distinct); not recorded, not timed. */
  readonly db: Pick<RecordedDb, 'collection'>;
  readonly user: { readonly id: string };
  /** The membership the call is made for, as `ctx.membership`. */
  readonly membership: Readonly<Record<string, unknown>>;
  readonly ObjectId: typeof ObjectId;
}

export type ParamValue = string | number | boolean | null;

export interface RouteContext {
  /**
   * A Prisma 6 client on the schema's models (`prisma.conversation.findMany(…)`): each call is
   * rendered into the commands Prisma 6.19's MongoDB connector sends, and sent, recorded and
   * timed. Results come back as Prisma returns them (ids as hex strings, `Date`s, nested objects).
   */
  readonly prisma: PrismaLike;
  /** The driver's database, recorded and timed the same way (find, findOne, aggregate, countDocuments, distinct, command). */
  readonly db: RecordedDb;
  /** The sampled user: its id as a hex string, and its class (typical, heavy, heaviest). */
  readonly user: { readonly id: string; readonly class: string };
  readonly params: Readonly<Record<string, ParamValue>>;
  /** A named phase, timed as the application logs it (`[CONVERSATIONS_PERF]`); TOTAL is the whole run. */
  phase<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** The driver's ObjectId, for routes written with `db` (`new ObjectId(user.id)`). */
  readonly ObjectId: typeof ObjectId;
  /**
   * Write routes: one active membership of the user (the conversation it writes in), as
   * Prisma returns a record (ids as hex strings, fields under their database names).
   */
  readonly membership?: Readonly<Record<string, unknown>>;
  /** Write routes with a `target`: what it found for this call, as Prisma returns a record. */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** The Prisma client as a route sees it: models by accessor, each with its calls. */
export type PrismaLike = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The read side of the driver's `Db`, as routes use it. */
export interface RecordedDb {
  readonly databaseName: string;
  collection(name: string): RecordedCollection;
  /** A command sent as given (a replayed capture); `comment` names its step. */
  command(command: Document, options?: { comment?: string }): Promise<Document>;
}

export interface RecordedCollection {
  find(filter?: Document, options?: Document): RecordedCursor;
  findOne(filter?: Document, options?: Document): Promise<Document | null>;
  aggregate(pipeline: Document[], options?: Document): { toArray(): Promise<Document[]> };
  countDocuments(filter?: Document, options?: Document): Promise<number>;
  distinct(key: string, filter?: Document, options?: Document): Promise<unknown[]>;
}

export interface RecordedCursor {
  sort(sort: Document): RecordedCursor;
  skip(n: number): RecordedCursor;
  limit(n: number): RecordedCursor;
  project(projection: Document): RecordedCursor;
  toArray(): Promise<Document[]>;
}

/** A route as the engine runs it: a definition, where it was loaded from, and who it is measured for. */
export interface Route extends RouteDefinition {
  readonly description: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The file it was loaded from (built-in routes: their module). */
  readonly file: string;
  /**
   * Absent: each user class. `captured`: a replayed workload, whose commands carry their own
   * recorded parameters: measured once, whatever the classes.
   */
  readonly audience?: 'captured';
  /** A replayed workload's shapes: what the capture recorded, by step. */
  readonly captured?: ReadonlyMap<string, CapturedFacts>;
}

/** What a capture recorded for a shape: how often it arrived and how long it took there. */
export interface CapturedFacts {
  readonly count: number;
  readonly recorded: { readonly p50Ms: number; readonly totalMs: number; readonly planSummary: string | null };
  /** Parameter sets replayed per call (each call sends every one). */
  readonly params: number;
}

export type { Db };
