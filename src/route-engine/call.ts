import { type Db, ObjectId } from 'mongodb';
import { IndexgateError } from '../errors.js';
import { createPrismaClient } from '../prisma/client.js';
import type { DataModel } from '../prisma/datamodel.js';
import { OverLimit } from '../prisma/read.js';
import { RouteFileError } from './route-file-error.js';
import { recordedDb } from './recorded-db.js';
import { type CommandRun, Recorder, type RecorderOptions } from './recorder.js';
import type { ParamValue, Route, RouteContext } from '../route.js';

/** One call of a route for one user: its phases, every command it sent, and whether one reached the limit. */
export interface RouteCall {
  /** Milliseconds per phase the route named, and `total` (the whole run), indexgate's own work left out. Lower bounds when `overLimit`. */
  readonly phases: Readonly<Record<string, number>> & { readonly total: number };
  /** Every step, in the order it was first sent. */
  readonly commands: readonly CommandRun[];
  readonly overLimit: boolean;
  /** The step whose limit ended the call (its later commands were not sent); absent when the call ran to its end. */
  readonly stopped?: string;
  /** indexgate's own time in this call (rendering, shaping, stand-ins), ms: never in `phases`. */
  readonly overheadMs: number;
}

export interface CallInput {
  readonly user: { readonly id: string; readonly class: string };
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** What every route's context holds: the Prisma client and the driver's database on a recorder, the user, the params. */
export function baseContext(dm: DataModel, recorder: Recorder, databaseName: string, input: CallInput): Omit<RouteContext, 'phase'> {
  return {
    prisma: createPrismaClient(dm, recorder),
    db: recordedDb(recorder, databaseName),
    user: input.user,
    params: input.params,
    ObjectId,
  };
}

/**
 * Runs a route's code once for one user, every command recorded. A command that reaches the
 * limit is answered by a stand-in where the Prisma client can make one (its later commands
 * then run on the rows the application would have); otherwise the call ends there and its
 * times are lower bounds. Anything else the route's code throws names the route file (exit 2).
 */
export async function callRoute(db: Db, dm: DataModel, route: Route, input: CallInput, options: RecorderOptions): Promise<RouteCall> {
  const recorder = new Recorder(db, options);
  const now = options.now ?? (() => performance.now());
  const phases: Record<string, number> = {};
  const ctx: RouteContext = {
    ...baseContext(dm, recorder, db.databaseName, input),
    async phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
      const started = now();
      const overheadBefore = recorder.overheadMs;
      try {
        return await fn();
      } finally {
        phases[name] = (phases[name] ?? 0) + now() - started - (recorder.overheadMs - overheadBefore);
      }
    },
  };
  const started = now();
  let stopped: string | undefined;
  try {
    await route.run(ctx);
  } catch (error) {
    if (error instanceof OverLimit) stopped = error.step;
    else if (error instanceof RouteFileError) throw error;
    else if (error instanceof IndexgateError) throw new RouteFileError(route.file, error.message, { cause: error });
    else
      throw new RouteFileError(
        route.file,
        `its code threw for user ${input.user.id} (${input.user.class}): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
  } finally {
    await recorder.idle();
  }
  const total = now() - started - recorder.overheadMs;
  const commands = [...recorder.runs.values()];
  return {
    phases: { ...phases, total },
    commands,
    overLimit: commands.some((c) => c.overLimit),
    ...(stopped ? { stopped } : {}),
    overheadMs: recorder.overheadMs,
  };
}
