import { BSON, type Document } from 'mongodb';
import type { DataModel, Model } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { type RawRequest, type ReadOp, type ReadTransport, runCount, runRead } from './read.js';
import { runAggregate, runGroupBy } from './aggregate.js';
import { batchIdOf, canCompact, compactedWhere, runCompacted, type Settled, type UniqueCall, type UniqueOp } from './batch.js';
import { runWrite, type WriteOp, type WriteTransport, writeOps as renderedWrites } from './write.js';

export type { RawRequest } from './read.js';

/**
 * A Prisma 6 client on a data model, whose calls are rendered into the commands Prisma
 * 6.19's MongoDB connector sends and sent through a transport (the route recorder). What it
 * does not render exactly, it refuses: one error naming the call.
 */

export interface ClientTransport extends ReadTransport {
  /**
   * The step a call is recorded under: `label` (`conversation.findMany`), or `label #n` when
   * the same call is made with another shape in the same route run (the first shape keeps the
   * plain label). Asked before anything is sent, in the order the route's code makes its calls.
   */
  stepFor(label: string, signature: string): string;
  /** A raw command (aggregateRaw, findRaw, $runCommandRaw) sent as given. */
  raw(request: RawRequest): Promise<Document[]>;
  /** Present for write routes only (bench, on its own target): where create, update and upsert send their writes. */
  readonly writes?: WriteTransport;
}

const readOps: readonly ReadOp[] = ['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow'];
const writeOps = [
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
];

/** The client's accessor of a model: its name with a lower-case first letter (`conversationReadCursor`). */
export const accessorOf = (model: string): string => model.charAt(0).toLowerCase() + model.slice(1);

/**
 * The shape of a call's arguments, values left out: two calls with the same signature are the
 * same call site sending other values (one step, its shapes a fan-out).
 */
export function signatureOf(value: unknown): string {
  if (Array.isArray(value)) {
    // A list of like items (an `in` list) is one shape whatever its length; a pipeline is its stages.
    const items = [...new Set(value.map(signatureOf))];
    return `[${items.join(',')}]`;
  }
  if (value instanceof Date) return 'date';
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}:${signatureOf(v)}`)
      .join(',')}}`;
  }
  return value === null ? 'null' : typeof value === 'boolean' ? String(value) : typeof value;
}

/** Extended JSON in, BSON out, as Prisma's raw operations read their arguments (raw.rs: `Bson::try_from(serde_json::Value)`). */
const fromJson = (value: unknown): Document =>
  BSON.EJSON.deserialize(JSON.parse(JSON.stringify(value)) as Document, { relaxed: true }) as Document;
/** Raw results come back as extended JSON (relaxed). */
const toJson = (docs: Document[]): Document[] => docs.map((d) => BSON.EJSON.serialize(d, { relaxed: true }) as Document);

/**
 * A call's promise, lazy as Prisma's `PrismaPromise` is (packages/client/src/runtime/core/request/
 * createPrismaPromise.ts): nothing is sent until it is awaited (`then`), so that `$transaction([...])`
 * can take the calls before they start.
 */
class PrismaPromise<T> implements PromiseLike<T> {
  private started?: Promise<T>;
  constructor(
    readonly call: PendingCall,
    private readonly start: () => Promise<T>,
  ) {}
  get isStarted(): boolean {
    return this.started !== undefined;
  }
  /** Starts the call (once) as it starts on its own. */
  run(): Promise<T> {
    return (this.started ??= this.start());
  }
  /** Settles it with the answer a batch gave it (a `$transaction`). */
  settle(answer: Promise<T>): void {
    this.started = answer;
  }
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ) {
    return this.run().then(onfulfilled, onrejected);
  }
  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null) {
    return this.run().catch(onrejected);
  }
  finally(onfinally?: (() => void) | null) {
    return this.run().finally(onfinally);
  }
  get [Symbol.toStringTag](): string {
    return 'PrismaPromise';
  }
}

/** What a call is, for `$transaction` and the findUnique batcher. */
interface PendingCall {
  readonly model: Model;
  readonly op: string;
  readonly args: unknown;
  /** Runs the call on its own, as a single request (DataLoader `singleLoader`). */
  readonly alone: () => Promise<unknown>;
}

/** An interactive transaction's queue: the calls of one tick, sent as one batch. */
interface InteractiveScope {
  enqueue(call: PendingCall): Promise<unknown>;
}

