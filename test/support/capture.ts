import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db, Document } from 'mongodb';
import { expect } from 'vitest';
import { shapeOfCommand } from '../../src/capture/shape.js';
import type { WorkloadFile } from '../../src/capture/workload-file.js';
import type { RouteCall } from '../../src/route-engine/call.js';
import type { CommandShape } from '../../src/route-engine/recorder.js';
import { runCli } from './cli.js';

/** What the capture-and-replay tests share: the shapes a route's call sent, a capture by the CLI, the plans of a replay. */

/** A command document as the driver sends a route's shape (the fields the shape keeps). */
export function asCommand(collection: string, shape: CommandShape): Document {
  if (shape.kind === 'aggregate') return { aggregate: collection, pipeline: shape.pipeline };
  if (shape.kind === 'find') return { find: collection, filter: shape.filter };
  return shape.command;
}

/** What identifies a shape across the driver's field order: collection, command, and the normalised filter or pipeline. */
export const identity = (s: { collection: string; command: string; shape: Document }) =>
  JSON.stringify([s.collection, s.command, s.shape.pipeline ?? s.shape.filter ?? s.shape.query ?? null]);

/** The shapes a route's call sent, and how many commands. */
export function sentBy(call: RouteCall): { identities: Set<string>; commands: number } {
  const identities = new Set<string>();
  let commands = 0;
  for (const run of call.commands) {
    for (const shape of run.shapes) {
      commands++;
      identities.add(identity(shapeOfCommand(asCommand(run.collection, shape))));
    }
  }
  return { identities, commands };
}

/**
 * The slow-query log of this database only: a profile filter (MongoDB 4.4.2+) decides what is
 * profiled and logged, per database, so the other tests' operations stay out of the log.
 * The lines are read back with getLog (the server's own log text, its last 1024 entries).
 */
export async function withSlowLog(db: Db, work: () => Promise<unknown>): Promise<string[]> {
  // Only the lines of the window: a command of this database that ran slow before it (sampling the users, on a busy machine) is logged too.
  const from = Date.now();
  await db.command({ profile: 0, filter: { millis: { $gte: 0 } } });
  try {
    await work();
  } finally {
    await db.command({ profile: 0, filter: 'unset' });
  }
  const { log } = await db.admin().command({ getLog: 'global' });
  return (log as string[]).filter(
    (line) => line.includes(`"ns":"${db.databaseName}.`) && Date.parse((JSON.parse(line) as { t: { $date: string } }).t.$date) >= from,
  );
}

export async function capture(args: string[]): Promise<WorkloadFile> {
  const dir = await mkdtemp(join(tmpdir(), 'indexgate-capture-'));
  const out = join(dir, 'workload.json');
  const run = await runCli(['capture', ...args, '--out', out]);
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/read shapes/);
  return JSON.parse(await readFile(out, 'utf8')) as WorkloadFile;
}

export const shapeIdentities = (w: WorkloadFile) => new Set(w.shapes.map(identity));

export type Plan = { stages: string[]; indexesUsed: string[] };
/** The plans of a side: stages and indexes (a pattern's collection is its subject, not always where its command runs). */
export const plansOf = (commands: readonly { before?: Plan; after: Plan }[], side: 'before' | 'after') =>
  new Set(commands.map((c) => JSON.stringify([(c[side] as Plan).stages, [...(c[side] as Plan).indexesUsed].sort()])));
