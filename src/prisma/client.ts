import { BSON, type Document } from 'mongodb';
import type { DataModel, Model } from './datamodel.js';
import { PrismaCallError } from './call-error.js';
import { type CommandRequest, type ReadOp, type ReadTransport, runCount, runRead } from './read.js';
import { runWrite, type WriteOp, type WriteTransport, writeOps as renderedWrites } from './write.js';

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

export type RawRequest =
  | (Omit<CommandRequest, 'pipeline'> & { readonly kind: 'aggregate'; readonly pipeline: Document[]; readonly options: Document })
  | (Omit<CommandRequest, 'pipeline'> & { readonly kind: 'find'; readonly filter: Document; readonly options: Document })
  | (Omit<CommandRequest, 'pipeline'> & { readonly kind: 'command'; readonly command: Document });

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
const otherOps = ['aggregate', 'groupBy'];

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createPrismaClient(dm: DataModel, transport: ClientTransport): Record<string, any> {
  const byAccessor = new Map<string, Model>([...dm.models.values()].map((m) => [accessorOf(m.name), m]));
  const pendingUnique = new Set<string>();

  const modelClient = (model: Model) =>
    new Proxy(
      {},
      {
        get(_target, op) {
          if (typeof op !== 'string') return undefined;
          const accessor = accessorOf(model.name);
          const call = `prisma.${accessor}.${op}`;
          if (op === 'then') return undefined;
          return (args?: unknown) => {
            const label = (kind: string) => transport.stepFor(`${accessor}.${kind}`, signatureOf(args));
            if ((readOps as readonly string[]).includes(op)) {
              if (op === 'findUnique' || op === 'findUniqueOrThrow') {
                // The client batches findUnique calls made in the same tick into one findMany (core query_document BatchDocument::compact): not rendered here.
                if (pendingUnique.has(model.name))
                  throw new PrismaCallError(
                    call,
                    "two findUnique calls in the same tick: Prisma's client batches them into one findMany, which indexgate's renderer does not render; await them one by one or use findMany",
                  );
                pendingUnique.add(model.name);
                queueMicrotask(() => pendingUnique.delete(model.name));
              }
              return runRead(dm, model, op as ReadOp, args, label(op), transport);
            }
            if (op === 'count') return runCount(dm, model, args, label(op), transport);
            if (op === 'aggregateRaw' || op === 'findRaw') {
              // A raw operation's `options.comment` (sent to the server, as applications tag their queries) names its step.
              const comment = (args as { options?: { comment?: unknown } } | undefined)?.options?.comment;
              return rawModelCall(
                model,
                op,
                args,
                typeof comment === 'string' ? transport.stepFor(`${accessor}.${op} (${comment})`, signatureOf(args)) : label(op),
                call,
              );
            }
            if ((renderedWrites as readonly string[]).includes(op) && transport.writes) {
              const writes = transport.writes;
              return runWrite(dm, model, op as WriteOp, args, label(op), {
                aggregate: (r) => transport.aggregate(r),
                standIn: (c, p) => transport.standIn(c, p),
                clientWork: (step, describe, fn) => transport.clientWork(step, describe, fn),
                overhead: (fn) => transport.overhead(fn),
                insertOne: (r) => writes.insertOne(r),
                updateMany: (r) => writes.updateMany(r),
              });
            }
            if (writeOps.includes(op))
              throw new PrismaCallError(
                call,
                transport.writes
                  ? `${op} is not rendered by indexgate (create, update and upsert are)`
                  : "writes are not supported in read routes: a write route (writes: true) is run by bench's writes stage",
              );
            if (otherOps.includes(op))
              throw new PrismaCallError(
                call,
                `${op} is not supported by indexgate's renderer (count, findMany, findFirst, findUnique, aggregateRaw and findRaw are)`,
              );
            throw new PrismaCallError(call, `Prisma has no ${op} on a model`);
          };
        },
      },
    );

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
      if (name === '$transaction' || name === '$queryRaw' || name === '$executeRaw' || name === '$connect' || name === '$disconnect') {
        throw new PrismaCallError(`prisma.${name}`, "not supported by indexgate's renderer in a route");
      }
      const model = byAccessor.get(name);
      if (!model)
        throw new PrismaCallError(`prisma.${name}`, `no model ${name} in ${dm.file} (models: ${[...byAccessor.keys()].join(', ')})`);
      return modelClient(model);
    },
  });
}