/** The reads `$transaction([...])` renders. */
const transactionOps = new Set([
  'findMany',
  'findFirst',
  'findFirstOrThrow',
  'findUnique',
  'findUniqueOrThrow',
  'count',
  'aggregate',
  'groupBy',
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createPrismaClient(dm: DataModel, transport: ClientTransport): Record<string, any> {
  const byAccessor = new Map<string, Model>([...dm.models.values()].map((m) => [accessorOf(m.name), m]));
  const made = new WeakSet<object>();

  /** findUnique calls waiting for the end of the tick, by batch id (batch.ts `batchIdOf`), in call order. */
  const pending = new Map<string, { model: Model; call: UniqueCall; resolve: (v: unknown) => void; reject: (e: unknown) => void }[]>();
  let dispatchScheduled = false;

  const uniqueLabel = (model: Model, op: string, args: unknown) => transport.stepFor(`${accessorOf(model.name)}.${op}`, signatureOf(args));

  /** DataLoader `dispatchBatches` (prisma/prisma packages/client/src/runtime/DataLoader.ts `scheduleDispatch`: one `queueMicrotask` for the calls of a tick). */
  function dispatchUnique(): void {
    dispatchScheduled = false;
    const batches = [...pending.values()];
    pending.clear();
    for (const batch of batches) {
      const [head] = batch;
      if (!head) continue;
      if (batch.length === 1) {
        // One call of its id in the tick: `singleLoader`, sent alone.
        runRead(dm, head.model, head.call.op, head.call.args, uniqueLabel(head.model, head.call.op, head.call.args), transport).then(
          head.resolve,
          head.reject,
        );
        continue;
      }
      void runBatch(
        head.model,
        batch.map((b) => b.call),
      ).then((settled) =>
        settled.forEach((s, i) => {
          const waiting = batch[i];
          if (s.ok) waiting?.resolve(s.value);
          else waiting?.reject(s.error);
        }),
      );
    }
  }

  /**
   * A batch request of findUnique calls (`batchLoader`): compacted into one findMany when the
   * engine can (query_document/mod.rs `BatchDocument::compact`), else each call on its own,
   * concurrently (interpreting_executor.rs `execute_all` without a transaction).
   */
  async function runBatch(model: Model, calls: UniqueCall[]): Promise<Settled[]> {
    const settle = (p: Promise<unknown>): Promise<Settled> =>
      p.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    if (!canCompact(model, calls))
      return Promise.all(calls.map((c) => settle(runRead(dm, model, c.op, c.args, uniqueLabel(model, c.op, c.args), transport))));
    const first = calls[0] as UniqueCall;
    const label = transport.stepFor(
      `${accessorOf(model.name)}.${first.op}`,
      `batch ${signatureOf({ where: compactedWhere(model, calls), select: first.args.select, include: first.args.include })}`,
    );
    try {
      return await runCompacted(dm, model, calls, label, transport);
    } catch (error) {
      // The compacted findMany failed: every call of the batch gets its error.
      return calls.map(() => ({ ok: false as const, error }));
    }
  }

  function enqueueUnique(model: Model, op: UniqueOp, args: unknown): Promise<unknown> {
    const call = `prisma.${accessorOf(model.name)}.${op}`;
    if (!isPlainObject(args)) return Promise.reject(new PrismaCallError(call, 'takes one object of arguments'));
    const id = batchIdOf(model, args);
    return new Promise((resolve, reject) => {
      const batch = pending.get(id) ?? [];
      batch.push({ model, call: { op, args }, resolve, reject });
      pending.set(id, batch);
      if (!dispatchScheduled) {
        dispatchScheduled = true;
        queueMicrotask(dispatchUnique);
      }
    });
  }

  const lazyCall = <T>(call: PendingCall, start: () => Promise<T>): PrismaPromise<T> => {
    const p = new PrismaPromise(call, start);
    made.add(p);
    return p;
  };

  const modelClient = (model: Model, tx?: InteractiveScope) =>
    new Proxy(
      {},
      {
        get(_target, op) {
          if (typeof op !== 'string') return undefined;
          const accessor = accessorOf(model.name);
          const call = `prisma.${accessor}.${op}`;
          if (op === 'then') return undefined;
          // Field references (`prisma.<model>.fields.<field>` as a filter's value): Prisma renders them on MongoDB
          // (mongodb-query-connector filter.rs `ConditionValue::FieldRef`); indexgate does not yet, and refuses them
          // here rather than let an undefined value drop the condition.
          if (op === 'fields')
            throw new PrismaCallError(
              call,
              "field references are not rendered by indexgate's renderer yet (Prisma supports them on MongoDB)",
            );
          if (tx && !transactionOps.has(op) && !['aggregateRaw', 'findRaw'].includes(op))
            return () => {
              throw new PrismaCallError(
                `tx.${accessor}.${op}`,
                `indexgate renders an interactive transaction of reads (${[...transactionOps].join(', ')})`,
              );
            };
          const lazy = <T>(pc: PendingCall, start: () => Promise<T>): PrismaPromise<T> =>
            // Inside an interactive transaction every call goes through its queue (RequestHandler.ts `batchBy`: `transaction-<id>`).
            lazyCall(pc, tx ? () => tx.enqueue(pc) as Promise<T> : start);
          return (args?: unknown) => {
            const label = (kind: string) => transport.stepFor(`${accessor}.${kind}`, signatureOf(args));
            const pendingCall = (alone: () => Promise<unknown>): PendingCall => ({ model, op, args, alone });
            if ((readOps as readonly string[]).includes(op)) {
              const alone = () => runRead(dm, model, op as ReadOp, args, label(op), transport);
              // The client batches the findUnique calls of one tick (RequestHandler.ts `batchBy` → getBatchId.ts).
              if (op === 'findUnique' || op === 'findUniqueOrThrow') return lazy(pendingCall(alone), () => enqueueUnique(model, op, args));
              return lazy(pendingCall(alone), alone);
            }
            if (op === 'count') {
              const select = isPlainObject(args) ? args.select : undefined;
              // count({ select: { _all, field } }): the client's aggregate with `_count: select`, unpacked to its `_count`
              // (prisma/prisma 6.19.0 packages/client/src/runtime/core/model/aggregates/count.ts).
              if (isPlainObject(select) && Object.keys(select).some((k) => k !== '_all')) {
                const { select: _select, ...rest } = args as Record<string, unknown>;
                const alone = async () =>
                  ((await runAggregate(dm, model, { ...rest, _count: select }, label(op), transport)) as { _count: unknown })._count;
                return lazy(pendingCall(alone), alone);
              }
              const alone = () => runCount(dm, model, args, label(op), transport);
              return lazy(pendingCall(alone), alone);
            }
            if (op === 'aggregate') {
              const alone = () => runAggregate(dm, model, args, label(op), transport);
              return lazy(pendingCall(alone), alone);
            }
            if (op === 'groupBy') {
              const alone = () => runGroupBy(dm, model, args, label(op), transport);
              return lazy(pendingCall(alone), alone);
            }
            if (op === 'aggregateRaw' || op === 'findRaw') {
              const alone = () => {
                // A raw operation's `options.comment` (sent to the server, as applications tag their queries) names its step.
                const comment = (args as { options?: { comment?: unknown } } | undefined)?.options?.comment;
                return rawModelCall(
                  model,
                  op,
                  args,
                  typeof comment === 'string' ? transport.stepFor(`${accessor}.${op} (${comment})`, signatureOf(args)) : label(op),
                  call,
                );
              };
              return lazy(pendingCall(alone), alone);
            }
            if ((renderedWrites as readonly string[]).includes(op) && transport.writes) {
              const writes = transport.writes;
              const alone = () =>
                runWrite(dm, model, op as WriteOp, args, label(op), {
                  aggregate: (r) => transport.aggregate(r),
                  standIn: (c, p) => transport.standIn(c, p),
                  clientWork: (step, describe, fn) => transport.clientWork(step, describe, fn),
                  overhead: (fn) => transport.overhead(fn),
                  insertOne: (r) => writes.insertOne(r),
                  updateMany: (r) => writes.updateMany(r),
                });
              return lazy(pendingCall(alone), alone);
            }
            if (writeOps.includes(op))
              throw new PrismaCallError(
                call,
                transport.writes
                  ? `${op} is not rendered by indexgate (create, update and upsert are)`
                  : "writes are not supported in read routes: a write route (writes: true) is run by bench's writes stage",
              );
            throw new PrismaCallError(call, `Prisma has no ${op} on a model`);
          };
        },
      },
    );

  /**
   * `$transaction([...])` of reads. The client sends the calls as one batch request with
   * `transaction: { isolationLevel }` (getPrismaClient.ts `_transactionWithArray`, RequestHandler.ts
   * `batchBy` → `transaction-<id>`, ordered by index); a single call goes alone (DataLoader
   * `singleLoader`). The engine first tries to compact the batch (query_document/mod.rs
   * `BatchDocument::compact`, whatever the transaction: a compacted batch runs as one findMany, in no
   * transaction); otherwise (interpreting_executor.rs `execute_all`) it starts a transaction on one
   * connection (mongodb-query-connector interface/transaction.rs `MongoDbTransaction::new`:
   * readConcern majority, writeConcern majority), runs the calls one after the other in the array's
   * order (execute_operation.rs `execute_many_operations`) and commits (`commit_with_retry`).
   *
   * What differs here: indexgate's transport has no session, so the calls are sent in the same
   * order, one after the other, but outside a transaction: no `lsid`/`txnNumber`/`startTransaction`,
   * no `readConcern: majority` on the first command, and no `commitTransaction` (Prisma's reads would
   * see one snapshot; these may see writes made between them). Prisma on a standalone mongod
   * (not a replica set) refuses the transaction (P2031); indexgate sends the reads anyway.
   */
  async function transaction(items: unknown, options: unknown): Promise<unknown> {
    const call = 'prisma.$transaction';
    if (typeof items === 'function') return interactive(items as (tx: unknown) => unknown, options);
    if (!Array.isArray(items)) throw new PrismaCallError(call, 'takes a list of calls');
    if (isPlainObject(options) && options.isolationLevel !== undefined)
      throw new PrismaCallError(call, 'isolationLevel: MongoDB has no transaction isolation levels (Prisma refuses it on MongoDB)');
    const calls = items.map((item, i) => {
      if (!(item instanceof PrismaPromise) || !made.has(item))
        throw new PrismaCallError(call, `item ${i} is not a call of this client (prisma.<model>.<operation>(…) not yet awaited)`);
      if (item.isStarted) throw new PrismaCallError(call, `item ${i} was already awaited: its request has been sent on its own`);
      if (!transactionOps.has(item.call.op))
        throw new PrismaCallError(
          call,
          `item ${i} (${item.call.op}): indexgate renders a $transaction of reads (${[...transactionOps].join(', ')})`,
        );
      return item as PrismaPromise<unknown>;
    });
    const answers = runInOrder(calls.map((c) => c.call));
    calls.forEach((c, i) => c.settle(answers[i] as Promise<unknown>));
    return Promise.all(answers);
  }

  /**
   * One batch request of a transaction (an array's calls, or the calls an interactive
   * transaction makes in one tick): one call alone (DataLoader `singleLoader`); findUniques the
   * engine can compact, one findMany (`BatchDocument::compact`); otherwise each call in order, one
   * after the other (execute_operation.rs `execute_many_operations`), the first failure failing
   * the rest (Prisma rolls the transaction back). One answer per call, in order.
   */
  function runInOrder(calls: readonly PendingCall[]): Promise<unknown>[] {
    // Answers a caller may never await (a failed batch) must not be unhandled rejections.
    const quiet = (p: Promise<unknown>) => {
      p.catch(() => undefined);
      return p;
    };
    if (calls.length <= 1) return calls.map((c) => quiet(c.alone()));
    const model = calls[0]?.model as Model;
    const uniques = calls.every(
      (c) => (c.op === 'findUnique' || c.op === 'findUniqueOrThrow') && c.model === model && isPlainObject(c.args),
    )
      ? calls.map((c) => ({ op: c.op as UniqueOp, args: c.args as Record<string, unknown> }))
      : undefined;
    if (uniques && canCompact(model, uniques)) {
      const settled = runBatch(model, uniques);
      return calls.map((_, i) =>
        quiet(
          settled.then((all) => {
            const own = all[i] as Settled;
            if (!own.ok) throw own.error;
            return own.value;
          }),
        ),
      );
    }
    const results: Promise<unknown>[] = [];
    let previous: Promise<unknown> = Promise.resolve();
    for (const c of calls) {
      previous = quiet(previous.then(() => c.alone()));
      results.push(previous);
    }
    return results;
  }

  /**
   * `$transaction(async (tx) => …, { maxWait, timeout })`: an interactive transaction (prisma/prisma
   * getPrismaClient.ts `_transactionWithCallback`: `startTransaction`, the callback run with a
   * client whose calls carry the transaction's id, then `commitTransaction`, or `rollback` if it
   * throws). The calls the callback makes in one tick are one batch request (RequestHandler.ts
   * `batchBy` → `transaction-<id>`; DataLoader `scheduleDispatch`), run as `$transaction([...])`
   * runs its calls (request-handlers handler.rs `handle_batch`: compacted, or in order); a call
   * alone is sent alone. What differs here is what differs for the array form: no session, so
   * no `startTransaction`/`commitTransaction` and no `readConcern: majority`; `maxWait` and
   * `timeout` are not enforced.
   */
  async function interactive(fn: (tx: unknown) => unknown, options: unknown): Promise<unknown> {
    const call = 'prisma.$transaction';
    if (isPlainObject(options) && options.isolationLevel !== undefined)
      throw new PrismaCallError(call, 'isolationLevel: MongoDB has no transaction isolation levels (Prisma refuses it on MongoDB)');
    const queue: { call: PendingCall; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
    let open = true;
    const scope: InteractiveScope = {
      enqueue(pc) {
        if (!open)
          return Promise.reject(
            new PrismaCallError(
              call,
              'a call on the transaction client after the transaction ended (Prisma: "Transaction already closed")',
            ),
          );
        return new Promise((resolve, reject) => {
          queue.push({ call: pc, resolve, reject });
          if (queue.length === 1)
            queueMicrotask(() => {
              const batch = queue.splice(0);
              runInOrder(batch.map((b) => b.call)).forEach((answer, i) => answer.then(batch[i]?.resolve, batch[i]?.reject));
            });
        });
      },
    };
    const txClient = new Proxy({} as Record<string, unknown>, {
      get(_target, name) {
        if (typeof name !== 'string' || name === 'then') return undefined;
        if (name.startsWith('$'))
          throw new PrismaCallError(
            `tx.${name}`,
            ['$connect', '$disconnect', '$on', '$transaction', '$use', '$extends'].includes(name)
              ? "the transaction client has no such method (Prisma's itxClientDenyList)"
              : "not rendered by indexgate's renderer inside an interactive transaction (its model reads are)",
          );
        const model = byAccessor.get(name);
        if (!model) throw new PrismaCallError(`tx.${name}`, `no model ${name} in ${dm.file}`);
        return modelClient(model, scope);
      },
    });
    try {
      return await fn(txClient);
    } finally {
      open = false;
    }
  }
  async function rawModelCall(
    model: Model,
    op: 'aggregateRaw' | 'findRaw',
    args: unknown,
    step: string,
    call: string,
  ): Promise<Document[]> {
    const a = (args ?? {}) as Record<string, unknown>;
    if (typeof a !== 'object' || a === null) throw new PrismaCallError(call, 'takes one object of arguments');
    const options = a.options === undefined ? {} : fromJson(a.options);
    const source = 'Prisma sends a raw operation as given (prisma-engines @2ba551f3 root_queries/raw.rs)';
    if (op === 'aggregateRaw') {
      if (a.pipeline !== undefined && !Array.isArray(a.pipeline)) throw new PrismaCallError(call, 'pipeline must be a list of stages');
      const pipeline = ((a.pipeline as unknown[] | undefined) ?? []).map((s) => fromJson(s));
      return toJson(await transport.raw({ kind: 'aggregate', step, call, collection: model.collection, pipeline, options, source }));
    }
    const filter = a.filter === undefined ? {} : fromJson(a.filter);
    return toJson(await transport.raw({ kind: 'find', step, call, collection: model.collection, filter, options, source }));
  }

  return new Proxy({} as Record<string, unknown>, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name === '$runCommandRaw') {
        return async (command: unknown) => {
          const step = transport.stepFor('$runCommandRaw', signatureOf(command));
          const [reply] = await transport.raw({
            kind: 'command',
            step,
            call: 'prisma.$runCommandRaw',
            collection: '',
            command: fromJson(command),
            source: 'Prisma sends the command as given (raw.rs)',
          });
          return reply ? (BSON.EJSON.serialize(reply, { relaxed: true }) as Document) : {};
        };
      }
      if (name === '$transaction') return (items: unknown, options?: unknown) => transaction(items, options);
      if (name === '$queryRaw' || name === '$executeRaw' || name === '$connect' || name === '$disconnect') {
        throw new PrismaCallError(`prisma.${name}`, "not supported by indexgate's renderer in a route");
      }
      const model = byAccessor.get(name);
      if (!model)
        throw new PrismaCallError(`prisma.${name}`, `no model ${name} in ${dm.file} (models: ${[...byAccessor.keys()].join(', ')})`);
      return modelClient(model);
    },
  });
}
